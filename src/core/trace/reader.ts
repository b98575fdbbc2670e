/**
 * Reads trace text into a `TraceBuilder`: format detection from the content, line-by-line
 * reading for the JSONL formats, and whole-document reading for a JSON array of messages or a
 * pretty-printed OTLP request body.
 */
import { findNodeAtLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { RangePosition } from '../findings';
import { LineIndex } from '../text/lineIndex';
import { AnthropicAdapter, isMessageParam } from './adapters/anthropic';
import { ClaudeCodeAdapter, isClaudeCodeLine } from './adapters/claudeCode';
import { NativeAdapter, isNativeEvent } from './adapters/native';
import { OtlpAdapter, isOtlpTracesData } from './adapters/otlp';
import type { JsonPath, Locate, TraceAdapter } from './adapters/types';
import { TraceBuilder, type TraceBuilderOptions } from './builder';
import { traceFinding } from './findingsUtil';
import { describeJsonError, forEachLine, invalidEvent, invalidJsonLine, lineRange } from './jsonLines';
import type { SourceRange, TraceFormat } from './model';

export const TRACE_FORMATS: readonly TraceFormat[] = ['native', 'anthropic', 'claude-code', 'otlp'];

/** Lines read before giving up on detecting the format. */
export const DETECTION_LINES = 64;

/** Returns the format of one parsed JSON value, or undefined when it fits none. */
export function formatOfValue(value: unknown): TraceFormat | undefined {
  if (isNativeEvent(value)) return 'native';
  if (isOtlpTracesData(value)) return 'otlp';
  if (isClaudeCodeLine(value)) return 'claude-code';
  if (isMessageParam(value)) return 'anthropic';
  if (Array.isArray(value) && value.length > 0 && isMessageParam(value[0])) return 'anthropic';
  return undefined;
}

/** Detects the trace format from the content: the first lines, or the whole text when it is one JSON document. */
export function detectTraceFormat(text: string): TraceFormat | undefined {
  let format: TraceFormat | undefined;
  let checked = 0;
  let start = 0;
  while (start < text.length && checked < DETECTION_LINES && format === undefined) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    checked++;
    try {
      format = formatOfValue(JSON.parse(line));
    } catch {
      break;
    }
  }
  if (format !== undefined) return format;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return formatOfValue(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function createAdapter(format: TraceFormat): TraceAdapter {
  switch (format) {
    case 'native':
      return new NativeAdapter();
    case 'anthropic':
      return new AnthropicAdapter();
    case 'claude-code':
      return new ClaudeCodeAdapter();
    case 'otlp':
      return new OtlpAdapter();
  }
}

export interface TraceReaderOptions extends TraceBuilderOptions {
  /** Skip detection and read this format. */
  format?: TraceFormat;
  /** Builder to read into, such as a subclass that only counts events; default a new one. */
  builder?: TraceBuilder;
}

/**
 * Reads JSONL traces one line at a time. Lines that come before the format is known are kept
 * (up to a small number) and replayed once a line reveals it.
 */
export class TraceLineReader {
  readonly builder: TraceBuilder;
  private adapter: TraceAdapter | undefined;
  private pending: { value: unknown; range: SourceRange }[] = [];
  lineCount = 0;

  constructor(options: TraceReaderOptions = {}) {
    this.builder = options.builder ?? new TraceBuilder(options);
    if (options.format) this.setFormat(options.format);
  }

  get format(): TraceFormat | undefined {
    return this.adapter?.format;
  }

  private setFormat(format: TraceFormat): void {
    this.adapter = createAdapter(format);
    this.builder.format = format;
  }

  /**
   * Reads one line. `start` and `end` are offsets of its content in the whole text, without the
   * line break. `position`, when given, is recorded on every range taken from the line.
   */
  pushLine(line: string, start: number, end: number, lineNumber: number, isLast = false, position?: RangePosition): void {
    this.lineCount = lineNumber + 1;
    if (isIgnoredLine(line)) return;
    const range = lineRange(start, end, lineNumber, position);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.builder.findings.push(invalidJsonLine(line, range, isLast));
      return;
    }
    if (!this.adapter) {
      const format = formatOfValue(value);
      if (format === undefined) {
        if (this.pending.length < DETECTION_LINES) this.pending.push({ value, range });
        else this.builder.findings.push(invalidEvent('the line is not an event of any supported trace format (native, Anthropic Messages, Claude Code, OTLP/JSON).', range));
        return;
      }
      this.setFormat(format);
      const pending = this.pending;
      this.pending = [];
      for (const item of pending) this.dispatch(item.value, item.range);
    }
    this.dispatch(value, range);
  }

  private currentRange: SourceRange | undefined;
  /** Line formats place every event of a line on the whole line; one function serves all lines. */
  private readonly locateLine: Locate = () => this.currentRange as SourceRange;

  private dispatch(value: unknown, range: SourceRange): void {
    this.currentRange = range;
    const problem = (this.adapter as TraceAdapter).value(value, this.locateLine, this.builder);
    if (problem !== undefined) this.builder.findings.push(invalidEvent(problem, range));
  }

  /** Reports the lines kept for detection when the format never became known. */
  finish(): void {
    if (this.adapter || this.pending.length === 0) return;
    const first = this.pending[0].range;
    this.builder.findings.push(
      invalidEvent('no line is an event of a supported trace format (native, Anthropic Messages, Claude Code, OTLP/JSON); the file is not a trace this tool can read.', first),
    );
    this.pending = [];
  }
}

/** True for a line that `TraceLineReader` skips: empty, or blank and starting with ASCII whitespace. */
export function isIgnoredLine(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '');
}

