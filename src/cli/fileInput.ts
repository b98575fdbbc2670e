/**
 * Reads one file for `check`. A line-based trace is read in chunks and never kept whole, so
 * memory contains the trace state and one line, not the text. Plans, traces that are one JSON
 * document, and files that are neither are read whole, because their checks need the full text.
 */
import * as fs from 'node:fs';
import { planFormatForPath, planFormatFromContent } from '../core/plan/parse';
import type { FileReport } from '../core/report/fileReport';
import { ChunkedTraceReader, TraceLayoutDetector, type TraceLayout } from '../core/trace/chunked';
import { describeError } from './errors';
import { checkInput, InputError, type CheckOptions } from './inputs';
import { chunkedTraceReport } from './traceInput';

/** Bytes read from a file at a time. */
export const CHUNK_BYTES = 1 << 20;

/** Characters of a file's start that `planFormatFromContent` reads for a `$schema`. */
const SCHEMA_HEAD_CHARS = 4096;

/** File access for `check`, so tests can pass their own. */
export interface InputFiles {
  /** Returns the whole file decoded as UTF-8. Throws when it cannot be read. */
  readFile(path: string): string;
  /**
   * Returns the bytes of the file in order, in chunks that the caller may keep. Opening and
   * reading errors are thrown while iterating; stopping early closes the file.
   */
  readChunks(path: string): Iterable<Uint8Array>;
}

/** Reads a file in chunks of `chunkBytes`, from its current position, so pipes work too. */
export function* readFileChunks(path: string, chunkBytes = CHUNK_BYTES): Generator<Uint8Array, void, undefined> {
  const descriptor = fs.openSync(path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const bytesRead = fs.readSync(descriptor, buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Reads a whole file. Throws `InputError` naming the file and the reason when it cannot. */
export function readWholeFile(path: string, files: InputFiles): string {
  try {
    return files.readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
}

/** Checks one file. Throws `InputError` when it cannot be read or is no kind this tool reads. */
export function checkFile(path: string, files: InputFiles, options: CheckOptions): FileReport {
  if (planFormatForPath(path) !== undefined) return checkInput(path, readWholeFile(path, files), options);
  const reading = new FileReading();
  forEachChunk(path, files, (chunk) => reading.push(chunk));
  return reading.end(path, options);
}

/**
 * One file read in chunks. Its start decides how the rest is read: a line-based trace is
 * streamed into a `ChunkedTraceReader`, and anything else is collected to be checked whole.
 */
class FileReading {
  // The decoder drops a leading byte order mark, as VS Code does when it opens the file, and
  // as the whole-text trace check does. Collected chunks are decoded again with the mark.
  private readonly decoder = new TextDecoder('utf-8');
  private readonly detector = new TraceLayoutDetector();
  private mode: 'start' | 'trace' | 'whole' = 'start';
  /** The text read while the mode is `start`. */
  private head = '';
  /** The bytes read while the mode is `start` or `whole`. */
  private chunks: Uint8Array[] = [];
  private trace: ChunkedTraceReader | undefined;

  push(chunk: Uint8Array): void {
    if (this.trace) {
      this.trace.push(this.decoder.decode(chunk, { stream: true }));
      return;
    }
    this.chunks.push(chunk);
    if (this.mode === 'whole') return;
    const text = this.decoder.decode(chunk, { stream: true });
    this.head += text;
    const layout = this.detector.push(text);
    // A `$schema` naming the plan schema in the first characters makes any file a plan.
    if (layout !== undefined && this.head.length >= SCHEMA_HEAD_CHARS) this.choose(layout);
  }

  /** Ends the file and checks it. */
  end(path: string, options: CheckOptions): FileReport {
    const tail = this.decoder.decode();
    if (this.mode === 'start') {
      this.head += tail;
      this.detector.push(tail);
      this.choose(this.detector.end());
    } else {
      this.trace?.push(tail);
    }
    if (this.trace) return chunkedTraceReport(path, this.trace.end(), options);
    return checkInput(path, wholeText(path, this.chunks), options);
  }

  private choose(layout: TraceLayout): void {
    if (layout.kind === 'lines' && planFormatFromContent(this.head) === undefined) {
      this.mode = 'trace';
      this.trace = new ChunkedTraceReader(layout.format);
      this.trace.push(this.head);
      this.chunks = [];
    } else {
      this.mode = 'whole';
    }
    this.head = '';
  }
}

/**
 * Calls `visit` with each chunk of the file. Only errors of the reading itself become
 * `InputError`, so a fault in `visit` still shows as an internal error.
 */
function forEachChunk(path: string, files: InputFiles, visit: (chunk: Uint8Array) => void): void {
  let iterator: Iterator<Uint8Array>;
  try {
    iterator = files.readChunks(path)[Symbol.iterator]();
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = iterator.next();
      } catch (error) {
        throw unreadable(path, error);
      }
      if (next.done === true) return;
      visit(next.value);
    }
  } finally {
    iterator.return?.();
  }
}

/** Decodes the collected chunks as `readFileSync` would, with its error for text that is too long. */
function wholeText(path: string, chunks: Uint8Array[]): string {
  try {
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): InputError {
  const reason = describeError(error);
  return new InputError(`cannot read ${path}: ${reason}.`, reason);
}
