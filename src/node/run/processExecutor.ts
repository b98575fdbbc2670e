/**
 * Runs a call's `command` as a child process that leads its own process group, so that a
 * timeout or kill can signal every process it started, grandchildren included.
 *
 * NOTE: a process that leaves the group on purpose (`setsid`, `setpgid`, a daemonising
 * double fork) is out of reach of group signals and can outlive its call.
 */
import { spawn } from 'node:child_process';
import type { CallExecutor, Execution, ExecutionContext } from '../../core/run/executor';
import type { RunCall } from '../../core/run/types';

export interface ProcessExecutorOptions {
  /** Working folder of every command. */
  cwd: string;
  /** Real ms between SIGTERM and SIGKILL when a call is cancelled. Default 2,000. */
  graceMs?: number;
  /** Shell that runs the command with `-c`. Default `/bin/sh`. */
  shell?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with the process group id of each command as it starts. */
  onSpawn?: (call: RunCall, pid: number) => void;
  /** Runs calls that have no command, such as a plan's simulated steps. */
  fallback?: CallExecutor;
}

export const DEFAULT_GRACE_MS = 2_000;

/** Sends a signal to a whole process group, ignoring a group that no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export class ProcessExecutor implements CallExecutor {
  constructor(private readonly options: ProcessExecutorOptions) {}

  start(call: RunCall, context: ExecutionContext): Execution {
    if (call.command === undefined) {
      if (this.options.fallback === undefined) {
        context.finish({ status: 'error', message: `Step "${call.id}" has no "command" to run.` });
        return { cancel: () => undefined, kill: () => undefined };
      }
      return this.options.fallback.start(call, context);
    }

    const graceMs = this.options.graceMs ?? DEFAULT_GRACE_MS;
    const child = spawn(this.options.shell ?? '/bin/sh', ['-c', call.command], {
      cwd: this.options.cwd,
      env: this.options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    let cancelled = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;

    const settle = (end: Parameters<ExecutionContext['finish']>[0]): void => {
      if (settled) return;
      settled = true;
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      context.finish(end);
    };

    if (pgid === undefined) {
      child.once('error', (error) => settle({ status: 'error', message: `Command of step "${call.id}" failed to start: ${error.message}` }));
      return { cancel: () => undefined, kill: () => undefined };
    }
    this.options.onSpawn?.(call, pgid);

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      context.output('stdout', text);
      context.progress();
    });
    child.stderr.on('data', (text: string) => {
      context.output('stderr', text);
      context.progress();
    });
    child.once('error', (error) => settle({ status: 'error', message: `Command of step "${call.id}" failed: ${error.message}` }));
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // The shell has ended, but processes it put in the background may still run in its group
      // and hold the output pipes open; killing them lets 'close' follow.
      signalGroup(pgid, 'SIGKILL');
    });
    // 'close' comes after the output pipes have drained, so no output is lost.
    child.once('close', () => {
      if (cancelled) settle({ status: 'cancelled', exitCode, signal: exitSignal });
      else if (exitCode === 0) settle({ status: 'ok', exitCode, signal: exitSignal });
      else {
        const why = exitSignal !== null ? `was ended by ${exitSignal}` : `exited with code ${exitCode}`;
        settle({ status: 'error', exitCode, signal: exitSignal, message: `Command of step "${call.id}" (tool "${call.tool}") ${why}.` });
      }
    });

    return {
      cancel: () => {
        if (cancelled || settled) return;
        cancelled = true;
        signalGroup(pgid, 'SIGTERM');
        graceTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
      },
      kill: () => {
        settled = true;
        if (graceTimer !== undefined) clearTimeout(graceTimer);
        signalGroup(pgid, 'SIGKILL');
      },
      pause: () => signalGroup(pgid, 'SIGSTOP'),
      resume: () => signalGroup(pgid, 'SIGCONT'),
    };
  }
}
