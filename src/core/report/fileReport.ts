import type { Finding, OffsetRange } from '../findings';
import type { CriticalPath, StepInfo } from '../plan/analysisTypes';
import type { LineColumn } from '../text/lineIndex';

/** Converts offsets to zero-based positions. `LineIndex` does it from the text. */
export interface TextPositions {
  positionAt(offset: number): LineColumn;
}

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
  /** Resolves the offsets of the findings to lines and columns. */
  lines: TextPositions;
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

/**
 * The positions that the ranges of findings carry, for a report whose text was not kept, such as
 * a trace the CLI read in chunks. Only offsets of those ranges can be resolved.
 */
export class RecordedPositions implements TextPositions {
  private readonly positions = new Map<number, LineColumn>();

  constructor(findings: readonly Finding[]) {
    for (const finding of findings) {
      this.record(finding.range);
      for (const range of finding.ranges ?? []) this.record(range);
      for (const related of finding.related) this.record(related.range);
      for (const fix of finding.fixes) for (const edit of fix.edits) this.record(edit.range);
    }
  }

  positionAt(offset: number): LineColumn {
    const position = this.positions.get(offset);
    if (position === undefined) throw new Error(`no line and column were recorded for offset ${offset}.`);
    return position;
  }

  private record(range: OffsetRange): void {
    if (range.position === undefined) return;
    this.positions.set(range.start, { line: range.position.line, character: range.position.character });
    this.positions.set(range.end, { line: range.position.endLine, character: range.position.endCharacter });
  }
}
