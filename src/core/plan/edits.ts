/**
 * Text edits on plan files that change only the entries they are about: removing list
 * entries with the separators that go with them, and writing an id in the quoting the file
 * already uses.
 */
import type { OffsetRange, TextEdit } from '../findings';
import type { PlanFormat, Step } from './model';

/** The position of a list entry in its list, enough to delete it cleanly. */
export interface ListEntryPlace {
  range: OffsetRange;
  /** Position of the entry in its list, counting every entry. */
  index: number;
  /** Every entry of the same list, in order, this one included. */
  siblings: readonly { range: OffsetRange }[];
  /** The whole list value, from `[` to `]` or over all `- item` lines. */
  listRange: OffsetRange;
  /** YAML block sequence (`- item` lines) rather than a flow list `[a, b]`. */
  block: boolean;
  /** True when a YAML anchor lets other steps share the list, so editing it changes them too. */
  shared?: boolean;
}

/** Returns the edit that removes one entry of a list, with the separator that goes with it. */
export function removeListEntry(text: string, place: ListEntryPlace): TextEdit {
  return removeListEntries(text, [place])[0];
}

/**
 * Returns non-overlapping edits that remove several entries, possibly of several lists, at
 * once. Consecutive entries of one flow list are removed as one run, so that two removals
 * never both claim the comma between them. A flow list that loses every entry becomes `[]`,
 * because a trailing comma would otherwise be left behind as `[,]`.
 */
export function removeListEntries(text: string, places: readonly ListEntryPlace[]): TextEdit[] {
  const byList = new Map<OffsetRange, ListEntryPlace[]>();
  for (const place of places) {
    const list = byList.get(place.listRange);
    if (list) list.push(place);
    else byList.set(place.listRange, [place]);
  }

  const edits: TextEdit[] = [];
  for (const [listRange, entries] of byList) {
    const first = entries[0];
    if (first.block) {
      for (const entry of new Map(entries.map((item) => [item.index, item])).values()) {
        edits.push({ range: blockEntryLine(text, entry.range), newText: '' });
      }
      continue;
    }
    const siblings = first.siblings;
    const removed = [...new Set(entries.map((entry) => entry.index))].sort((a, b) => a - b);
    if (removed.length >= siblings.length) {
      edits.push({ range: listRange, newText: '[]' });
      continue;
    }
    for (let start = 0; start < removed.length; ) {
      let end = start;
      while (end + 1 < removed.length && removed[end + 1] === removed[end] + 1) end++;
      const firstIndex = removed[start];
      const lastIndex = removed[end];
      if (lastIndex + 1 < siblings.length) {
        edits.push({ range: { start: siblings[firstIndex].range.start, end: siblings[lastIndex + 1].range.start }, newText: '' });
      } else {
        edits.push({ range: { start: siblings[firstIndex - 1].range.end, end: siblings[lastIndex].range.end }, newText: '' });
      }
      start = end + 1;
    }
  }
  return edits.sort((a, b) => a.range.start - b.range.start);
}

/** Returns the line or lines of a `- item` block sequence entry, with its line break. */
function blockEntryLine(text: string, range: OffsetRange): OffsetRange {
  let start = range.start;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = range.end;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text[end] === '\r' && text[end + 1] === '\n') end += 2;
  else if (end < text.length) end++;
  // When anything but the dash precedes the entry on its line (`- - x`), remove the entry alone.
  const prefix = text.slice(start, range.start).trim();
  if (prefix !== '-') return range;
  return { start, end };
}

/**
 * True when a fix may edit a list entry: it is written inside its own step and its list is
 * not shared. A YAML alias (`depends_on: *shared`) points into another step's text, and an
 * anchored list (`&shared`) is reused elsewhere, so editing either would change other steps.
 */
export function ownsEntry(step: Step, entry: { range: OffsetRange; shared?: boolean }): boolean {
  return entry.shared !== true && entry.range.start >= step.range.start && entry.range.end <= step.range.end;
}

const YAML_RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);

/** True when a YAML plain (unquoted) scalar would read back as exactly this string. */
export function isPlainYamlSafe(value: string): boolean {
  if (value.length === 0) return false;
  if (YAML_RESERVED.has(value.toLowerCase())) return false;
  if (!/^[A-Za-z_][A-Za-z0-9_.\-/]*$/u.test(value)) return false;
  return !/^[-+]?(\.?[0-9]|\.inf|\.nan)/i.test(value);
}

/**
 * Writes a string value the way the file writes the value it replaces: JSON always gets a
 * JSON string; YAML keeps a plain scalar plain when that is safe, and otherwise uses the
 * original quote style (single or double).
 */
export function formatStringLike(format: PlanFormat, value: string, originalSource: string): string {
  if (format === 'json') return JSON.stringify(value);
  const quote = originalSource.trimStart()[0];
  if (quote === "'") return `'${value.replace(/'/g, "''")}'`;
  if (quote === '"') return JSON.stringify(value);
  return isPlainYamlSafe(value) ? value : JSON.stringify(value);
}
