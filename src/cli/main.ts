/**
 * `agent-deadlock`: the command-line checker. It runs the same engine as the extension.
 * Exit codes: 0 when clean, 1 when anything is found, 2 for a usage error or an unreadable file.
 */
import * as fs from 'node:fs';
import { planFormatForPath } from '../core/plan/parse';
import { checkPlan } from '../core/plan/check';
import { planGraphModel } from '../core/graph/planGraph';
import { toDot, toGraphJson, toMermaid } from '../core/report/export';
import { escapeControlCharacters } from '../core/report/escape';
import { formatLocation, isUnreadable, locate, type FileResult } from '../core/report/fileReport';
import { formatJson } from '../core/report/json';
import { formatSarif } from '../core/report/sarif';
import { formatText } from '../core/report/text';
import type { Severity } from '../core/findings';
import { checkInput, InputError, type CheckOptions } from './inputs';
import { checkFile, readFileChunks, readWholeFile, type InputFiles } from './fileInput';
import './traceInput';
import { parseArguments, UsageError, type ParsedArguments } from './arguments';
import { VERSION } from './version';
import { describeError } from './errors';
import { runCommand } from './run';

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** The CLI's input and output, so tests can pass their own. */
export interface CliIo extends InputFiles {
  stdout(text: string): void;
  stderr(text: string): void;
  isTty: boolean;
  env: Record<string, string | undefined>;
}

export const HELP = `Usage:
  agent-deadlock check FILE... [--format text|json|sarif] [--fail-on error|warning|info]
                               [--timeout TOOL=MS]... [--default-timeout MS] [--no-color]
  agent-deadlock graph FILE [--format dot|mermaid|json]
  agent-deadlock run FILE [--clock virtual|real] [--speed N] [--timeout TOOL=MS]...
                          [--concurrency N] [--format text|json] [--out TRACE.jsonl]
                          [--allow-commands]   (see agent-deadlock run --help)
  agent-deadlock --help | --version

check   Reads plans (*.plan.json, *.plan.yaml, *.plan.yml, or a $schema naming the plan
        schema) and agent traces, and reports cycles, unknown and duplicate ids, blocked
        steps, lock-order inversions, deadlocks, hung and orphaned calls.
graph   Prints a plan's dependency graph with cycle members marked.
run     Runs a plan or trace under per-tool timeouts and a watchdog, and prints each
        call's outcome, the totals and the critical path. Exits 0 when every call
        completed, 1 otherwise, 2 for bad input.

Options:
  --format FORMAT       Output format. check: text (default), json or sarif.
                        graph: dot (default), mermaid or json.
  --fail-on SEVERITY    Lowest severity that makes check exit with 1 (default: info,
                        so any finding does).
  --timeout TOOL=MS     Timeout in milliseconds for one tool, when judging hung calls
                        in traces. Repeat for several tools.
  --default-timeout MS  Timeout in milliseconds for tools without their own (default 30000).
  --no-color            Plain text output. Color is also off when NO_COLOR is set to a
                        non-empty value or the output is not a terminal.

Exit codes: 0 no findings, 1 findings, 2 usage error or unreadable file. graph exits
with 1 when the plan has syntax or schema errors, and 2 when no step could be read.
`;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export type Subcommand = (args: ParsedArguments, io: CliIo) => number;

/** Extra subcommands, such as `run`, registered by other modules. */
export const SUBCOMMANDS = new Map<string, Subcommand>();

export function main(argv: string[], io: CliIo): number {
  let args: ParsedArguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`agent-deadlock: ${error.message}\nRun \`agent-deadlock --help\` for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  if (args.flags.has('version')) {
    io.stdout(`${VERSION}\n`);
    return EXIT_CLEAN;
  }
  if (args.flags.has('help') || args.command === undefined) {
    io.stdout(HELP);
    return args.command === undefined && !args.flags.has('help') ? EXIT_USAGE : EXIT_CLEAN;
  }

  try {
    if (args.command === 'check') return runCheck(args, io);
    if (args.command === 'graph') return runGraph(args, io);
    const extra = SUBCOMMANDS.get(args.command);
    if (extra) return extra(args, io);
    throw new UsageError(`unknown command "${args.command}". Commands: check, graph${[...SUBCOMMANDS.keys()].map((name) => `, ${name}`).join('')}.`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr(`agent-deadlock: ${escapeControlCharacters(error.message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** Parses a non-negative whole number of milliseconds, or returns undefined. */
function parseMilliseconds(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const milliseconds = Number(value);
  return Number.isSafeInteger(milliseconds) ? milliseconds : undefined;
}

export function checkOptions(args: ParsedArguments): CheckOptions {
  const toolTimeouts = new Map<string, number>();
  for (const value of args.options.get('timeout') ?? []) {
    // The last `=` splits, so tool names may contain `=`.
    const equals = value.lastIndexOf('=');
    if (equals <= 0) throw new UsageError(`invalid --timeout "${value}". Write it as TOOL=MS, for example --timeout Bash=120000.`);
    const milliseconds = parseMilliseconds(value.slice(equals + 1));
    if (milliseconds === undefined) {
      throw new UsageError(`invalid --timeout "${value}": the milliseconds must be a whole number 0 or more, for example --timeout Bash=120000.`);
    }
    toolTimeouts.set(value.slice(0, equals), milliseconds);
  }
  const defaultValue = args.options.get('default-timeout')?.at(-1);
  let defaultTimeoutMs = 30_000;
  if (defaultValue !== undefined) {
    const milliseconds = parseMilliseconds(defaultValue);
    if (milliseconds === undefined) throw new UsageError(`invalid --default-timeout "${defaultValue}": the milliseconds must be a whole number 0 or more.`);
    defaultTimeoutMs = milliseconds;
  }
  return { toolTimeouts, defaultTimeoutMs };
}

function runCheck(args: ParsedArguments, io: CliIo): number {
  const format = args.options.get('format')?.at(-1) ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`invalid --format "${format}" for check. Use text, json or sarif.`);
  const failOn = (args.options.get('fail-on')?.at(-1) ?? 'info') as Severity;
  if (!(failOn in SEVERITY_RANK)) throw new UsageError(`invalid --fail-on "${failOn}". Use error, warning or info.`);
  if (args.positionals.length === 0) throw new UsageError('check needs at least one FILE.');

  const options = checkOptions(args);
  // Files that cannot be read stay in the results, so every format lists them.
  const results: FileResult[] = [];
  let unreadable = false;
  for (const path of args.positionals) {
    try {
      results.push(checkFile(path, io, options));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      io.stderr(`agent-deadlock: ${escapeControlCharacters(error.message)}\n`);
      results.push({ path, error: error.reason.replace(/\.$/, '') });
      unreadable = true;
    }
  }

  if (format === 'json') io.stdout(formatJson(results));
  else if (format === 'sarif') io.stdout(formatSarif(results, VERSION));
  else io.stdout(formatText(results, { color: useColor(args, io) }));

  if (unreadable) return EXIT_USAGE;
  const failing = results.some((report) => !isUnreadable(report) && report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]));
  return failing ? EXIT_FINDINGS : EXIT_CLEAN;
}

