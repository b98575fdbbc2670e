/**
 * Anthropic Messages transcripts: a JSON array of message params, or one message param per
 * line. `tool_use` blocks pair with `tool_result` blocks by id. The calls of one assistant
 * message are parallel siblings, and every message starts a new turn of the conversation.
 * Transcripts carry no times, so only the time-free rules apply to them.
 */
import type { MessageParam, ToolResultBlockParam, ToolUseBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { TraceBuilder } from '../builder';
import { DEFAULT_AGENT } from '../builder';
import { stableStringify } from '../findingsUtil';
import { isRecord } from '../jsonLines';
import type { Locate, TraceAdapter } from './types';

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

function isToolUse(block: unknown): block is ToolUseBlockParam {
  return isRecord(block) && block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string';
}

function isToolResult(block: unknown): block is ToolResultBlockParam {
  return isRecord(block) && block.type === 'tool_result' && typeof block.tool_use_id === 'string';
}

/** The text of a tool result, for error messages. */
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
    builder.add({ type: 'turn', agent: this.agent, turn, range: locate([]) });
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
        const failed = block.is_error === true;
        builder.add({
          type: 'result',
          range,
          call: block.tool_use_id,
          status: failed ? 'error' : 'ok',
          error: failed ? resultText(block.content) ?? 'the tool result is marked is_error' : undefined,
          outputKey: stableStringify(block.content ?? null),
        });
      }
    });
    return undefined;
  }
}
