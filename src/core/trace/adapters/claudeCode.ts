/**
 * Claude Code session logs: one JSON object per line with `type` user, assistant, progress,
 * system and others. One assistant message may be split over several lines that share
 * `message.id`, so those calls are parallel siblings. Results come on user lines, one or more
 * per line. Progress lines are heartbeats of the call they name (`parentToolUseID`) or of the
 * calls of the line their `parentUuid` points at. Progress lines of type `agent_progress`
 * carry a subagent's own messages, which links the `Task`/`Agent` call to that subagent.
 */
import type { TraceBuilder } from '../builder';
import { DEFAULT_AGENT } from '../builder';
import { isRecord, optionalString, parseTime } from '../jsonLines';
import type { SourceRange } from '../model';
import { isToolResult, isToolUse, resultOutcome } from './anthropic';
import { WHOLE_VALUE, type Locate, type TraceAdapter } from './types';

const LINE_TYPES: ReadonlySet<string> = new Set([
  'user',
  'assistant',
  'progress',
  'system',
  'summary',
  'file-history-snapshot',
  'queue-operation',
  'turn_end',
  'result',
]);

/** True when a parsed line looks like a Claude Code session log line. */
export function isClaudeCodeLine(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.type === 'string' &&
    LINE_TYPES.has(value.type) &&
    ('sessionId' in value || 'uuid' in value || 'parentUuid' in value || 'session_id' in value)
  );
}

interface AgentState {
  turn: number;
  lastMessageId?: string;
}

export class ClaudeCodeAdapter implements TraceAdapter {
  readonly format = 'claude-code' as const;
  private readonly agentStates = new Map<string, AgentState>();
  /** Subagent id for each Task/Agent call that has one. */
  private readonly subagents = new Map<string, string>();

  value(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined {
    if (!isRecord(value) || typeof value.type !== 'string') return 'a Claude Code log line must be an object with a "type".';
    const range = locate(WHOLE_VALUE);
    const at = parseTime(value.timestamp);
    const time = at === undefined || Number.isNaN(at) ? undefined : at;
    const agent = value.isSidechain === true && typeof value.agentId === 'string' ? value.agentId : DEFAULT_AGENT;

    if (value.type === 'progress') {
      this.progress(value, range, time, builder);
      return undefined;
    }
    if (value.type !== 'user' && value.type !== 'assistant') return undefined;
    if (!isRecord(value.message)) return `a ${value.type} line needs a "message" object.`;
    this.message(value.message, optionalString(value.uuid), agent, range, time, builder);
    return undefined;
  }

  private state(agent: string): AgentState {
    let state = this.agentStates.get(agent);
    if (!state) {
      state = { turn: 0 };
      this.agentStates.set(agent, state);
    }
    return state;
  }

  private message(
    message: Record<string, unknown>,
    uuid: string | undefined,
    agent: string,
    range: SourceRange,
    at: number | undefined,
    builder: TraceBuilder,
  ): void {
    const state = this.state(agent);
    const role = message.role;
    const content = message.content;
    const blocks: unknown[] = Array.isArray(content) ? content : [];

    if (role === 'assistant') {
      const messageId = optionalString(message.id) ?? uuid;
      if (messageId === undefined || messageId !== state.lastMessageId) {
        state.turn++;
        state.lastMessageId = messageId;
        builder.add({ type: 'turn', agent, turn: state.turn, at, range });
      }
      const started: string[] = [];
      for (const block of blocks) {
        if (!isToolUse(block)) continue;
        const use = block;
        builder.add({
          type: 'call.start',
          at,
          range,
          call: use.id,
          tool: use.name,
          agent,
          parent: agent === DEFAULT_AGENT ? undefined : builder.agents.get(agent)?.parentCall,
          input: use.input,
          group: `${agent} ${messageId ?? state.turn}`,
          turn: state.turn,
        });
        started.push(use.id);
      }
      if (uuid !== undefined && started.length > 0) builder.noteLineCalls(uuid, started);
      this.results(blocks, range, at, builder);
      return;
    }

    if (role !== 'user') return;
    // A prompt (text, not only tool results) means the conversation went on to a new turn.
    const isPrompt = typeof content === 'string' || blocks.some((block) => isRecord(block) && !isToolResult(block));
    if (isPrompt) {
      state.turn++;
      state.lastMessageId = undefined;
      builder.add({ type: 'turn', agent, turn: state.turn, at, range });
    }
    this.results(blocks, range, at, builder);
  }

  /** Adds the result blocks of a message; server tools put theirs in the assistant message. */
  private results(blocks: unknown[], range: SourceRange, at: number | undefined, builder: TraceBuilder): void {
    for (const block of blocks) {
      if (!isToolResult(block)) continue;
      const outcome = resultOutcome(block);
      const subagent = this.subagents.get(block.tool_use_id);
      if (subagent !== undefined) builder.add({ type: 'agent.end', agent: subagent, status: outcome.status, at, range });
      builder.add({ type: 'result', at, range, call: block.tool_use_id, status: outcome.status, error: outcome.error, output: block.content ?? null });
    }
  }

  private progress(value: Record<string, unknown>, range: SourceRange, at: number | undefined, builder: TraceBuilder): void {
    const call = optionalString(value.parentToolUseID) ?? optionalString(value.toolUseID);
    const data = isRecord(value.data) ? value.data : {};
    builder.add({ type: 'heartbeat', at, range, call, parentLine: optionalString(value.parentUuid) });

    const subagent = optionalString(data.agentId);
    if (data.type !== 'agent_progress' || subagent === undefined || call === undefined) return;
    if (!this.subagents.has(call)) {
      this.subagents.set(call, subagent);
      builder.add({ type: 'agent.start', agent: subagent, parentCall: call, at, range });
      builder.add({ type: 'wait.start', waiter: { kind: 'call', id: call }, target: { kind: 'agent', id: subagent }, at, range });
    }
    builder.add({ type: 'heartbeat', agent: subagent, at, range });
    // The subagent's own message, as it would appear in its sidechain log.
    const inner = isRecord(data.message) ? data.message : undefined;
    const innerMessage = inner && isRecord(inner.message) ? inner.message : inner;
    if (innerMessage && (innerMessage.role === 'user' || innerMessage.role === 'assistant')) {
      const innerAt = parseTime(inner?.timestamp);
      this.message(innerMessage, optionalString(inner?.uuid), subagent, range, innerAt === undefined || Number.isNaN(innerAt) ? at : innerAt, builder);
    }
  }
}
