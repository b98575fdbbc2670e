/** Runs the CLI in-process with in-memory files, falling back to the real file system. */
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    isTty: settings.isTty ?? false,
    env: settings.env ?? {},
  };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

export const CLI_SOURCE = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
export const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');
