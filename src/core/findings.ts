/**
 * Findings are the single result type of every check: plan analysis, trace analysis and runs.
 * The CLI prints them, the extension turns them into diagnostics and the webview marks them.
 */

/** Half-open range of UTF-16 offsets `[start, end)` into the analysed text. */
export interface OffsetRange {
  start: number;
  end: number;
  /**
   * The lines and columns of both ends, set only by readers that do not keep the text (the
   * CLI's chunked trace reading), so that reports can place the range without it.
   */
  position?: RangePosition;
}

/** Zero-based lines and UTF-16 columns of both ends of a range, counted as `LineIndex` counts them. */
export interface RangePosition {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** Stable rule ids. They are the diagnostic `code`, the JSON `kind` and the SARIF `ruleId`. */
export type PlanRuleId =
  | 'syntax-error'
  | 'invalid-plan'
  | 'cycle'
  | 'self-dependency'
  | 'unknown-dependency'
  | 'duplicate-id'
  | 'blocked'
  | 'lock-order-inversion';

export type TraceRuleId =
  | 'invalid-trace'
  | 'deadlock'
  | 'hung-call'
  | 'orphaned-call'
  | 'unmatched-result'
  | 'stranded'
  | 'repeated-call'
  | 'lock-order-inversion'
  | 'serialized-calls'
  | 'failed-call';

export type RuleId = PlanRuleId | TraceRuleId;

/** A secondary place that explains a finding, such as another dependency of the same cycle. */
export interface RelatedLocation {
  message: string;
  range: OffsetRange;
  /** Set when the place is in another file than the finding. */
  path?: string;
}

/** One replacement of the text in `range` by `newText`. Edits of one fix never overlap. */
export interface TextEdit {
  range: OffsetRange;
  newText: string;
}

/** A fix the editor can offer as a quick fix. It changes only the ranges it names. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix the engine recommends among several, applied by "fix all" style commands. */
  preferred?: boolean;
}

export interface Finding {
  kind: RuleId;
  severity: Severity;
  /** One sentence that names the steps or calls involved and says why it is a problem. */
  message: string;
  /** Step ids involved. For a cycle, in cycle order: each step waits for the next one. */
  steps: string[];
  /** Call ids involved, for trace findings. */
  calls?: string[];
  /** Span ids involved, for OpenTelemetry trace findings. */
  spans?: string[];
  /** The tool of the call or step the finding is about, when there is one. */
  tool?: string;
  /** Lock names involved, for lock-order inversions, in the order of the lock cycle. */
  locks?: string[];
  /** The missing id, for unknown dependencies. */
  missing?: string;
  /** The closest existing id, for unknown dependencies. */
  suggestion?: string;
  /** The primary place of the finding. */
  range: OffsetRange;
  /**
   * Every place the editor should mark, when there are several, such as each `depends_on`
   * entry on a cycle. `range` is always one of them.
   */
  ranges?: OffsetRange[];
  related: RelatedLocation[];
  fixes: Fix[];
  /** Extra facts as numbers or strings, printed by reporters: ages, counts, times. */
  data?: Record<string, string | number | boolean>;
}

/** Severity used for each rule unless the user configures another. */
export const DEFAULT_SEVERITY: Record<RuleId, Severity> = {
  'syntax-error': 'error',
  'invalid-plan': 'error',
  'invalid-trace': 'error',
  cycle: 'error',
  'self-dependency': 'error',
  'unknown-dependency': 'error',
  'duplicate-id': 'error',
  blocked: 'warning',
  'lock-order-inversion': 'warning',
  deadlock: 'error',
  'hung-call': 'error',
  'orphaned-call': 'error',
  'unmatched-result': 'warning',
  stranded: 'warning',
  'repeated-call': 'warning',
  'serialized-calls': 'info',
  'failed-call': 'warning',
};

/** One-line summaries of each rule, used by SARIF output and the rule documentation links. */
export const RULE_SUMMARY: Record<RuleId, string> = {
  'syntax-error': 'The file is not valid JSON or YAML.',
  'invalid-plan': 'The plan does not match the plan schema.',
  'invalid-trace': 'A trace event could not be read.',
  cycle: 'Steps wait on each other through their dependencies, so none of them can start.',
  'self-dependency': 'A step depends on itself, so it can never start.',
  'unknown-dependency': 'A step depends on an id that no step has.',
  'duplicate-id': 'Two steps have the same id.',
  blocked: 'A step is not on a cycle but can never run, because something it depends on never runs.',
  'lock-order-inversion': 'Work that may run at the same time takes the same locks in orders that form a cycle.',
  deadlock: 'A cycle in the wait-for graph: every member waits for the next one.',
  'hung-call': 'A call is still running past its timeout.',
  'orphaned-call': 'A tool call never got a result while the conversation went on.',
  'unmatched-result': 'A tool result names a call that does not exist.',
  stranded: 'Something waits on a call or agent that ended without delivering.',
  'repeated-call': 'The same tool was called with the same input several times with no new result.',
  'serialized-calls': 'Calls issued together as parallel siblings never overlapped in time.',
  'failed-call': 'A call ended in an error or a timeout.',
};
