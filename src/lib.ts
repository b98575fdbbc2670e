/**
 * The library entry of the package (`require('agent-deadlock-debugger')`): trace writing for
 * agents, and trace checking for tools that embed the analysis.
 */
export {
  TraceWriter,
  fileTraceSink,
  type CallOptions,
  type TraceCallStatus,
  type TraceSubject,
  type TraceWaitOutcome,
  type TraceWaitTarget,
  type TraceWriterOptions,
} from './writer/traceWriter';
export { checkTrace, detectTraceFormat, type CheckTraceOptions, type TraceCheckResult } from './core/trace/index';
export { IncrementalTraceAnalyzer, type LiveTraceOptions } from './core/trace/live';
export { OtlpReceiver, type OtlpReceiverOptions } from './core/trace/receiver';
