/** One-call check of a trace text, used by the CLI and the editor diagnostics. */
import type { GraphModel } from '../../shared/graphModel';
import type { Finding } from '../findings';
import { analyzeTrace, type TraceAnalysis, type TraceAnalysisOptions } from './analyze';
import type { TraceBuilder } from './builder';
import { traceGraphModel } from './graphModel';
import type { TraceFormat } from './model';
import { readTraceText, type TraceReaderOptions } from './reader';

export interface CheckTraceOptions extends TraceAnalysisOptions, TraceReaderOptions {}

export interface TraceCheckResult {
  /** The detected (or given) format; undefined when the text is no trace this tool reads. */
  format: TraceFormat | undefined;
  findings: Finding[];
  graph: GraphModel;
  analysis: TraceAnalysis;
  builder: TraceBuilder;
}

export function checkTrace(text: string, path: string, options: CheckTraceOptions = {}): TraceCheckResult {
  const builder = readTraceText(text, options);
  const analysis = analyzeTrace(builder, options);
  const graph = traceGraphModel(builder, analysis, path);
  return { format: builder.format, findings: analysis.findings, graph, analysis, builder };
}
