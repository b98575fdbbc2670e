/**
 * Incremental analysis of a trace that is still being written: append text or bytes as they
 * arrive, and analyse at any moment. Closed calls are retained only up to a limit, so memory
 * follows the number of open calls rather than the length of the trace.
 */
import type { GraphModel } from '../../shared/graphModel';
import { analyzeTrace, type TraceAnalysis, type TraceAnalysisOptions } from './analyze';
import type { TraceBuilder } from './builder';
import { traceGraphModel } from './graphModel';
import type { TraceFormat } from './model';
import { readTraceText, TraceLineReader, type TraceReaderOptions } from './reader';
import { LineSplitter } from './stream';
import { isJson } from './jsonLines';

/** Ended calls kept for display while following, unless the caller sets another limit. */
export const DEFAULT_RETAINED_CALLS = 2000;

export interface LiveTraceOptions extends TraceReaderOptions, Omit<TraceAnalysisOptions, 'now' | 'live'> {}

export interface LiveSnapshot {
  analysis: TraceAnalysis;
  graph: GraphModel;
  /** The time ages were measured to: the present, or the trace's end once it ended. */
  now: number;
  /** True once the recorder ended the trace: calls still open then are stranded, not running. */
  ended: boolean;
}

/** Text read before deciding between JSON lines and one JSON document, when no line break comes. */
const MAX_UNDECIDED_CHARS = 1 << 20;

/**
 * Reads a growing trace. JSON Lines traces are read line by line as they grow. A trace that is
 * one JSON document (an array of messages, a pretty-printed OTLP body) cannot be read in parts,
 * so its text is kept and read whole again after each change.
 */
export class IncrementalTraceAnalyzer {
  private reader!: TraceLineReader;
  private splitter!: LineSplitter;
  private decoder!: TextDecoder;
  private mode: 'undecided' | 'lines' | 'document' = 'undecided';
  private head = '';
  private documentText = '';
  private documentBuilder: TraceBuilder | undefined;

  constructor(private readonly options: LiveTraceOptions = {}) {
    this.reset();
  }

  get builder(): TraceBuilder {
    if (this.mode !== 'document') return this.reader.builder;
    if (!this.documentBuilder) this.documentBuilder = readTraceText(this.documentText, this.readerOptions());
    return this.documentBuilder;
  }

  get format(): TraceFormat | undefined {
    return this.builder.format;
  }

  /** The text not read yet: an unfinished last line, or text read before the layout is known. */
  get pendingText(): string {
    return this.mode === 'undecided' ? this.head : this.splitter.pending;
  }

  get lineCount(): number {
    return this.splitter.lines;
  }

  /** Adds appended text or bytes. JSON lines are read once their line break arrives. */
  append(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    if (this.mode === 'lines') {
      this.splitter.push(text);
      return;
    }
    if (this.mode === 'document') {
      this.documentText += text;
      this.documentBuilder = undefined;
      return;
    }
    this.head += text;
    this.decide();
  }

  /** Chooses JSON lines or one document from the first line, once it is complete. */
  private decide(): void {
    const trimmed = this.head.trimStart();
    if (trimmed.length === 0) return;
    let mode: 'lines' | 'document' | undefined;
    if (trimmed[0] === '[') {
      mode = 'document';
    } else if (trimmed[0] !== '{') {
      mode = 'lines';
    } else {
      const end = trimmed.indexOf('\n');
      if (end >= 0) mode = isJson(trimmed.slice(0, end)) ? 'lines' : 'document';
      else if (this.head.length > MAX_UNDECIDED_CHARS) mode = 'lines';
    }
    if (mode === undefined) return;

    this.mode = mode;
    const head = this.head;
    this.head = '';
    if (mode === 'lines') {
      this.splitter.push(head);
    } else {
      this.documentText = head;
      this.documentBuilder = undefined;
    }
  }

  /** Forgets everything, for a file that was truncated or replaced. */
  reset(): void {
    this.reader = new TraceLineReader(this.readerOptions());
    this.splitter = new LineSplitter((line, start, end, lineNumber, isLast) => this.reader.pushLine(line, start, end, lineNumber, isLast));
    this.decoder = new TextDecoder('utf-8');
    this.mode = 'undecided';
    this.head = '';
    this.documentText = '';
    this.documentBuilder = undefined;
  }

  private readerOptions(): LiveTraceOptions {
    return { retainClosedCalls: DEFAULT_RETAINED_CALLS, ...this.options };
  }

  /**
   * Reads an unfinished last line that is already complete JSON, so that a file whose writer
   * left out the final line break is read in full. A partly written event is never valid JSON.
   */
  private readCompleteTail(): void {
    if (this.mode === 'undecided' && isCompleteJsonValue(this.head)) {
      this.mode = this.head.trimStart().startsWith('[') ? 'document' : 'lines';
      const head = this.head;
      this.head = '';
      if (this.mode === 'document') {
        this.documentText = head;
        this.documentBuilder = undefined;
        return;
      }
      this.splitter.push(head);
    }
    if (this.mode === 'lines') this.splitter.flushPending(isCompleteJsonValue);
  }

  analyze(now: number): TraceAnalysis {
    this.readCompleteTail();
    return analyzeTrace(this.builder, this.timing(now));
  }

  snapshot(title: string, now: number): LiveSnapshot {
    this.readCompleteTail();
    const builder = this.builder;
    const timing = this.timing(now);
    const analysis = analyzeTrace(builder, timing);
    return { analysis, graph: traceGraphModel(builder, analysis, title), now: timing.now ?? now, ended: builder.endedAt !== undefined };
  }

  /** Ages run to `now` while the trace is live, and stop at its end once the recorder ended it. */
  private timing(now: number): TraceAnalysisOptions {
    const endedAt = this.builder.endedAt;
    if (endedAt === undefined) return { ...this.options, now, live: true };
    return { ...this.options, now: Math.min(now, endedAt), live: false };
  }
}

/** True for a complete JSON object or array; a number or string could still be growing. */
function isCompleteJsonValue(text: string): boolean {
  const trimmed = text.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return false;
  return isJson(trimmed);
}
