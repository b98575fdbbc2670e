/**
 * Text edits on plan files that change only the entry they are about: removing one list
 * entry with its separator, and writing an id in the quoting the file already uses.
 */
import type { OffsetRange, TextEdit } from '../findings';
import type { PlanFormat } from './model';

/** Where a list entry sits among its neighbours, enough to delete it cleanly. */
export interface ListEntryPlace {
  range: OffsetRange;
  previous?: OffsetRange;
  next?: OffsetRange;
  /** YAML block sequence (`- item` lines) rather than a flow list `[a, b]`. */
  block: boolean;
}

/** Returns the edit that removes one entry of a list, with the separator that goes with it. */
export function removeListEntry(text: string, place: ListEntryPlace): TextEdit {
  if (place.block) return { range: blockEntryLine(text, place.range), newText: '' };
  if (place.next) return { range: { start: place.range.start, end: place.next.start }, newText: '' };
  if (place.previous) return { range: { start: place.previous.end, end: place.range.end }, newText: '' };
  return { range: place.range, newText: '' };
}

/** The whole line or lines of a `- item` block sequence entry, including its line break. */
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
