import { DEFAULT_SEVERITY, type Finding, type RelatedLocation, type TraceRuleId } from '../findings';
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
    range: { start: range.start, end: range.end },
    related: [],
    fixes: [],
    ...extra,
  };
}

export function related(message: string, range: SourceRange): RelatedLocation {
  return { message, range: { start: range.start, end: range.end } };
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

/** Serialises a JSON value with object keys sorted, so equal inputs give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${stableStringify(item)}`);
  }
  return `{${parts.join(',')}}`;
}
