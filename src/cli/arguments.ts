/** A small argument parser: one command, positionals, `--flag`, and `--option value` or `--option=value`. */
export class UsageError extends Error {}

export interface ParsedArguments {
  command: string | undefined;
  positionals: string[];
  /** Options in the order given; repeated options keep every value. */
  options: Map<string, string[]>;
  flags: Set<string>;
}

/** Options that take a value. Everything else starting with `--` is a flag. */
export const VALUE_OPTIONS = new Set(['format', 'fail-on', 'timeout', 'default-timeout', 'clock', 'speed', 'concurrency', 'out', 'deadline', 'watchdog-interval', 'idle-timeout', 'grace']);
export const FLAGS = new Set(['help', 'version', 'no-color', 'color', 'allow-commands', 'lock-order', 'acyclic-part', 'quiet']);

export function parseArguments(argv: string[]): ParsedArguments {
  const result: ParsedArguments = { command: undefined, positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--') {
      result.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (argument === '-h') {
      result.flags.add('help');
      continue;
    }
    if (argument.startsWith('--')) {
      const equals = argument.indexOf('=');
      const name = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
      if (VALUE_OPTIONS.has(name)) {
        const value = equals === -1 ? argv[++i] : argument.slice(equals + 1);
        if (value === undefined) throw new UsageError(`--${name} needs a value.`);
        const list = result.options.get(name) ?? [];
        list.push(value);
        result.options.set(name, list);
      } else if (FLAGS.has(name) && equals === -1) {
        result.flags.add(name);
      } else {
        throw new UsageError(`unknown option --${name}.`);
      }
      continue;
    }
    if (result.command === undefined) result.command = argument;
    else result.positionals.push(argument);
  }
  return result;
}
