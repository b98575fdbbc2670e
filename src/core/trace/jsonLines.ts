/** Helpers shared by the adapters: times, JSON lines with their positions, invalid-line findings. */
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Finding, RangePosition } from '../findings';
import { offsetRange, traceFinding } from './findingsUtil';
import type { SourceRange } from './model';

/**
 * Parses a time: epoch milliseconds as a number or numeric string, or an ISO 8601 string.
 * Returns undefined when the value is missing, and NaN when it is present but unreadable.
 */
export function parseTime(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? Number.NaN : parsed;
}

/** Calls `visit` for every line of `text` with its offsets (without the line break) and zero-based number. */
export function forEachLine(text: string, visit: (line: string, start: number, end: number, lineNumber: number) => void): void {
  let start = 0;
  let lineNumber = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const contentEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (end === text.length && start === text.length) break;
    visit(text.slice(start, contentEnd), start, contentEnd, lineNumber);
    start = end + 1;
    lineNumber++;
  }
}

/** Builds the range of one line's content. `position`, when the reader computed it, is its place as `LineIndex` counts lines. */
export function lineRange(start: number, end: number, line: number, position?: RangePosition): SourceRange {
  return position === undefined ? { start, end, line, endLine: line } : { start, end, line, endLine: line, position };
}

/** Finds where JSON.parse failed, as an offset into `line`, with a reason. */
export function describeJsonError(line: string): { offset: number; reason: string } {
  const errors: ParseError[] = [];
  parseJsonc(line, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) return { offset: errors[0].offset, reason: printParseErrorCode(errors[0].error) };
  return { offset: line.length, reason: 'InvalidJson' };
}

const REASONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected',
  ValueExpected: 'value expected',
  ColonExpected: 'colon expected',
  CommaExpected: 'comma expected',
  CloseBraceExpected: 'closing brace expected',
  CloseBracketExpected: 'closing bracket expected',
  EndOfFileExpected: 'end of line expected',
  InvalidCommentToken: 'comments are not allowed',
  UnexpectedEndOfComment: 'unexpected end of comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unexpected end of number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character',
};

/** Builds the `invalid-trace` finding for a line that is not JSON, with line, column and a fix that removes it. */
export function invalidJsonLine(line: string, range: SourceRange, isLast: boolean): Finding {
  const { offset, reason } = describeJsonError(line);
  const column = offset + 1;
  const why = REASONS[reason] ?? reason;
  const hint = isLast
    ? ' It is the last line, so the writer may have stopped in the middle of it; remove it or let the writer finish the line.'
    : ' Remove the line or fix its JSON.';
  return traceFinding(
    'invalid-trace',
    `Line ${range.line + 1}, column ${column}: the trace event is not valid JSON (${why}).${hint}`,
    range,
    {
      data: { line: range.line + 1, column },
      fixes: [{ title: `Remove line ${range.line + 1}`, edits: [{ range: offsetRange(range), newText: '' }] }],
    },
  );
}

/** Builds the `invalid-trace` finding for a JSON line that is not a valid event of the detected format. */
export function invalidEvent(problem: string, range: SourceRange): Finding {
  return traceFinding('invalid-trace', `Line ${range.line + 1}: ${problem}`, range, {
    data: { line: range.line + 1, column: 1 },
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Returns true when `text` is one whole JSON value. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
