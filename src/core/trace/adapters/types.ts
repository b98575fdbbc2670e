import type { TraceBuilder } from '../builder';
import type { SourceRange, TraceFormat } from '../model';

/** A path into a JSON value, as jsonc-parser spells it. */
export type JsonPath = (string | number)[];

/** Returns the source range of the value at a path inside the value being adapted. */
export type Locate = (path: JsonPath) => SourceRange;

/**
 * Turns parsed JSON values (one line, or a whole document) of one format into trace events.
 * Adapters keep whatever state pairing needs, so one instance reads one trace.
 */
export interface TraceAdapter {
  readonly format: TraceFormat;
  /** Adds the events of `value` to the builder. Returns a problem when the value is not an event of this format. */
  value(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined;
}

/** The path of the value itself, shared so that line formats allocate no path per event. */
export const WHOLE_VALUE: JsonPath = [];
