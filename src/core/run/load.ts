/**
 * Reads a run source from a file's text: a plan (JSON or YAML), recorded calls
 * (`{"calls": [...]}`), an Anthropic transcript, or a native run trace written by an earlier
 * run. Problems come back with offset ranges so callers can print the file and position.
 */
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError, printParseErrorCode } from 'jsonc-parser';
import type { OffsetRange } from '../findings';
import { parsePlan, planFormatForPath } from '../plan/parse';
import type { PlanFormat } from '../plan/model';
import { readRecording, sourceFromPlan, sourceFromRecording, type RecordedCall } from './source';
import { recordingFromTranscript, transcriptMessages } from './transcript';
import type { RunSource } from './types';

export interface LoadProblem {
  message: string;
  range: OffsetRange;
}

export type LoadedKind = 'plan' | 'recording' | 'transcript' | 'run-trace';

export interface LoadResult {
  kind?: LoadedKind;
  source?: RunSource;
  /** Problems that keep the file from being read. Empty when `source` is set. */
  problems: LoadProblem[];
}

function jsonPathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) segments.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return segments;
}

function rangeOf(tree: JsonNode | undefined, path: string): OffsetRange {
  const node = tree !== undefined ? findNodeAtLocation(tree, jsonPathSegments(path)) : undefined;
  return node !== undefined ? { start: node.offset, end: node.offset + node.length } : { start: 0, end: 0 };
}

/** Reads the call events of a native run trace back into recorded calls. */
function recordingFromRunTrace(text: string): RecordedCall[] | undefined {
  const calls = new Map<string, RecordedCall>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (typeof line.t !== 'number' || typeof line.type !== 'string') return undefined;
    if (line.type === 'call_start') {
      calls.set(line.id as string, { id: line.id as string, tool: line.tool as string, startMs: line.t, status: 'pending', dependsOn: (line.dependsOn as string[]) ?? [] });
    } else if (line.type === 'call_end') {
      const call = calls.get(line.id as string);
      if (call === undefined) continue;
      call.endMs = line.t;
      call.status = line.outcome === 'ok' ? 'ok' : line.outcome === 'error' ? 'error' : 'timeout';
    }
  }
  return calls.size > 0 ? [...calls.values()] : undefined;
}

/** Loads a source from `text`; `path` picks the format by suffix and names the source. */
export function loadRunSource(text: string, path: string): LoadResult {
  const lower = path.toLowerCase();
  const name = path.split(/[\\/]/).pop() ?? path;
  const planFormat: PlanFormat | undefined = planFormatForPath(path) ?? (lower.endsWith('.yaml') || lower.endsWith('.yml') ? 'yaml' : undefined);

  if (lower.endsWith('.jsonl')) {
    const calls = recordingFromRunTrace(text);
    if (calls !== undefined) return { kind: 'run-trace', source: sourceFromRecording({ name, calls }), problems: [] };
    const entries: unknown[] = [];
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      try {
        entries.push(JSON.parse(raw));
      } catch {
        return { problems: [{ message: 'Invalid JSON line: expected a native run trace or a transcript in JSON Lines.', range: { start: text.indexOf(raw), end: text.indexOf(raw) + raw.length } }] };
      }
    }
    const messages = transcriptMessages(entries);
    if (messages !== undefined) return { kind: 'transcript', source: sourceFromRecording(recordingFromTranscript(messages, 0, name)), problems: [] };
    return { problems: [{ message: 'No call events and no transcript messages found in this JSON Lines file.', range: { start: 0, end: 0 } }] };
  }

  if (planFormat !== undefined) return loadPlan(text, planFormat, name);

  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    return {
      problems: [{ message: `Invalid JSON: ${first !== undefined ? printParseErrorCode(first.error) : 'empty file'}.`, range: first !== undefined ? { start: first.offset, end: first.offset + first.length } : { start: 0, end: 0 } }],
    };
  }
  const value = nodeValue(tree);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { calls?: unknown }).calls)) {
    const { recording, problems } = readRecording(value);
    if (recording === undefined) return { problems: problems.map((problem) => ({ message: problem.message, range: rangeOf(tree, problem.path) })) };
    if (recording.name === undefined) recording.name = name;
    return { kind: 'recording', source: sourceFromRecording(recording), problems: [] };
  }
  const messages = transcriptMessages(value);
  if (messages !== undefined && messages.some((message) => message.role === 'assistant')) {
    return { kind: 'transcript', source: sourceFromRecording(recordingFromTranscript(messages, 0, name)), problems: [] };
  }
  return loadPlan(text, 'json', name);
}

function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key !== undefined && value !== undefined) Object.defineProperty(result, String(key.value), { value: nodeValue(value), enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function loadPlan(text: string, format: PlanFormat, name: string): LoadResult {
  const { plan, findings } = parsePlan(text, format);
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) return { problems: errors.map((finding) => ({ message: finding.message, range: finding.range })) };
  return { kind: 'plan', source: sourceFromPlan(plan, plan.name ?? name), problems: [] };
}
