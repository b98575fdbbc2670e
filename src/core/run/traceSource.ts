/**
 * Reduces a trace in any format the trace reader supports (native JSONL, Anthropic Messages,
 * Claude Code, OTLP/JSON) to recorded calls the engine can replay. A call depends on what the
 * trace shows it needed first: `depends_on` in native lines (run traces write it), and in
 * conversations every call of the agent's previous turn.
 */
import type { OffsetRange } from '../findings';
import { detectTraceFormat, readTraceText } from '../trace/reader';
import type { TraceCall, TraceFormat } from '../trace/model';
import type { RecordedCall, RecordedCalls, RecordedStatus } from './source';

export interface TraceRecording {
  format: TraceFormat;
  recording: RecordedCalls;
  /** Source range of each call's start, by id, for links back into the trace. */
  ranges: Map<string, OffsetRange>;
  /** Errors the reader found, with ranges. */
  problems: { message: string; range: OffsetRange }[];
}

/**
 * Reads what the normalised model does not keep from native lines: `depends_on` of
 * `call.start`, and the locks each call requested or took, in the order it first named them.
 */
function nativeExtras(text: string): { dependencies: Map<string, string[]>; locks: Map<string, string[]> } {
  const dependencies = new Map<string, string[]>();
  const locks = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    if (!raw.includes('"depends_on"') && !raw.includes('"lock.')) continue;
    try {
      const line = JSON.parse(raw) as { type?: unknown; call?: unknown; depends_on?: unknown; lock?: unknown };
      if (typeof line.call !== 'string') continue;
      if (line.type === 'call.start' && Array.isArray(line.depends_on)) {
        dependencies.set(line.call, line.depends_on.filter((entry): entry is string => typeof entry === 'string'));
      } else if ((line.type === 'lock.request' || line.type === 'lock.acquire') && typeof line.lock === 'string') {
        const list = locks.get(line.call) ?? [];
        if (!list.includes(line.lock)) list.push(line.lock);
        locks.set(line.call, list);
      }
    } catch {
      // Lines that are not JSON are reported by the trace reader.
    }
  }
  return { dependencies, locks };
}

/** Returns the recording of a trace text, or undefined when the text is in no format the trace reader reads. */
export function recordingFromTraceText(text: string, name?: string): TraceRecording | undefined {
  const format = detectTraceFormat(text);
  if (format === undefined) return undefined;
  const builder = readTraceText(text, { format });
  const problems = builder.findings
    .filter((finding) => finding.kind === 'invalid-trace' && finding.severity === 'error')
    .map((finding) => ({ message: finding.message, range: finding.range }));
  const extras = format === 'native' ? nativeExtras(text) : { dependencies: new Map<string, string[]>(), locks: new Map<string, string[]>() };

  const traced = [...builder.calls.values()].filter((call) => !call.inferred);
  // Calls of the previous turn, by agent, for conversational formats.
  const turns = new Map<string, Map<number, string[]>>();
  for (const call of traced) {
    if (call.turn === undefined) continue;
    let byTurn = turns.get(call.agent);
    if (byTurn === undefined) turns.set(call.agent, (byTurn = new Map()));
    const list = byTurn.get(call.turn) ?? [];
    list.push(call.id);
    byTurn.set(call.turn, list);
  }
  const previousTurn = (call: TraceCall): string[] => {
    const byTurn = turns.get(call.agent);
    if (byTurn === undefined || call.turn === undefined) return [];
    let best: number | undefined;
    for (const turn of byTurn.keys()) if (turn < call.turn && (best === undefined || turn > best)) best = turn;
    return best === undefined ? [] : (byTurn.get(best) ?? []);
  };

  const ranges = new Map<string, OffsetRange>();
  // Without times (Anthropic transcripts) every call starts at 0 and lasts 0 ms; the sort by start is stable, so file order remains.
  const calls: RecordedCall[] = traced.map((call) => {
    ranges.set(call.id, { start: call.startRange.start, end: call.startRange.end });
    const status: RecordedStatus = call.status;
    const recorded: RecordedCall = {
      id: call.id,
      tool: call.tool,
      startMs: call.startedAt ?? 0,
      status,
      dependsOn: extras.dependencies.get(call.id) ?? previousTurn(call),
    };
    const locks = extras.locks.get(call.id);
    if (locks !== undefined) recorded.locks = locks;
    if (call.status !== 'running') recorded.endMs = call.endedAt ?? call.startedAt ?? 0;
    if (call.timeoutMs !== undefined) recorded.timeoutMs = call.timeoutMs;
    return recorded;
  });
  const recording: RecordedCalls = { calls };
  if (name !== undefined) recording.name = name;
  return { format, recording, ranges, problems };
}
