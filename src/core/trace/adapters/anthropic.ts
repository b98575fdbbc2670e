/**
 * Anthropic Messages transcripts: a JSON array of message params, or one message param per
 * line. `tool_use` blocks pair with `tool_result` blocks by id. The calls of one assistant
 * message are parallel siblings, and every message starts a new turn of the conversation.
 * Transcripts carry no times, so only the time-free rules apply to them.
 */
import type { MessageParam, ServerToolUseBlockParam, ToolResultBlockParam, ToolUseBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { TraceBuilder } from '../builder';
import { DEFAULT_AGENT } from '../builder';
import { isRecord } from '../jsonLines';
import { WHOLE_VALUE, type Locate, type TraceAdapter } from './types';

/** True when a parsed value looks like one message param. */
export function isMessageParam(value: unknown): value is MessageParam {
  return (
    isRecord(value) &&
    (value.role === 'user' || value.role === 'assistant') &&
    (typeof value.content === 'string' || Array.isArray(value.content)) &&
    !('sessionId' in value) &&
    !('uuid' in value)
  );
}

/**
 * True for a tool call block: `tool_use`, or a server-side call such as `server_tool_use` or
 * `mcp_tool_use`, whose result comes in the same assistant message.
 */
export function isToolUse(block: unknown): block is ToolUseBlockParam | ServerToolUseBlockParam {
  return isRecord(block) && typeof block.type === 'string' && /(^|_)tool_use$/.test(block.type) && typeof block.id === 'string' && typeof block.name === 'string';
}

/** True for a result block: `tool_result`, or a server tool's result such as `web_search_tool_result`. */
export function isToolResult(block: unknown): block is ToolResultBlockParam {
  return isRecord(block) && typeof block.type === 'string' && /(^|_)tool_result$/.test(block.type) && typeof block.tool_use_id === 'string';
}

/**
 * Reads how a result block ended: `is_error`, or a server tool's error object (a content `type`
 * ending in `_error`, with an `error_code`). Claude Code marks a call the user interrupted with
 * an error result whose text says so, which counts as cancelled.
 */
export function resultOutcome(block: ToolResultBlockParam): { status: 'ok' | 'error' | 'cancelled'; error?: string } {
  const content: unknown = block.content;
  if (isRecord(content) && typeof content.type === 'string' && content.type.endsWith('_error')) {
    return { status: 'error', error: typeof content.error_code === 'string' ? content.error_code : content.type };
  }
  if (block.is_error !== true) return { status: 'ok' };
  const text = resultText(block.content) ?? 'the tool result is marked is_error';
  return { status: /interrupted by user/i.test(text) ? 'cancelled' : 'error', error: text };
}

/** Returns the text of a tool result, for error messages. */
export function resultText(content: ToolResultBlockParam['content']): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((block) => block.type === 'text').map((block) => (block as { text: string }).text);
  return texts.length > 0 ? texts.join('\n') : undefined;
}

export class AnthropicAdapter implements TraceAdapter {
  readonly format = 'anthropic' as const;
  private turn = 0;

  constructor(private readonly agent: string = DEFAULT_AGENT) {}

  value(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined {
    if (Array.isArray(value)) {
      const problems: string[] = [];
      value.forEach((message, index) => {
        const problem = this.message(message, (path) => locate([index, ...path]), builder);
        if (problem) problems.push(`message ${index + 1}: ${problem}`);
      });
      return problems.length > 0 ? problems.join(' ') : undefined;
    }
    return this.message(value, locate, builder);
  }

  private message(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined {
    if (!isMessageParam(value)) return 'a message needs "role" user or assistant and "content".';
    const message: MessageParam = value;
    this.turn++;
    const turn = this.turn;
    builder.add({ type: 'turn', agent: this.agent, turn, range: locate(WHOLE_VALUE) });
    if (typeof message.content === 'string') return undefined;

    message.content.forEach((block, index) => {
      const range = locate(['content', index]);
      if (message.role === 'assistant' && isToolUse(block)) {
        builder.add({
          type: 'call.start',
          range,
          call: block.id,
          tool: block.name,
          agent: this.agent,
          input: block.input,
          group: `turn ${turn}`,
          turn,
        });
      } else if (isToolResult(block)) {
        const outcome = resultOutcome(block);
        builder.add({ type: 'result', range, call: block.tool_use_id, status: outcome.status, error: outcome.error, output: block.content ?? null });
      }
    });
    return undefined;
  }
}
