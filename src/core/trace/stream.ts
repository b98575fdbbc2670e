/**
 * Streaming reading: bytes in, complete lines out, with the UTF-16 offsets and line numbers
 * the whole text would give. Only the unfinished last line is kept between chunks, so a file
 * of any size is read in constant memory apart from the trace state.
 */
import { TraceLineReader, type TraceReaderOptions } from './reader';
import type { TraceBuilder } from './builder';

export type LineHandler = (line: string, start: number, end: number, lineNumber: number, isLast: boolean) => void;

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  /** Offset of `partial` in the whole text. */
  private partialStart = 0;
  private lineNumber = 0;
  /** True after `flushPending` emitted a line whose line break has not arrived yet. */
  private continuesLine = false;

  constructor(private readonly onLine: LineHandler) {}

  /** The unfinished last line, if any. */
  get pending(): string {
    return this.partial;
  }

  /** Number of complete lines emitted so far. */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    if (!this.continuesLine && !text.includes('\n')) {
      // Only the new text can end the line, so it is appended without a search. Searching the
      // joined text for every chunk would make a long line cost the square of its length.
      this.partial += text;
      return;
    }
    const buffer = this.partial.length > 0 ? this.partial + text : text;
    let start = 0;
    if (this.continuesLine) {
      // The line break of a line that `flushPending` already emitted ends that line.
      if (buffer.startsWith('\r\n')) start = 2;
      else if (buffer.startsWith('\n')) start = 1;
      if (start > 0) this.lineNumber++;
      this.continuesLine = false;
    }
    let newline = buffer.indexOf('\n', start);
    while (newline >= 0) {
      const contentEnd = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const offset = this.partialStart + start;
      this.onLine(buffer.slice(start, contentEnd), offset, offset + (contentEnd - start), this.lineNumber++, false);
      start = newline + 1;
      newline = buffer.indexOf('\n', start);
    }
    this.partialStart += start;
    this.partial = start === 0 ? buffer : buffer.slice(start);
  }

  /**
   * Emits the unfinished last line now when `isComplete` accepts it, such as a last event whose
   * writer ended the file without a line break. Returns true when it did.
   */
  flushPending(isComplete: (line: string) => boolean): boolean {
    if (this.partial.length === 0 || !isComplete(this.partial)) return false;
    const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    this.onLine(line, this.partialStart, this.partialStart + line.length, this.lineNumber, true);
    this.partialStart += this.partial.length;
    this.partial = '';
    this.continuesLine = true;
    return true;
  }

  /** Emits the unfinished last line, when the input has ended. */
  end(): void {
    const tail = this.decoder.decode();
    if (tail.length > 0) this.partial += tail;
    if (this.partial.length > 0) {
      const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
      if (this.continuesLine) this.continuesLine = false;
      this.onLine(line, this.partialStart, this.partialStart + line.length, this.lineNumber++, true);
      this.partialStart += this.partial.length;
      this.partial = '';
    }
  }
}

/** Reads a JSONL trace from a stream of chunks, such as `fs.createReadStream`, without holding the whole text. */
export async function readTraceStream(chunks: AsyncIterable<Uint8Array | string>, options: TraceReaderOptions = {}): Promise<TraceBuilder> {
  const reader = new TraceLineReader(options);
  const splitter = new LineSplitter((line, start, end, lineNumber, isLast) => reader.pushLine(line, start, end, lineNumber, isLast));
  for await (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  reader.finish();
  return reader.builder;
}
