/**
 * OpenTelemetry OTLP/JSON: `TracesData` objects, one per line as the file exporters write them,
 * or one export request body. Spans become calls; the GenAI semantic conventions
 * (`gen_ai.operation.name` = `execute_tool` / `invoke_agent`) name tools, call ids and agents,
 * with the older OpenInference and OpenLLMetry attribute names accepted as well.
 *
 * Ids may be hex (the OTLP/JSON encoding) or base64 (the protobuf JSON mapping), enums numbers
 * or names, and 64-bit nanosecond times strings or numbers. A span is exported only when it
 * ends, so a parent span id that never arrives marks a call that is still running. The rules
 * infer that call from its children.
 */
import type { TraceBuilder } from '../builder';
import { DEFAULT_AGENT } from '../builder';
import { isRecord } from '../jsonLines';
import type { CallStatus } from '../model';
import type { JsonPath, Locate, TraceAdapter } from './types';

export function isOtlpTracesData(value: unknown): boolean {
  return isRecord(value) && Array.isArray(value.resourceSpans);
}

const TOOL_NAME_KEYS = ['gen_ai.tool.name', 'tool.name', 'traceloop.entity.name'];
const CALL_ID_KEYS = ['gen_ai.tool.call.id', 'tool_call.id', 'tool.call.id', 'gen_ai.tool.call_id'];
const AGENT_KEYS = ['gen_ai.agent.name', 'gen_ai.agent.id', 'agent.name'];
const INPUT_KEYS = ['gen_ai.tool.call.arguments', 'gen_ai.tool.input', 'input.value', 'traceloop.entity.input'];
const OUTPUT_KEYS = ['gen_ai.tool.call.result', 'gen_ai.tool.output', 'output.value', 'traceloop.entity.output'];
const TIMEOUT_KEYS = ['gen_ai.tool.timeout_ms', 'agent_deadlock.timeout_ms'];

export class OtlpAdapter implements TraceAdapter {
  readonly format = 'otlp' as const;

