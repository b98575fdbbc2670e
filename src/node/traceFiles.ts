/** Node.js file access for traces: the follower's file system, a real clock and streamed reading. */
import * as fs from 'node:fs';
import type { FollowClock, FollowFileSystem } from '../core/trace/follow';
import type { TraceBuilder } from '../core/trace/builder';
import { detectTraceFormat, readTraceText, type TraceReaderOptions } from '../core/trace/reader';
import { readTraceStream } from '../core/trace/stream';
import { isJson } from '../core/trace/jsonLines';

export const nodeFollowFileSystem: FollowFileSystem = {
  async stat(path) {
    try {
      const stat = await fs.promises.stat(path);
      return { size: stat.size, identity: `${stat.dev}:${stat.ino}` };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async read(path, position, length) {
    const handle = await fs.promises.open(path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
};

export const systemClock: FollowClock = {
  now: () => Date.now(),
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms);
    return { dispose: () => clearInterval(timer) };
  },
};

/** Bytes read from the start of a file to detect its format. */
const SNIFF_BYTES = 256 * 1024;

/**
 * Reads a trace file. JSONL traces are streamed line by line, so files of hundreds of
 * megabytes never sit in memory whole; a single JSON document (an array of messages, a
 * pretty-printed OTLP body) is read whole, because its positions need the full text.
 */
export async function readTraceFile(path: string, options: TraceReaderOptions = {}): Promise<TraceBuilder> {
  const handle = await fs.promises.open(path, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const trimmed = head.trimStart();
  const firstLine = trimmed.slice(0, Math.max(0, trimmed.indexOf('\n')));
  const singleDocument = trimmed.startsWith('[') || (trimmed.startsWith('{') && !isJson(firstLine));
  if (singleDocument) return readTraceText(await fs.promises.readFile(path, 'utf8'), options);
  const format = options.format ?? detectTraceFormat(head.slice(0, head.lastIndexOf('\n') + 1) || head);
  return readTraceStream(fs.createReadStream(path, { highWaterMark: 1 << 20 }), { ...options, format });
}
