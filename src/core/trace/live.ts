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
import { TraceLineReader, type TraceReaderOptions } from './reader';
import { LineSplitter } from './stream';

/** Ended calls kept for display while following, unless the caller sets another limit. */
export const DEFAULT_RETAINED_CALLS = 2000;

export interface LiveTraceOptions extends TraceReaderOptions, Omit<TraceAnalysisOptions, 'now' | 'live'> {}

export interface LiveSnapshot {
  analysis: TraceAnalysis;
  graph: GraphModel;
  /** The time ages were measured to. */
  now: number;
}

export class IncrementalTraceAnalyzer {
  private reader!: TraceLineReader;
  private splitter!: LineSplitter;

  constructor(private readonly options: LiveTraceOptions = {}) {
    this.reset();
  }

  get builder(): TraceBuilder {
    return this.reader.builder;
  }

  get format(): TraceFormat | undefined {
    return this.reader.format;
  }

  /** The text of an unfinished last line, which is read once its line break arrives. */
  get pendingText(): string {
    return this.splitter.pending;
  }

  get lineCount(): number {
    return this.splitter.lines;
  }

  /** Adds appended text or bytes. Only complete lines are read. */
  append(chunk: Uint8Array | string): void {
    this.splitter.push(chunk);
  }

  /** Forgets everything, for a file that was truncated or replaced. */
  reset(): void {
    this.reader = new TraceLineReader({ retainClosedCalls: DEFAULT_RETAINED_CALLS, ...this.options });
    this.splitter = new LineSplitter((line, start, end, lineNumber, isLast) => this.reader.pushLine(line, start, end, lineNumber, isLast));
  }

  analyze(now: number): TraceAnalysis {
    return analyzeTrace(this.reader.builder, { ...this.options, now, live: true });
  }

  snapshot(title: string, now: number): LiveSnapshot {
    const analysis = this.analyze(now);
    return { analysis, graph: traceGraphModel(this.reader.builder, analysis, title), now };
  }
}
