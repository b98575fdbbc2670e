/**
 * Types of the run engine: the calls it schedules, the options that set its limits, the
 * events it emits while it runs and the result it returns. Everything here is plain data.
 */
import type { OffsetRange } from '../findings';

/** Shape of a simulated call. `hang` honours cancellation but `lost` ignores it, so only the watchdog ends it. */
export type CallBehavior = 'ok' | 'error' | 'hang' | 'lost';

/** One call the engine schedules: a plan step or a recorded trace call. */
export interface RunCall {
  id: string;
  tool: string;
  /** Ids of the calls that must complete before this one starts. */
  dependsOn: string[];
  /** Simulated duration in ms. Unset means 0 for `ok` and `error`. */
  durationMs?: number;
  behavior?: CallBehavior;
  /** The call's own timeout in ms, which wins over every other source. */
  timeoutMs?: number;
  /** Idle timeout in ms: the call times out when it reports no progress for this long. */
  idleTimeoutMs?: number;
  /** A simulated call reports progress this often, in ms, which resets its idle timeout. */
  progressEveryMs?: number;
  /** Locks the call takes, in the order it declares them. */
  locks: string[];
  /** Shell command, run for real only when the caller allows commands. */
  command?: string;
  /** Source range of the call's declaration, for links back to the step. */
  range?: OffsetRange;
  /** Start time in the recorded trace, in ms, used only to order calls that become ready together. */
  recordedStartMs?: number;
}

export type RunSourceKind = 'plan' | 'trace';

/** A plan or a trace turned into calls. */
export interface RunSource {
  kind: RunSourceKind;
  name?: string;
  calls: RunCall[];
  /** The plan's `defaults.timeout_ms`. */
  defaultTimeoutMs?: number;
}

export interface WatchdogOptions {
  /** Interval between two checks, in ms. */
  intervalMs: number;
  /** Time a call may run past its timeout before the watchdog kills it, in ms. */
  graceMs: number;
  /** A fixed maximum duration for every call, in ms, which replaces timeout plus grace when set. */
  maxDurationMs?: number;
  /** Turns the watchdog off, which leaves a call that ignores cancellation running. */
  disabled?: boolean;
}

