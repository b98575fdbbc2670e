// The code the trace benchmark times, bundled by esbuild like the shipped extension and library.
export { analyzeTrace } from '../src/core/trace/analyze';
export { TraceBuilder } from '../src/core/trace/builder';
export { TraceFollower } from '../src/core/trace/follow';
export { LineSplitter, readTraceStream } from '../src/core/trace/stream';
export { nodeFollowFileSystem } from '../src/node/traceFiles';
