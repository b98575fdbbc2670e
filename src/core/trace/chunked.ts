/**
 * Synchronous reading of line-based traces from text pushed in pieces, for callers that read a
 * file in chunks and cannot keep its text. Both classes give what `readTraceText` gives for the
 * whole text: the same layout and format, the same events, and the same findings.
 */
import type { RangePosition } from '../findings';
import type { TraceBuilder, TraceBuilderOptions } from './builder';
import type { TraceFormat } from './model';
import { DETECTION_LINES, formatOfValue, isIgnoredLine, TraceLineReader } from './reader';
import { LineSplitter } from './stream';
import { isJson } from './jsonLines';

/** The reading that `readTraceText` would choose for a text: line by line in a format, or other (one JSON document, or no trace). */
export type TraceLayout = { kind: 'lines'; format: TraceFormat } | { kind: 'other' };

const OTHER: TraceLayout = { kind: 'other' };

/**
 * Finds the layout of a trace from the start of its text, by the rules of `detectTraceFormat`
 * and `readTraceText`, keeping only the unfinished line. It returns `lines` only when every
 * continuation of the text read so far would be read line by line in that format.
 */
export class TraceLayoutDetector {
  private partial = '';
  private checkedLines = 0;
  private seenContent = false;
  private layout: TraceLayout | undefined;

  /** Adds text. Returns the layout once it is known, else undefined. */
  push(text: string): TraceLayout | undefined {
    if (this.layout !== undefined) return this.layout;
    let newline = text.indexOf('\n');
    if (newline < 0) {
      // Searching only the new text keeps a long first line linear in its length.
      this.partial += text;
      return undefined;
    }
    this.examine(this.partial + text.slice(0, newline), true);
    this.partial = '';
    let start = newline + 1;
    while (this.layout === undefined && (newline = text.indexOf('\n', start)) >= 0) {
      this.examine(text.slice(start, newline), true);
      start = newline + 1;
    }
    if (this.layout === undefined) this.partial = text.slice(start);
    return this.layout;
  }

  /** Ends the text and returns its layout; text that never showed one is `other`. */
  end(): TraceLayout {
    if (this.layout === undefined && this.partial.length > 0) this.examine(this.partial, false);
    this.partial = '';
    this.layout ??= OTHER;
    return this.layout;
  }

  private examine(line: string, terminated: boolean): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (!this.seenContent) {
      this.seenContent = true;
      // `readTraceText` reads the text as one document when it starts with `[`, or with `{` on a
      // first line that is not JSON by itself. A first line with no line break after it is no document.
      const first = line.trimStart();
      if (first.startsWith('[') || (terminated && first.startsWith('{') && !isJson(first))) {
        this.layout = OTHER;
        return;
      }
    }
    this.checkedLines++;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      this.layout = OTHER;
      return;
    }
    const format = formatOfValue(value);
    if (format !== undefined) this.layout = { kind: 'lines', format };
    else if (this.checkedLines >= DETECTION_LINES) this.layout = OTHER;
  }
}

/** A line deferred until a later one shows whether it is the last line with content. */
interface DeferredLine {
  line: string;
  start: number;
  end: number;
  lineNumber: number;
  position: RangePosition;
}

/**
 * Reads a line-based trace of a known format from text pushed in pieces. It keeps the trace
 * state, the unfinished line and the last line with content, never the text read before. A line
 * longer than the maximum string length throws a `RangeError`.
 *
 * Two things match `readTraceText` although the text is gone. Each range records its line and
 * column as `LineIndex` counts them, where a lone `\r` also ends a line, so reports can place
 * findings without the text. And the last line with a non-whitespace character is read as the
 * last line, so an invalid one gets the hint that its writer may have stopped in the middle.
 */
export class ChunkedTraceReader {
  private readonly reader: TraceLineReader;
  private readonly splitter: LineSplitter;
  /** Lone `\r` characters read so far, each a line break that the line numbers do not count. */
  private loneReturns = 0;
  /** The last line with content (or line 0 before one comes), then the non-empty blank lines after it. */
  private deferred: DeferredLine[] = [];

  constructor(format: TraceFormat, options: TraceBuilderOptions = {}) {
    this.reader = new TraceLineReader({ ...options, format });
    this.splitter = new LineSplitter((line, start, end, lineNumber) => this.acceptLine(line, start, end, lineNumber));
  }

  /** Adds decoded text. Lines are read once their line break arrives. */
  push(text: string): void {
    this.splitter.push(text);
  }

  /** Reads the rest, once the text has ended, and returns the builder. */
  end(): TraceBuilder {
    this.splitter.end();
    this.release(true);
    this.reader.finish();
    return this.reader.builder;
  }

  private acceptLine(line: string, start: number, end: number, lineNumber: number): void {
    const entry: DeferredLine = { line, start, end, lineNumber, position: this.positionOf(line, start, end, lineNumber) };
    // `readTraceText` gives the last line the hint when no later line has a non-whitespace
    // character, and line 0 when no line has one.
    if (lineNumber === 0 || /\S/.test(line)) {
      this.release(false);
      this.deferred.push(entry);
    } else if (!isIgnoredLine(line)) {
      // A blank line of characters such as U+00A0 is still read, and reported as invalid.
      this.deferred.push(entry);
    }
  }

  private release(isLast: boolean): void {
    this.deferred.forEach((item, index) => this.reader.pushLine(item.line, item.start, item.end, item.lineNumber, isLast && index === 0, item.position));
    this.deferred = [];
  }

  /** Computes the position of a line's content, given the lone `\r` characters before it. */
  private positionOf(line: string, start: number, end: number, lineNumber: number): RangePosition {
    const firstLine = lineNumber + this.loneReturns;
    // The splitter leaves out the `\r` of a `\r\n`, so every `\r` in the content is lone.
    let returns = 0;
    let lastReturn = -1;
    for (let index = line.indexOf('\r'); index >= 0; index = line.indexOf('\r', index + 1)) {
      returns++;
      lastReturn = index;
    }
    this.loneReturns += returns;
    return { line: firstLine, character: 0, endLine: firstLine + returns, endCharacter: end - start - (lastReturn + 1) };
  }
}
