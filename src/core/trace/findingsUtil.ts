import { DEFAULT_SEVERITY, type Finding, type OffsetRange, type RelatedLocation, type TraceRuleId } from '../findings';
import type { SourceRange } from './model';

/** Builds a trace finding with the shared defaults: rule severity, no steps, no fixes. */
export function traceFinding(
  kind: TraceRuleId,
  message: string,
  range: SourceRange,
  extra: Partial<Omit<Finding, 'kind' | 'message' | 'range'>> = {},
): Finding {
  return {
    kind,
    severity: DEFAULT_SEVERITY[kind],
    message,
    steps: [],
    range: offsetRange(range),
    related: [],
    fixes: [],
    ...extra,
  };
}

export function related(message: string, range: SourceRange): RelatedLocation {
  return { message, range: offsetRange(range) };
}

/** Copies the offsets of a range, and its line and column position when the reader recorded one. */
export function offsetRange(range: OffsetRange): OffsetRange {
  return range.position === undefined ? { start: range.start, end: range.end } : { start: range.start, end: range.end, position: range.position };
}

/** Formats epoch milliseconds as a UTC clock time, with milliseconds only when they are not zero. */
export function clock(at: number | undefined): string {
  if (at === undefined || !Number.isFinite(at)) return 'an unknown time';
  const iso = new Date(at).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(11, 19) : iso.slice(11, 23);
}

export function isoTime(at: number | undefined): string | undefined {
  return at === undefined || !Number.isFinite(at) ? undefined : new Date(at).toISOString();
}

/** Formats a duration in milliseconds for messages: "850 ms", "42 s", "30 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/**
 * Serialises a JSON value with object keys sorted, so equal inputs give equal strings. The
 * sorted list of every key in the value, passed as JSON.stringify's property list, sets the
 * order of each object's properties at every depth.
 */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const keys: string[] = [];
  collectKeys(value, keys);
  if (keys.length === 0) return JSON.stringify(value);
  keys.sort();
  return JSON.stringify(value, keys);
}

function collectKeys(value: object, keys: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === 'object') collectKeys(item, keys);
    return;
  }
  for (const key in value) {
    if (!keys.includes(key)) keys.push(key);
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') collectKeys(item, keys);
  }
}

/** Compares two JSON values structurally; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  let count = 0;
  for (const key in a) {
    count++;
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  for (const key in b) {
    if (Object.prototype.hasOwnProperty.call(b, key)) count--;
  }
  return count === 0;
}
