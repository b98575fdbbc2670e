/**
 * Launch arguments of the `agent-deadlock` debug type. Each field mirrors one property of
 * `configurationAttributes.launch.properties` of the `agent-deadlock` entry of
 * `contributes.debuggers` in package.json, and a unit test keeps the two in step.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface AgentDeadlockLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Plan, recorded calls, transcript or native run trace to run. */
  program: string;
  /** `virtual` replays instantly; `real` runs in real time, scaled by `speed`. Default `real`. */
  clock?: 'virtual' | 'real';
  /** Speed factor of the real clock. Default 1. */
  speed?: number;
  /** Timeouts by tool name, in ms. */
  timeouts?: Record<string, number>;
  /** Timeout of calls with no other timeout, in ms. Default 30000. */
  defaultTimeoutMs?: number;
  /** Time out a call that reports no progress for this long, in ms. */
  idleTimeoutMs?: number;
  /** Whole-run deadline, in ms. */
  deadlineMs?: number;
  /** Calls in flight at once. 0 means no limit. */
  concurrency?: number;
  /** Interval between watchdog checks, in ms. Default 500. */
  watchdogIntervalMs?: number;
  /** Time a call may run past its timeout before the watchdog kills it, in ms. Default 1000. */
  watchdogGraceMs?: number;
  /** Take locks in one global order (sorted by name), which rules out lock-order deadlocks. */
  lockOrdering?: boolean;
  /** Locks that come first in the global order, in this order, when `lockOrdering` is on. */
  lockOrder?: string[];
  /** Run the calls outside cycles instead of rejecting a cyclic plan. */
  runAcyclicPart?: boolean;
  /** Run each step's `command` in the workspace folder (trusted workspaces only, after confirmation). */
  allowCommands?: boolean;
  /** Path of the native trace file to write. Default: none. */
  traceOut?: string;
  /** Pause before the first call starts. */
  stopOnEntry?: boolean;
  /** Set by VS Code for Run Without Debugging. */
  noDebug?: boolean;
}