/** Reads a whole trace text: line by line for JSONL, or as one JSON document. */
export function readTraceText(text: string, options: TraceReaderOptions = {}): TraceBuilder {
  const format = options.format ?? detectTraceFormat(text);
  if (format !== undefined && isSingleDocument(text)) return readDocument(text, format, options);

  const reader = new TraceLineReader({ ...options, format });
  const lastLine = lastNonEmptyLine(text);
  forEachLine(text, (line, start, end, lineNumber) => reader.pushLine(line, start, end, lineNumber, lineNumber === lastLine));
  reader.finish();
  return reader.builder;
}

/** True when the text is one JSON document spread over several lines rather than JSON lines. */
export function isSingleDocument(text: string): boolean {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return true;
  if (!trimmed.startsWith('{')) return false;
  const firstLineEnd = trimmed.indexOf('\n');
  if (firstLineEnd < 0) return false;
  try {
    JSON.parse(trimmed.slice(0, firstLineEnd));
    return false;
  } catch {
    return true;
  }
}

function lastNonEmptyLine(text: string): number {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  let line = 0;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function readDocument(text: string, format: TraceFormat, options: TraceReaderOptions): TraceBuilder {
  const builder = new TraceBuilder(options);
  builder.format = format;
  const index = new LineIndex(text);
  const whole = toRange(index, 0, text.length);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { offset, reason } = describeJsonError(text);
    const at = index.positionAt(offset);
    builder.findings.push(
      traceFinding('invalid-trace', `Line ${at.line + 1}, column ${at.character + 1}: the trace is not valid JSON (${reason}). Fix the JSON at that place.`, toRange(index, offset, Math.min(text.length, offset + 1)), {
        data: { line: at.line + 1, column: at.character + 1 },
      }),
    );
    return builder;
  }
  const tree = parseTree(text);
  const locate: Locate = (path: JsonPath) => {
    const node: JsonNode | undefined = tree ? findNodeAtLocation(tree, path) : undefined;
    return node ? toRange(index, node.offset, node.offset + node.length) : whole;
  };
  const problem = createAdapter(format).value(value, locate, builder);
  if (problem !== undefined) builder.findings.push(invalidEvent(problem, whole));
  return builder;
}

function toRange(index: LineIndex, start: number, end: number): SourceRange {
  return { start, end, line: index.positionAt(start).line, endLine: index.positionAt(end).line };
}
