/** Runs the CLI in-process with in-memory files, falling back to the real file system. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileChunks } from '../../../src/cli/fileInput';
import { main, type CliIo } from '../../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  argv: string[],
  files: Record<string, string> = {},
  settings: { env?: Record<string, string | undefined>; isTty?: boolean } = {},
): CliResult {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: (file) => (Object.hasOwn(files, file) ? files[file] : fs.readFileSync(file, 'utf8')),
    readChunks: (file) => (Object.hasOwn(files, file) ? textChunks(files[file]) : readFileChunks(file)),
    isTty: settings.isTty ?? false,
    env: settings.env ?? {},
  };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

/** Splits the UTF-8 bytes of a text into chunks of `chunkBytes`, as `readChunks` returns a file. */
export function textChunks(text: string, chunkBytes = 4096): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) chunks.push(bytes.subarray(start, start + chunkBytes));
  return chunks;
}

export const CLI_SOURCE = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
export const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');
