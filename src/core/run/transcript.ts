/**
 * Reads the tool calls of an Anthropic Messages transcript into recorded calls, so that the
 * engine can replay them. Calls of one assistant turn run in parallel. Each call of a later
 * turn depends on every call of the turn before, because the model saw those results first.
 */
import type { RecordedCall, RecordedCalls } from './source';

/** One message as the Messages API takes it, optionally with a `timestamp` as transcripts on disk carry it. */
export interface TranscriptMessage {
  role: 'user' | 'assistant';
  content: string | TranscriptBlock[];
  timestamp?: string;
}

export type TranscriptBlock =
  | { type: 'tool_use'; id: string; name: string; input?: unknown }
  | { type: 'tool_result'; tool_use_id: string; is_error?: boolean; content?: unknown }
  | { type: string; [key: string]: unknown };

/**
 * Extracts messages from the shapes transcripts come in: a list of messages, an object with a
 * `messages` list, or JSON Lines whose entries hold a `message` (with an optional `timestamp`).
 * Returns undefined when the value is none of these.
 */
export function transcriptMessages(value: unknown): TranscriptMessage[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null && Array.isArray((value as { messages?: unknown }).messages) ? (value as { messages: unknown[] }).messages : undefined;
  if (list === undefined) return undefined;
  const messages: TranscriptMessage[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const record = entry as Record<string, unknown>;
    const inner = typeof record.message === 'object' && record.message !== null ? (record.message as Record<string, unknown>) : record;
    const role = inner.role;
    if (role !== 'user' && role !== 'assistant') continue;
    const message: TranscriptMessage = { role, content: inner.content as TranscriptMessage['content'] };
    const timestamp = record.timestamp ?? inner.timestamp;
    if (typeof timestamp === 'string') message.timestamp = timestamp;
    messages.push(message);
  }
  return messages.length > 0 ? messages : undefined;
}

/**
 * Turns the transcript's tool calls into recorded calls. With timestamps, a call lasts from its
 * assistant message to the message carrying its result; without them every call lasts
 * `defaultDurationMs`. A call with no result replays as never ending.
 */
export function recordingFromTranscript(messages: TranscriptMessage[], defaultDurationMs = 0, name?: string): RecordedCalls {
  const calls: RecordedCall[] = [];
  const byId = new Map<string, { call: RecordedCall; startedAt?: number }>();
  let previousTurn: string[] = [];
  let clock = 0;
  for (const message of messages) {
    const at = message.timestamp !== undefined ? Date.parse(message.timestamp) : Number.NaN;
    if (typeof message.content === 'string') continue;
    if (message.role === 'assistant') {
      const turn: string[] = [];
      for (const block of message.content) {
        if (block.type !== 'tool_use') continue;
        const use = block as { id: string; name: string };
        const call: RecordedCall = { id: use.id, tool: use.name, startMs: Number.isNaN(at) ? clock : at, status: 'pending', dependsOn: previousTurn };
        calls.push(call);
        byId.set(use.id, { call, ...(Number.isNaN(at) ? {} : { startedAt: at }) });
        turn.push(use.id);
      }
      if (turn.length > 0) {
        previousTurn = turn;
        clock += defaultDurationMs;
      }
      continue;
    }
    for (const block of message.content) {
      if (block.type !== 'tool_result') continue;
      const result = block as { tool_use_id: string; is_error?: boolean };
      const entry = byId.get(result.tool_use_id);
      if (entry === undefined) continue;
      entry.call.status = result.is_error ? 'error' : 'ok';
      entry.call.endMs = entry.startedAt !== undefined && !Number.isNaN(at) ? at : entry.call.startMs + defaultDurationMs;
    }
  }
  const recording: RecordedCalls = { calls };
  if (name !== undefined) recording.name = name;
  return recording;
}
