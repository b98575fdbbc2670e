export * from './model';
export { TraceBuilder, DEFAULT_AGENT, type TraceBuilderOptions } from './builder';
export { analyzeTrace, DEFAULT_TIMEOUT_MS, type TraceAnalysis, type TraceAnalysisOptions } from './analyze';
export { buildWaitForGraph, type WaitCycle, type WaitEdge, type WaitForGraph } from './waitFor';
export { traceGraphModel, traceNodeId } from './graphModel';
export { checkTrace, type CheckTraceOptions, type TraceCheckResult } from './check';
export { detectTraceFormat, formatOfValue, readTraceText, TraceLineReader, TRACE_FORMATS, type TraceReaderOptions } from './reader';