export interface RunOptions {
  /** Maximum number of calls in flight at once. 0 or unset means no limit. */
  concurrency?: number;
  /** Per-tool timeouts in ms, used when a call declares none. */
  toolTimeouts?: ReadonlyMap<string, number>;
  /** Timeout for calls with no other source, in ms. Default 30,000. */
  defaultTimeoutMs?: number;
  /** Idle timeout for calls that declare none, in ms. Unset means none. */
  idleTimeoutMs?: number;
  /** Whole-run deadline in ms from the start. Unset means none. */
  deadlineMs?: number;
  watchdog?: Partial<WatchdogOptions>;
  /** Take each call's locks in one global order, which rules out lock-order deadlocks. */
  lockOrdering?: boolean;
  /** The global lock order. Locks not listed follow the listed ones, sorted by name. */
  lockOrder?: readonly string[];
  /** Time a simulated call holds each lock before it requests the next one, in ms. Default 10. */
  lockStepMs?: number;
  /** Run the calls that are not on or behind a cycle or an unknown dependency, in place of rejecting the source. */
  runAcyclicPart?: boolean;
  /**
   * Start no call before its recorded start (relative to the earliest one), so a replay keeps
   * the recording's gaps. Default: on for trace sources, off for plans.
   */
  followRecordedStarts?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_WATCHDOG: WatchdogOptions = { intervalMs: 500, graceMs: 1_000 };
export const DEFAULT_LOCK_STEP_MS = 10;

/** The outcome of one call once the run has ended. */
export type CallOutcome = 'ok' | 'error' | 'timeout' | 'killed' | 'stranded';

/** The live status of a call. */
export type CallStatus = 'pending' | 'running' | 'waiting-lock' | 'cancelling' | 'paused' | CallOutcome;

/** Error codes of failed calls, as the error result carries them. */
export type CallErrorCode = 'TIMEOUT' | 'IDLE_TIMEOUT' | 'DEADLINE' | 'KILLED' | 'STOPPED' | 'TOOL_ERROR';

export interface CallError {
  code: CallErrorCode;
  /** A sentence that names the tool and the limit. */
  message: string;
  /** The limit that was passed, in ms, for timeouts and kills. */
  limitMs?: number;
}

export interface CallResult {
  id: string;
  tool: string;
  outcome: CallOutcome;
  /** Start in ms from the run's start, when the call started. */
  startMs?: number;
  endMs?: number;
  /** Time from start to end, in ms. */
  ageMs?: number;
  /** The timeout that applied to the call, in ms. */
  timeoutMs: number;
  error?: CallError;
  /** Reason a stranded call never ran or never finished. */
  reason?: string;
  /** Ids of calls a stranded call was waiting for, and locks as `lock:NAME`. */
  waitsFor?: string[];
  /** Captured output of a real command. */
  output?: string;
  exitCode?: number | null;
  signal?: string | null;
  range?: OffsetRange;
}

/** A watchdog kill: the call, its age at the kill and the maximum it passed. */
export interface WatchdogKill {
  id: string;
  tool: string;
  atMs: number;
  ageMs: number;
  maxDurationMs: number;
}

/** A runtime deadlock: nothing could run and nothing could start. */
export interface RuntimeDeadlock {
  atMs: number;
  /** Wait-for cycles among call ids, each in order: every member waits for the next. */
  cycles: string[][];
  /** Locks on each cycle, in the same order, where the wait is on a lock. */
  cycleLocks: string[][];
  /** Every call left unfinished, with what it waits for. */
  stranded: { id: string; reason: string; waitsFor: string[] }[];
}

/** A problem that keeps the source from running as a whole. */
export interface SourceProblem {
  kind: 'cycle' | 'unknown-dependency' | 'duplicate-id';
  /** For cycles, the path in order, with the first id repeated at the end. */
  path: string[];
  message: string;
}

export interface CriticalPathResult {
  steps: string[];
  durationMs: number;
}

export interface RunSummary {
  total: number;
  completed: number;
  failed: number;
  timedOut: number;
  killed: number;
  stranded: number;
  /** Wall time of the run in ms (virtual ms on the virtual clock). */
  totalMs: number;
  /** Sum of the durations of the calls that ran, which a one-at-a-time run would take. */
  sequentialMs: number;
  criticalPath: CriticalPathResult;
}

export interface RunResult {
  source: { kind: RunSourceKind; name?: string };
  clock: 'virtual' | 'real';
  /** True when every call completed. */
  ok: boolean;
  /** Set when the run ended early: `deadlock`, `deadline`, `stopped` or `rejected`. */
  endedBy?: 'deadlock' | 'deadline' | 'stopped' | 'rejected' | 'hung';
  calls: CallResult[];
  summary: RunSummary;
  kills: WatchdogKill[];
  deadlock?: RuntimeDeadlock;
  problems: SourceProblem[];
}

/** The live state of a run, as the editor shows it. */
export interface RunStateCall {
  id: string;
  tool: string;
  status: CallStatus;
  /** Start time in ms since the epoch on the run's clock, when started. */
  startedAt?: number;
  timeoutMs: number;
  /** End time in ms since the epoch, once ended. */
  endedAt?: number;
}

export interface RunState {
  /** The run clock's current time, in ms since the epoch. */
  now: number;
  paused: boolean;
  done: boolean;
  calls: RunStateCall[];
}

/** Events the engine emits, in order. `t` is ms from the run's start. */
export type RunEvent =
  | { type: 'run_start'; t: number; source: RunSourceKind; name?: string; clock: 'virtual' | 'real'; calls: number; startedAt: number }
  | { type: 'call_start'; t: number; id: string; tool: string; dependsOn: string[]; timeoutMs: number; input?: unknown }
  | { type: 'call_progress'; t: number; id: string; note?: string }
  | { type: 'call_output'; t: number; id: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'lock_wait'; t: number; id: string; lock: string; holder: string }
  | { type: 'lock_acquire'; t: number; id: string; lock: string }
  | { type: 'lock_release'; t: number; id: string; lock: string }
  | { type: 'call_timeout'; t: number; id: string; tool: string; limitMs: number; code: CallErrorCode }
  | { type: 'watchdog_kill'; t: number; id: string; tool: string; ageMs: number; maxDurationMs: number }
  | { type: 'call_end'; t: number; id: string; tool: string; outcome: CallOutcome; ageMs: number; error?: CallError; exitCode?: number | null }
  | { type: 'call_stranded'; t: number; id: string; tool: string; reason: string; waitsFor: string[] }
  | { type: 'deadlock'; t: number; cycles: string[][]; cycleLocks: string[][] }
  | { type: 'run_pause'; t: number }
  | { type: 'run_resume'; t: number }
  | { type: 'run_end'; t: number; ok: boolean; endedBy?: RunResult['endedBy'] };
