/**
 * `agent-deadlock run FILE`: runs a plan, recorded calls, a transcript or a native run trace
 * through the engine under timeouts and the watchdog, prints the summary and writes the trace.
 * Exit codes: 0 when every call completed, 1 otherwise, 2 for bad input or bad options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRejectedError } from '../core/run/engine';
import { loadRunSource } from '../core/run/load';
import { formatRunText, runResultJson } from '../core/run/report';
import { escapeControlCharacters } from '../core/report/escape';
import type { RunResult } from '../core/run/types';
import { LineIndex } from '../core/text/lineIndex';
import { RunSession, type SessionOptions } from '../node/run/session';
import { describeError } from './errors';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const RUN_USAGE = `Usage: agent-deadlock run FILE [options]

Runs a plan (.json, .yaml), recorded calls ({"calls": [...]}), an Anthropic transcript or a
native run trace (.jsonl) under per-tool timeouts and a watchdog, and prints the summary.

Options:
  --clock virtual|real       virtual replays instantly (default); real runs in real time
  --speed N                  speed factor of the real clock (default 1)
  --timeout TOOL=MS          timeout for one tool, in ms; repeatable
  --default-timeout MS       timeout for calls with no other timeout (default 30000)
  --idle-timeout MS          time out a call that reports no progress for MS
  --deadline MS              end the whole run after MS
  --concurrency N            calls in flight at once (default: no limit)
  --watchdog-interval MS     interval between watchdog checks (default 500)
  --watchdog-grace MS        time past its timeout before the watchdog kills a call (default 1000)
  --kill-grace MS            real ms between SIGTERM and SIGKILL of a command (default 2000)
  --lock-order[=A,B,...]     take locks in one global order: the listed locks first, then
                             the others sorted by name
  --run-acyclic              run the calls outside cycles in place of rejecting the plan
  --allow-commands           run each step's "command" in the current folder (needs --clock real)
  --format text|json         output format (default text)
  --out TRACE.jsonl          write the run's events as a native trace
  -h, --help                 show this help
`;

class UsageError extends Error {}

function positiveNumber(option: string, value: string | undefined, allowZero = false): number {
  const parsed = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || (!allowZero && parsed === 0)) {
    throw new UsageError(`Invalid value for ${option}: "${value ?? ''}". Expected a ${allowZero ? 'non-negative' : 'positive'} number.`);
  }
  return parsed;
}

interface ParsedArgs {
  file: string;
  format: 'text' | 'json';
  out?: string;
  session: SessionOptions;
}

export function parseRunArgs(args: string[]): ParsedArgs | 'help' {
  const toolTimeouts = new Map<string, number>();
  const session: SessionOptions = { clock: 'virtual', toolTimeouts };
  const watchdog: NonNullable<SessionOptions['watchdog']> = {};
  let file: string | undefined;
  let format: 'text' | 'json' = 'text';
  let out: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const argument = args[k];
    // `--flag=value` is read like `--flag value`, splitting at the first `=` only.
    const equals = argument.startsWith('--') ? argument.indexOf('=') : -1;
    const flag = equals > 0 ? argument.slice(0, equals) : argument;
    const inline = equals > 0 ? argument.slice(equals + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++k];
      if (next === undefined) throw new UsageError(`Missing value for ${flag}.`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--clock': {
        const clock = value();
        if (clock !== 'virtual' && clock !== 'real') throw new UsageError(`Invalid value for --clock: "${clock}". Expected virtual or real.`);
        session.clock = clock;
        break;
      }
      case '--speed':
        session.speed = positiveNumber('--speed', value());
        break;
      case '--timeout': {
        const pair = value();
        const at = pair.lastIndexOf('=');
        if (at <= 0) throw new UsageError(`Invalid value for --timeout: "${pair}". Expected TOOL=MS, such as web_fetch=5000.`);
        toolTimeouts.set(pair.slice(0, at), positiveNumber(`--timeout ${pair.slice(0, at)}`, pair.slice(at + 1)));
        break;
      }
      case '--default-timeout':
        session.defaultTimeoutMs = positiveNumber(flag, value());
        break;
      case '--idle-timeout':
        session.idleTimeoutMs = positiveNumber(flag, value());
        break;
      case '--deadline':
        session.deadlineMs = positiveNumber(flag, value());
        break;
      case '--concurrency':
        session.concurrency = positiveNumber(flag, value());
        if (!Number.isInteger(session.concurrency)) throw new UsageError(`Invalid value for --concurrency: "${session.concurrency}". Expected a whole number.`);
        break;
      case '--watchdog-interval':
        watchdog.intervalMs = positiveNumber(flag, value());
        break;
      case '--watchdog-grace':
        watchdog.graceMs = positiveNumber(flag, value(), true);
        break;
      case '--kill-grace':
      case '--grace':
        session.killGraceMs = positiveNumber(flag, value(), true);
        break;
      case '--lock-order':
        session.lockOrdering = true;
        // `--lock-order=a,b` names the global order; locks it leaves out follow, sorted by name.
        if (inline !== undefined) session.lockOrder = inline.split(',').map((name) => name.trim()).filter((name) => name !== '');
        break;
      case '--run-acyclic':
      case '--acyclic-part':
        session.runAcyclicPart = true;
        break;
      case '--allow-commands':
        session.allowCommands = true;
        break;
      case '--format': {
        const chosen = value();
        if (chosen !== 'text' && chosen !== 'json') throw new UsageError(`Invalid value for --format: "${chosen}". Expected text or json.`);
        format = chosen;
        break;
      }
      case '--out':
        out = value();
        break;
      default:
        if (argument.startsWith('-') && argument !== '-') throw new UsageError(`Unknown option: ${argument}. Run "agent-deadlock run --help" for the options.`);
        if (file !== undefined) throw new UsageError(`Only one FILE can be run, but got "${file}" and "${argument}".`);
        file = argument;
    }
  }
  if (file === undefined) throw new UsageError('Missing FILE: name the plan or trace to run.');
  session.watchdog = watchdog;
  return { file, format, ...(out !== undefined ? { out } : {}), session };
}

/** Runs the `run` subcommand with its arguments (without `run`) and returns the exit code. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  let parsed: ParsedArgs | 'help';
  try {
    parsed = parseRunArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`agent-deadlock run: ${escapeControlCharacters(error.message)}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(RUN_USAGE);
    return 0;
  }

  const file = path.resolve(io.cwd, parsed.file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    io.stderr(`agent-deadlock run: cannot read ${escapeControlCharacters(parsed.file)}: ${describeError(error)}.\n`);
    return 2;
  }
  const lines = new LineIndex(text);
  const where = (offset: number): string => {
    const position = lines.positionAt(offset);
    return `${position.line + 1}:${position.character + 1}`;
  };
  const loaded = loadRunSource(text, file);
  if (loaded.source === undefined) {
    for (const problem of loaded.problems) io.stderr(`${escapeControlCharacters(`${parsed.file}:${where(problem.range.start)}: error: ${problem.message}`)}\n`);
    return 2;
  }

  let session: RunSession;
  try {
    session = new RunSession(loaded.source, { ...parsed.session, cwd: path.dirname(file), ...(parsed.out !== undefined ? { tracePath: path.resolve(io.cwd, parsed.out) } : {}) });
  } catch (error) {
    io.stderr(`agent-deadlock run: ${escapeControlCharacters((error as Error).message)}\n`);
    return 2;
  }
  if (!parsed.session.allowCommands && loaded.source.calls.some((call) => call.command !== undefined)) {
    io.stderr('agent-deadlock run: steps with a "command" are simulated from duration_ms and behavior; pass --allow-commands --clock real to run them.\n');
  }

  // Ctrl+C stops the run, which kills every command's process group before exiting.
  const onSignal = (): void => session.stop('the run was interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: RunResult;
  try {
    try {
      session.start();
    } catch (error) {
      if (!(error instanceof RunRejectedError)) throw error;
    }
    result = await session.done;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  if (parsed.format === 'json') {
    io.stdout(`${JSON.stringify(runResultJson(result, (range) => {
      const position = lines.positionAt(range.start);
      return { line: position.line + 1, column: position.character + 1 };
    }), null, 2)}\n`);
  } else {
    io.stdout(formatRunText(result, (range) => `${parsed.file}:${where(range.start)}`));
  }
  return result.ok ? 0 : 1;
}
