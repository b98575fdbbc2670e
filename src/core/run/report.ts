/**
 * Formats a run result for people (text and Markdown) and for programs (JSON).
 */
import type { OffsetRange } from '../findings';
import { escapeControlCharacters as clean } from '../report/escape';
import type { CallResult, RunResult } from './types';

/** Maps a source range to a 1-based `line:column` label, when the caller knows the text. */
export type PositionLabel = (range: OffsetRange) => string;

function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function note(call: CallResult): string {
  if (call.error !== undefined) return call.error.message;
  if (call.reason !== undefined) return `Stranded: ${call.reason}.`;
  return '';
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function totalsLine(result: RunResult): string {
  const s = result.summary;
  return `${s.total} calls: ${s.completed} completed, ${s.failed} failed, ${s.timedOut} timed out, ${s.killed} killed, ${s.stranded} stranded.`;
}

/**
 * Formats the result as a plain-text report: one row per call, then kills, deadlock and totals.
 * Control characters are escaped in every string that comes from the input: ids, tools, lock
 * names, messages, command output and position labels. So an id with a line feed or an escape
 * sequence stays on its own line and cannot act on the terminal.
 */
export function formatRunText(result: RunResult, position?: PositionLabel): string {
  const lines: string[] = [];
  const at = (range: OffsetRange | undefined): string => (position !== undefined && range !== undefined ? ` (${clean(position(range))})` : '');
  const name = result.source.name !== undefined ? ` "${clean(result.source.name)}"` : '';
  lines.push(`Run of ${result.source.kind}${name} on the ${result.clock} clock${result.endedBy !== undefined ? `, ended by ${result.endedBy}` : ''}.`);
  for (const problem of result.problems) {
    const first = result.calls.find((call) => call.id === problem.path[0]);
    lines.push(`Problem: ${clean(problem.message)}${at(first?.range)}`);
  }
  if (result.endedBy === 'rejected') {
    lines.push('The run was rejected before it started. Fix the problems above, or run the acyclic part (--run-acyclic).');
    return `${lines.join('\n')}\n`;
  }
  lines.push('');
  // Columns are sized by the escaped text, which is what the terminal shows.
  const rows = result.calls.map((call) => ({ call, id: clean(call.id), tool: clean(call.tool) }));
  const idWidth = Math.min(32, Math.max(4, ...rows.map((row) => row.id.length)));
  const toolWidth = Math.min(24, Math.max(4, ...rows.map((row) => row.tool.length)));
  lines.push(`${pad('CALL', idWidth)}  ${pad('TOOL', toolWidth)}  ${pad('OUTCOME', 8)}  ${pad('START', 8)}  ${pad('END', 8)}  ${pad('AGE', 8)}  NOTE`);
  for (const { call, id, tool } of rows) {
    lines.push(
      `${pad(id, idWidth)}  ${pad(tool, toolWidth)}  ${pad(call.outcome, 8)}  ${pad(ms(call.startMs), 8)}  ${pad(ms(call.endMs), 8)}  ${pad(ms(call.ageMs), 8)}  ${clean(note(call))}${at(call.range)}`,
    );
  }
  for (const call of result.calls) {
    if (call.output === undefined || call.output === '') continue;
    lines.push('', `Output of "${clean(call.id)}":`);
    for (const line of call.output.replace(/\n$/, '').split('\n')) lines.push(`  ${clean(line)}`);
  }
  if (result.kills.length > 0) {
    lines.push('');
    for (const kill of result.kills) {
      lines.push(`Watchdog killed "${clean(kill.id)}" (tool "${clean(kill.tool)}") at ${ms(kill.atMs)}, age ${ms(kill.ageMs)}, maximum ${ms(kill.maxDurationMs)}.`);
    }
  }
  if (result.deadlock !== undefined) {
    lines.push('');
    lines.push(`Deadlock at ${ms(result.deadlock.atMs)}: nothing could run and nothing could start.`);
    result.deadlock.cycles.forEach((cycle, k) => {
      const locks = result.deadlock?.cycleLocks[k] ?? [];
      lines.push(`  Wait-for cycle: ${cycle.map(clean).join(' -> ')}${locks.length > 0 ? ` (locks ${locks.map(clean).join(', ')})` : ''}`);
    });
    for (const entry of result.deadlock.stranded) lines.push(`  "${clean(entry.id)}": ${clean(entry.reason)}.`);
  }
  const s = result.summary;
  lines.push('');
  lines.push(totalsLine(result));
  lines.push(`Total time ${ms(s.totalMs)} against ${ms(s.sequentialMs)} run one at a time.`);
  if (s.criticalPath.steps.length > 0) lines.push(`Critical path (${ms(s.criticalPath.durationMs)}): ${s.criticalPath.steps.map(clean).join(' -> ')}`);
  return `${lines.join('\n')}\n`;
}

/** Builds the JSON form of a result, as `--format json` prints it. */
export function runResultJson(result: RunResult, position?: (range: OffsetRange) => { line: number; column: number }): unknown {
  return {
    source: result.source,
    clock: result.clock,
    ok: result.ok,
    endedBy: result.endedBy ?? null,
    problems: result.problems,
    calls: result.calls.map((call) => ({
      id: call.id,
      tool: call.tool,
      outcome: call.outcome,
      startMs: call.startMs ?? null,
      endMs: call.endMs ?? null,
      ageMs: call.ageMs ?? null,
      timeoutMs: call.timeoutMs,
      ...(call.error !== undefined ? { error: call.error } : {}),
      ...(call.reason !== undefined ? { reason: call.reason, waitsFor: call.waitsFor ?? [] } : {}),
      ...(call.exitCode !== undefined ? { exitCode: call.exitCode } : {}),
      ...(call.signal !== undefined && call.signal !== null ? { signal: call.signal } : {}),
      ...(call.output !== undefined ? { output: call.output } : {}),
      ...(position !== undefined && call.range !== undefined ? { position: position(call.range) } : {}),
    })),
    totals: result.summary,
    kills: result.kills,
    deadlock: result.deadlock ?? null,
  };
}

/**
 * Formats the result as Markdown with a timeline of calls. `link` turns a call into a link
 * target that opens its step, and `trace` links the run's trace file.
 */
export function formatRunMarkdown(result: RunResult, link?: (call: CallResult) => string | undefined, trace?: { label: string; link: string }): string {
  const lines: string[] = [];
  const name = result.source.name ?? result.source.kind;
  lines.push(`# Run summary: ${name}`, '');
  lines.push(`${result.ok ? 'Every call completed.' : totalsLine(result)} Clock: ${result.clock}.${result.endedBy !== undefined ? ` Ended by ${result.endedBy}.` : ''}`, '');
  for (const problem of result.problems) lines.push(`- Problem: ${problem.message}`);
  const s = result.summary;
  lines.push(`Total time **${ms(s.totalMs)}** against ${ms(s.sequentialMs)} sequential.`);
  if (s.criticalPath.steps.length > 0) lines.push(`Critical path (${ms(s.criticalPath.durationMs)}): ${s.criticalPath.steps.join(' → ')}.`);
  if (trace !== undefined) lines.push('', `Trace of this run: [${trace.label.replace(/[[\]]/g, '')}](${trace.link})`);
  lines.push('', '## Timeline', '');
  const span = Math.max(1, s.totalMs);
  const width = 40;
  lines.push('| Call | Tool | Outcome | Start | Age | Timeline | Note |', '|---|---|---|---|---|---|---|');
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const ordered = [...result.calls].sort((a, b) => (a.startMs ?? Infinity) - (b.startMs ?? Infinity));
  for (const call of ordered) {
    let bar = '';
    if (call.startMs !== undefined) {
      const from = Math.floor((call.startMs / span) * width);
      const to = Math.max(from + 1, Math.round(((call.endMs ?? s.totalMs) / span) * width));
      bar = `\`${'·'.repeat(from)}${'█'.repeat(Math.min(width, to) - from)}${'·'.repeat(Math.max(0, width - to))}\``;
    }
    const target = link?.(call);
    const label = target !== undefined ? `[${cell(call.id)}](${target})` : cell(call.id);
    lines.push(`| ${label} | ${cell(call.tool)} | ${call.outcome} | ${ms(call.startMs)} | ${ms(call.ageMs)} | ${bar} | ${cell(note(call))} |`);
  }
  if (result.kills.length > 0) {
    lines.push('', '## Watchdog kills', '');
    for (const kill of result.kills) lines.push(`- \`${kill.id}\` (${kill.tool}) at ${ms(kill.atMs)}, age ${ms(kill.ageMs)}, maximum ${ms(kill.maxDurationMs)}.`);
  }
  if (result.deadlock !== undefined) {
    lines.push('', '## Deadlock', '');
    result.deadlock.cycles.forEach((cycle, k) => {
      const locks = result.deadlock?.cycleLocks[k] ?? [];
      lines.push(`- Wait-for cycle: ${cycle.join(' → ')}${locks.length > 0 ? ` (locks ${locks.join(', ')})` : ''}`);
    });
    for (const entry of result.deadlock.stranded) lines.push(`- \`${entry.id}\`: ${entry.reason}.`);
  }
  return `${lines.join('\n')}\n`;
}