  value(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined {
    if (!isOtlpTracesData(value)) return 'an OTLP/JSON line needs a "resourceSpans" array.';
    const resourceSpans = (value as { resourceSpans: unknown[] }).resourceSpans;
    const problems: string[] = [];
    resourceSpans.forEach((resourceSpan, r) => {
      if (!isRecord(resourceSpan)) return;
      const resource = isRecord(resourceSpan.resource) ? attributes(resourceSpan.resource.attributes) : new Map<string, unknown>();
      const service = typeof resource.get('service.name') === 'string' ? (resource.get('service.name') as string) : undefined;
      const scopeKey = Array.isArray(resourceSpan.scopeSpans) ? 'scopeSpans' : 'instrumentationLibrarySpans';
      const scopes = resourceSpan[scopeKey];
      if (!Array.isArray(scopes)) return;
      scopes.forEach((scope, s) => {
        if (!isRecord(scope) || !Array.isArray(scope.spans)) return;
        scope.spans.forEach((span, k) => {
          const path: JsonPath = ['resourceSpans', r, scopeKey, s, 'spans', k];
          const problem = this.span(span, locate(path), service, builder);
          if (problem) problems.push(problem);
        });
      });
    });
    return problems.length > 0 ? problems.join(' ') : undefined;
  }

  private span(span: unknown, range: ReturnType<Locate>, service: string | undefined, builder: TraceBuilder): string | undefined {
    if (!isRecord(span)) return 'a span must be an object.';
    const spanId = normaliseId(span.spanId, 8);
    if (!spanId) return `span ${JSON.stringify(span.name ?? '')} has no valid "spanId" (16 hex digits or 12 base64 characters).`;
    const parentSpan = span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : normaliseId(span.parentSpanId, 8);
    const attrs = attributes(span.attributes);
    const name = typeof span.name === 'string' ? span.name : 'span';
    const operation = stringAttr(attrs, ['gen_ai.operation.name']) ?? operationFromKind(attrs) ?? name.split(' ')[0];

    const start = nanosToMillis(span.startTimeUnixNano);
    const end = nanosToMillis(span.endTimeUnixNano);
    if (start === undefined) return `span ${spanId} has no valid "startTimeUnixNano".`;

    const agentName = stringAttr(attrs, AGENT_KEYS);
    let tool: string;
    let callId = spanId;
    if (operation === 'execute_tool') {
      tool = stringAttr(attrs, TOOL_NAME_KEYS) ?? name.replace(/^execute_tool\s*/, '') ?? name;
      callId = stringAttr(attrs, CALL_ID_KEYS) ?? spanId;
    } else if (operation === 'invoke_agent') {
      tool = `invoke_agent ${agentName ?? name.replace(/^invoke_agent\s*/, '')}`.trim();
    } else {
      tool = name;
    }
    const agent = operation === 'invoke_agent' ? service ?? DEFAULT_AGENT : agentName ?? service ?? DEFAULT_AGENT;

    const rawInput = stringAttr(attrs, INPUT_KEYS);
    const timeout = numberAttr(attrs, TIMEOUT_KEYS);
    builder.add({
      type: 'call.start',
      at: start,
      range,
      call: callId,
      tool,
      agent,
      input: rawInput === undefined ? undefined : parseMaybeJson(rawInput),
      span: spanId,
      parentSpan,
      timeoutMs: timeout,
    });
    if (operation === 'invoke_agent' && agentName !== undefined) {
      builder.add({ type: 'agent.start', agent: agentName, parentCall: callId, at: start, range });
    }
    if (end === undefined || end === 0) return undefined;

    const { status, error } = spanStatus(span.status, attrs, exceptionMessage(span.events));
    const output = stringAttr(attrs, OUTPUT_KEYS);
    builder.add({ type: 'call.end', at: end, range, call: callId, status, error, output });
    if (operation === 'invoke_agent' && agentName !== undefined) {
      builder.add({ type: 'agent.end', agent: agentName, status, at: end, range });
    }
    return undefined;
  }
}

/** Reads OTLP attributes (`[{key, value: AnyValue}]`) into a map of plain values. */
export function attributes(list: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (!Array.isArray(list)) return map;
  for (const item of list) {
    if (isRecord(item) && typeof item.key === 'string') map.set(item.key, anyValue(item.value));
  }
  return map;
}

function anyValue(value: unknown): unknown {
  if (!isRecord(value)) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if (isRecord(value.arrayValue)) return Array.isArray(value.arrayValue.values) ? value.arrayValue.values.map(anyValue) : [];
  if (isRecord(value.kvlistValue)) return Object.fromEntries(attributes(value.kvlistValue.values));
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

function stringAttr(attrs: Map<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attrs.get(key);
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function numberAttr(attrs: Map<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = Number(attrs.get(key));
    if (attrs.has(key) && Number.isFinite(value) && value > 0) return value;
  }
  return undefined;
}

/** Maps the OpenInference and OpenLLMetry span kinds to GenAI operation names. */
function operationFromKind(attrs: Map<string, unknown>): string | undefined {
  const kind = stringAttr(attrs, ['openinference.span.kind', 'traceloop.span.kind'])?.toLowerCase();
  if (kind === 'tool') return 'execute_tool';
  if (kind === 'agent') return 'invoke_agent';
  return undefined;
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Converts a 64-bit nanosecond time, given as a string or a number, to epoch milliseconds. */
export function nanosToMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value / 1e6 : undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const nanos = BigInt(value);
  return Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6;
}

/**
 * Returns an OTLP id as lowercase hex. OTLP/JSON writes ids as hex, while the generic protobuf
 * JSON mapping writes bytes as base64. The length distinguishes them for 8- and 16-byte ids.
 */
export function normaliseId(value: unknown, bytes: 8 | 16): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  const base64Length = Math.ceil(bytes / 3) * 4;
  if (value.length === base64Length && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    try {
      const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
      if (binary.length !== bytes) return undefined;
      let hex = '';
      for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
      return hex;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Returns the message of the first `exception` span event, as OpenTelemetry SDKs record errors. */
function exceptionMessage(events: unknown): string | undefined {
  if (!Array.isArray(events)) return undefined;
  for (const event of events) {
    if (!isRecord(event) || event.name !== 'exception') continue;
    const attrs = attributes(event.attributes);
    const message = stringAttr(attrs, ['exception.message']);
    const type = stringAttr(attrs, ['exception.type']);
    if (message !== undefined || type !== undefined) return [type, message].filter(Boolean).join(': ');
  }
  return undefined;
}

function spanStatus(status: unknown, attrs: Map<string, unknown>, exception: string | undefined): { status: Exclude<CallStatus, 'running'>; error?: string } {
  const record = isRecord(status) ? status : {};
  const rawCode = record.code;
  let code = 0;
  if (typeof rawCode === 'number') code = rawCode;
  else if (typeof rawCode === 'string') code = STATUS_NAMES[rawCode] ?? Number(rawCode);
  const errorType = stringAttr(attrs, ['error.type']);
  const message = typeof record.message === 'string' && record.message !== '' ? record.message : exception;
  if (code !== 2 && errorType === undefined) return { status: 'ok' };
  const text = `${errorType ?? ''} ${message ?? ''}`.toLowerCase();
  const timedOut = /timeout|timed out|deadline/.test(text);
  const cancelled = !timedOut && /cancel/.test(text);
  let ended: Exclude<CallStatus, 'running'> = 'error';
  if (timedOut) ended = 'timeout';
  else if (cancelled) ended = 'cancelled';
  return { status: ended, error: message ?? errorType };
}
