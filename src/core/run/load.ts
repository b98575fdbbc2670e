/**
 * Reads a run source from a file's text: a plan (JSON or YAML), recorded calls
 * (`{"calls": [...]}`), or a trace in any format the trace reader reads, including the
 * native traces that earlier runs write. Problems come back with offset ranges so callers can print the file and position.
 */
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError, printParseErrorCode } from 'jsonc-parser';
import type { OffsetRange } from '../findings';
import { parsePlan, planFormatForPath } from '../plan/parse';
import type { PlanFormat } from '../plan/model';
import { readRecording, sourceFromPlan, sourceFromRecording } from './source';
import { recordingFromTraceText } from './traceSource';
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

/** Loads a source from `text`; `path` picks the format by suffix and names the source. */
export function loadRunSource(text: string, path: string): LoadResult {
  const lower = path.toLowerCase();
  const name = path.split(/[\\/]/).pop() ?? path;
  const planFormat: PlanFormat | undefined = planFormatForPath(path) ?? (lower.endsWith('.yaml') || lower.endsWith('.yml') ? 'yaml' : undefined);

  if (planFormat === undefined) {
    const traced = recordingFromTraceText(text, name);
    if (traced !== undefined) {
      if (traced.problems.length > 0) return { problems: traced.problems };
      const source = sourceFromRecording(traced.recording);
      for (const call of source.calls) {
        const range = traced.ranges.get(call.id);
        if (range !== undefined) call.range = range;
      }
      let kind: LoadedKind = 'recording';
      if (traced.format === 'native') kind = 'run-trace';
      else if (traced.format === 'anthropic') kind = 'transcript';
      return { kind, source, problems: [] };
    }
    if (lower.endsWith('.jsonl')) {
      return { problems: [{ message: 'No line is an event of a trace format this tool reads (native, Anthropic Messages, Claude Code, OTLP/JSON).', range: { start: 0, end: 0 } }] };
    }
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
  // A request body such as `{"model": ..., "messages": [...]}`, which the trace reader leaves to us.
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
