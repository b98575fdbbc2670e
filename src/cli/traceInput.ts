/** Lets `agent-deadlock check` read agent traces in every supported format. */
import { checkTrace } from '../core/trace/check';
import type { TraceFormat } from '../core/trace/model';
import { detectTraceFormat } from '../core/trace/reader';
import { LineIndex } from '../core/text/lineIndex';
import { INPUT_READERS, type InputReader } from './inputs';

export const TRACE_FORMAT_NAMES: Record<TraceFormat, string> = {
  native: 'agent trace, native JSONL',
  anthropic: 'Anthropic Messages transcript',
  'claude-code': 'Claude Code session log',
  otlp: 'OpenTelemetry trace, OTLP/JSON',
};

export const traceInputReader: InputReader = {
  name: 'trace',
  detect: (_path, text) => detectTraceFormat(text) !== undefined,
  check(path, text, options) {
    const result = checkTrace(text, path, { toolTimeouts: options.toolTimeouts, defaultTimeoutMs: options.defaultTimeoutMs });
    return {
      path,
      kind: 'trace',
      format: result.format ? TRACE_FORMAT_NAMES[result.format] : 'trace',
      findings: result.findings,
      lines: new LineIndex(text),
    };
  },
};

if (!INPUT_READERS.includes(traceInputReader)) INPUT_READERS.unshift(traceInputReader);
