/**
 * An example agent on `@anthropic-ai/sdk` whose tools run under the watchdog runtime. The
 * `slow_lookup` tool hangs on purpose: its timeout becomes an error tool result, the model
 * reads it, and the conversation still ends with an answer.
 *
 * Run it against the API with `ANTHROPIC_API_KEY` set, or against a stand-in server with
 * `ANTHROPIC_BASE_URL`:  npx tsx examples/sdk-agent/agent.ts
 */
import Anthropic from '@anthropic-ai/sdk';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import type { BetaMessage } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { ToolWatchdog } from '../../src/runtime/index';

export interface AgentOptions {
  baseURL?: string;
  apiKey?: string;
  /** Native trace file the extension can open or follow. */
  tracePath?: string;
  /** Timeout of `slow_lookup`, in ms. */
  lookupTimeoutMs?: number;
  model?: string;
}

export interface AgentOutcome {
  final: BetaMessage;
  watchdog: ToolWatchdog;
}

export async function runAgent(question: string, options: AgentOptions = {}): Promise<AgentOutcome> {
  const client = new Anthropic({
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    maxRetries: 0,
  });
  const watchdog = new ToolWatchdog({
    toolTimeouts: { slow_lookup: options.lookupTimeoutMs ?? 2_000, get_weather: 5_000 },
    watchdogIntervalMs: 100,
    watchdogGraceMs: 500,
    name: 'sdk-agent example',
    ...(options.tracePath !== undefined ? { tracePath: options.tracePath } : {}),
  });

  const getWeather = betaTool({
    name: 'get_weather',
    description: 'Returns the current weather for a city.',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    run: async ({ city }) => `It is 18 °C and sunny in ${city}.`,
  });
  const slowLookup = betaTool({
    name: 'slow_lookup',
    description: 'Looks up historical records. It is slow and sometimes never returns.',
    inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    // Never settles and ignores its abort signal: only the timeout ends the call.
    run: () => new Promise<string>(() => undefined),
  });

  try {
    const final = await client.beta.messages.toolRunner({
      model: options.model ?? 'claude-sonnet-4-5',
      max_tokens: 1024,
      thread: false,
      max_iterations: 5,
      messages: [{ role: 'user', content: question }],
      tools: [watchdog.wrapRunnableTool(getWeather), watchdog.wrapRunnableTool(slowLookup)],
    });
    return { final, watchdog };
  } finally {
    watchdog.close();
  }
}

if (require.main === module) {
  runAgent('What is the weather in Lisbon, and how does it compare with the records?', {
    ...(process.env.AGENT_TRACE !== undefined ? { tracePath: process.env.AGENT_TRACE } : {}),
  }).then(
    ({ final, watchdog }) => {
      for (const block of final.content) if (block.type === 'text') process.stdout.write(`${block.text}\n`);
      process.stdout.write(`Tool calls: ${JSON.stringify(watchdog.counts)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`The agent failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