function runGraph(args: ParsedArguments, io: CliIo): number {
  const format = args.options.get('format')?.at(-1) ?? 'dot';
  if (!['dot', 'mermaid', 'json'].includes(format)) throw new UsageError(`invalid --format "${format}" for graph. Use dot, mermaid or json.`);
  if (args.positionals.length !== 1) throw new UsageError('graph needs exactly one plan FILE.');
  const path = args.positionals[0];
  const text = readWholeFile(path, io);
  const report = checkInput(path, text, checkOptions(args));
  if (report.kind !== 'plan') throw new UsageError(`${path} is a trace; graph exports plans. Open traces in the editor to see their wait-for graph.`);
  const analysis = checkPlan(text, planFormatForPath(path) ?? (report.format.includes('YAML') ? 'yaml' : 'json'));

  // A graph of a file that does not parse would silently miss steps, so it is not printed.
  // Schema errors leave the structure readable, so the graph is printed but the exit code is 1.
  const readErrors = analysis.findings.filter((finding) => finding.kind === 'syntax-error' || finding.kind === 'invalid-plan');
  for (const finding of readErrors) io.stderr(`${escapeControlCharacters(`${formatLocation(locate(report, finding.range))} ${finding.message}`)}\n`);
  if (readErrors.length > 0 && analysis.plan.steps.length === 0) return EXIT_USAGE;
  if (readErrors.some((finding) => finding.kind === 'syntax-error')) return EXIT_FINDINGS;

  const model = planGraphModel(analysis, path);
  const exporters: Record<string, (graph: typeof model) => string> = { dot: toDot, mermaid: toMermaid, json: toGraphJson };
  io.stdout(exporters[format](model));
  return readErrors.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

function useColor(args: ParsedArguments, io: CliIo): boolean {
  // An empty NO_COLOR or FORCE_COLOR counts as unset, as no-color.org specifies for NO_COLOR.
  if (args.flags.has('no-color') || (io.env.NO_COLOR ?? '') !== '') return false;
  if (args.flags.has('color') || (io.env.FORCE_COLOR ?? '') !== '') return true;
  return io.isTty;
}

/** Returns the I/O of the running process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => fs.readFileSync(path, 'utf8'),
    readChunks: (path) => readFileChunks(path),
    isTty: process.stdout.isTTY === true,
    env: process.env,
  };
}

/**
 * Handles write errors on stdout or stderr. When the reader goes away, as `head` does, Node
 * (which ignores SIGPIPE) emits EPIPE as an error event, which would otherwise crash with a
 * stack trace. The stream is then closed, later writes are dropped, and the process ends with
 * the exit code the command computed, as soon as its work is done. `check` and `graph` write
 * only at the end, and `run` prints its summary only at the end, so no work is cut short.
 * Other write errors, such as a full disk, are reported in one line and exit with 2.
 */
export function handleOutputErrors(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    if (name === 'stdout') process.stderr.write(`agent-deadlock: cannot write the output: ${describeError(error)}.\n`);
    process.exit(EXIT_USAGE);
  });
}

if (require.main === module) {
  handleOutputErrors(process.stdout, 'stdout');
  handleOutputErrors(process.stderr, 'stderr');
  const argv = process.argv.slice(2);
  const internalError = (error: unknown): number => {
    let detail = describeError(error);
    if (process.env.AGENT_DEADLOCK_DEBUG && error instanceof Error && error.stack) detail = error.stack;
    process.stderr.write(
      `agent-deadlock: internal error: ${detail}\nPlease report it with the input that caused it. ` +
        'Set AGENT_DEADLOCK_DEBUG=1 to include the stack trace.\n',
    );
    return EXIT_USAGE;
  };
  if (argv[0] === 'run') {
    // `run` is asynchronous because it may wait for real time and child processes.
    const io = processIo();
    runCommand(argv.slice(1), { stdout: io.stdout, stderr: io.stderr, cwd: process.cwd() }).then(
      (code) => (process.exitCode = code),
      (error: unknown) => (process.exitCode = internalError(error)),
    );
  } else {
    let code: number;
    try {
      code = main(argv, processIo());
    } catch (error) {
      code = internalError(error);
    }
    // Let stdout drain before exiting, so piped output is never cut.
    process.exitCode = code;
  }
}
