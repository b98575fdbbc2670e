/** Lets `agent-deadlock check` read agent traces in every supported format. */
import type { Finding } from '../core/findings';
import { RecordedPositions, type FileReport, type TextPositions } from '../core/report/fileReport';
import { analyzeTrace } from '../core/trace/analyze';
import type { TraceBuilder } from '../core/trace/builder';
import { checkTrace } from '../core/trace/check';
import type { TraceFormat } from '../core/trace/model';
import { detectTraceFormat } from '../core/trace/reader';
import { LineIndex } from '../core/text/lineIndex';
import { INPUT_READERS, type CheckOptions, type InputReader } from './inputs';

export const TRACE_FORMAT_NAMES: Record<TraceFormat, string> = {
  native: 'agent trace, native JSONL',
  anthropic: 'Anthropic Messages transcript',
  'claude-code': 'Claude Code session log',
  otlp: 'OpenTelemetry trace, OTLP/JSON',
};

function traceReport(path: string, format: TraceFormat | undefined, findings: Finding[], lines: TextPositions): FileReport {
  return { path, kind: 'trace', format: format ? TRACE_FORMAT_NAMES[format] : 'trace', findings, lines };
}

export const traceInputReader: InputReader = {
  name: 'trace',
  detect: (_path, text) => detectTraceFormat(text) !== undefined,
  check(path, text, options) {
    // A byte order mark is not part of the first event. Lines and columns are counted without
    // it, as in VS Code, which hides the mark.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const result = checkTrace(body, path, { toolTimeouts: options.toolTimeouts, defaultTimeoutMs: options.defaultTimeoutMs });
    return traceReport(path, result.format, result.findings, new LineIndex(body));
  },
};

/** Checks a trace read by a `ChunkedTraceReader`, whose findings carry their own lines and columns. */
export function chunkedTraceReport(path: string, builder: TraceBuilder, options: CheckOptions): FileReport {
  const analysis = analyzeTrace(builder, { toolTimeouts: options.toolTimeouts, defaultTimeoutMs: options.defaultTimeoutMs });
  return traceReport(path, builder.format, analysis.findings, new RecordedPositions(analysis.findings));
}

if (!INPUT_READERS.includes(traceInputReader)) INPUT_READERS.unshift(traceInputReader);
