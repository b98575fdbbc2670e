import type { Finding, OffsetRange } from '../findings';
import type { CriticalPath, StepInfo } from '../plan/analysisTypes';
import { LineIndex } from '../text/lineIndex';

/** The result of checking one file, as the reporters print it. */
export interface FileReport {
  path: string;
  /** The kind of input the file was read as. */
  kind: 'plan' | 'trace';
  /** A description of the detected format, such as "plan, YAML" or "Claude Code session log". */
  format: string;
  findings: Finding[];
  stages?: string[][];
  criticalPath?: CriticalPath;
  /** For a clean plan with no critical path although some steps set `duration_ms`: how many steps do not. */
  stepsWithoutDuration?: number;
  /** Resolves offsets to 1-based lines and columns. */
  lines: LineIndex;
  /** A plan's per-step facts, in file order. The text report follows their dependents to list every step behind a cycle. */
  planSteps?: ReadonlyMap<string, StepInfo>;
}

/** A file that could not be read, or is neither a plan nor a trace. Reporters list it with its error. */
export interface UnreadableFile {
  path: string;
  /** Why, without the path, such as "file not found". */
  error: string;
}

/** One entry per file given on the command line, in that order. */
export type FileResult = FileReport | UnreadableFile;

export function isUnreadable(result: FileResult): result is UnreadableFile {
  return 'error' in result;
}

/** A 1-based position range, as SARIF and editors outside VS Code count. */
export interface Location {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locate(report: Pick<FileReport, 'path' | 'lines'>, range: OffsetRange): Location {
  const start = report.lines.positionAt(range.start);
  const end = report.lines.positionAt(range.end);
  return {
    path: report.path,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}

export function formatLocation(location: Location): string {
  return `${location.path}:${location.line}:${location.column}`;
}
