/**
 * A fast path for well-formed JSON plans. It builds the `Plan` directly, without the ranged tree
 * (several objects per value) or the event API (a closure call and a path copy per token).
 * Whitespace, punctuation, the usual keys and strings without escapes are read from the source;
 * jsonc-parser's scanner reads every other token. It accepts only input that the general reader
 * would accept without any finding, and returns undefined as soon as anything else appears,
 * so the general reader, which owns every error message, handles the rest. A property test
 * checks that both paths give the same result on valid plans and that the fast path declines
 * every text the general reader reports.
 */
import { createScanner, type JSONScanner, type SyntaxKind } from 'jsonc-parser';
import type { OffsetRange } from '../findings';
import type { Dependency, DependencyTable, LockUse, Plan, PlanShape, Step, StepBehavior } from './model';
import { STEP_BEHAVIORS } from './model';
import { HASH_PRIME, HASH_SEED, IdIndex, hashId } from '../graph/idIndex';
import { MAX_NESTING } from './tree';

/**
 * Replaces a leading byte order mark with a space. jsonc-parser rejects the mark, and a
 * character of the same length keeps every offset valid for the original text.
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/** Thrown to leave the fast path; never escapes this module. */
class Bail extends Error {}
const BAIL = new Bail();
const NO_DEPENDENCIES: Dependency[] = Object.freeze([]) as unknown as Dependency[];
const NO_LOCKS: LockUse[] = Object.freeze([]) as unknown as LockUse[];

/** The `depends_on` entries of a whole plan, with the range of each entry's value. */
interface EntryTable extends DependencyTable {
  ids: string[];
  /** `SPAN_SIZE` offsets for each step. */
  spans: Int32Array;
  first: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  targets: Int32Array;
  stepIds: IdIndex;
}

/**
 * A list of integers that grows by doubling. Its buffers are typed arrays, which the garbage
 * collector does not scan or copy, unlike arrays of numbers.
 */
class IntList {
  private data = new Int32Array(256);
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Appends every value of `values`. */
  pushAll(values: Int32Array): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /** Doubles the buffer until it has room for `needed` values. */
  private grow(needed: number): void {
    let size = this.data.length * 2;
    while (size < needed) size *= 2;
    const larger = new Int32Array(size);
    larger.set(this.data);
    this.data = larger;
  }

  /** Returns the values pushed so far, without a copy. */
  values(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

// Offsets kept for each step in the table's `spans`, at `index * SPAN_SIZE + field`.
// -1 marks an absent `tool` or `depends_on`.
const SPAN_START = 0;
const SPAN_END = 1;
const ID_START = 2;
const ID_END = 3;
const TOOL_START = 4;
const TOOL_END = 5;
const LIST_START = 6;
const LIST_END = 7;
const KEY_START = 8;
const KEY_END = 9;
const SPAN_SIZE = 10;

/** The fields that few steps have, kept apart so that most steps stay small. */
interface StepExtras {
  locks?: LockUse[];
  locksRange?: OffsetRange;
  input?: unknown;
  timeoutMs?: number;
  durationMs?: number;
  command?: string;
  behavior?: StepBehavior;
  description?: string;
}

/**
 * A step read by the fast path. Its offsets live in the plan's table, and range objects are
 * made when they are read. Its `depends_on` entries become `Dependency` objects only when
 * `dependsOn` is first read. The analysis works from the table, so a large clean plan builds
 * neither, and each step is one small object besides its strings.
 */
class TableStep implements Step {
  id = '';
  tool = '';
  extras: StepExtras | undefined = undefined;
  private entries: Dependency[] | undefined = undefined;
  private listRange: OffsetRange | undefined = undefined;

  constructor(
    private readonly table: EntryTable,
    readonly index: number,
  ) {}

  private span(field: number): number {
    return this.table.spans[this.index * SPAN_SIZE + field];
  }

  get range(): OffsetRange {
    return { start: this.span(SPAN_START), end: this.span(SPAN_END) };
  }

  get idRange(): OffsetRange {
    return { start: this.span(ID_START), end: this.span(ID_END) };
  }

  get toolRange(): OffsetRange | undefined {
    return this.span(TOOL_START) < 0 ? undefined : { start: this.span(TOOL_START), end: this.span(TOOL_END) };
  }

  get dependsOn(): Dependency[] {
    if (this.entries) return this.entries;
    const { ids, starts, ends, first } = this.table;
    const from = first[this.index];
    const count = first[this.index + 1] - from;
    if (count === 0) return (this.entries = NO_DEPENDENCIES);
    const listRange = this.dependsOnRange!;
    const list: Dependency[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const k = from + i;
      list[i] = { id: ids[k], range: { start: starts[k], end: ends[k] }, index: i, siblings: list, listRange, block: false };
    }
    return (this.entries = list);
  }

  get dependsOnRange(): OffsetRange | undefined {
    if (this.span(LIST_START) < 0) return undefined;
    return (this.listRange ??= { start: this.span(LIST_START), end: this.span(LIST_END) });
  }

  get dependsOnKeyRange(): OffsetRange | undefined {
    return this.span(KEY_START) < 0 ? undefined : { start: this.span(KEY_START), end: this.span(KEY_END) };
  }

  get locks(): LockUse[] {
    return this.extras?.locks ?? NO_LOCKS;
  }

  get locksRange(): OffsetRange | undefined {
    return this.extras?.locksRange;
  }

  get input(): unknown {
    return this.extras?.input;
  }

  get timeoutMs(): number | undefined {
    return this.extras?.timeoutMs;
  }

  get durationMs(): number | undefined {
    return this.extras?.durationMs;
  }

  get command(): string | undefined {
    return this.extras?.command;
  }

  get behavior(): StepBehavior | undefined {
    return this.extras?.behavior;
  }

  get description(): string | undefined {
    return this.extras?.description;
  }

  /** Returns the step as the general reader builds it, for JSON output and comparisons. */
  toJSON(): Step {
    const { index, id, tool, dependsOn, locks, range, idRange } = this;
    const step: Step = { index, id, tool, dependsOn, locks, range, idRange };
    const optional = {
      ...this.extras,
      toolRange: this.toolRange,
      dependsOnRange: this.dependsOnRange,
      dependsOnKeyRange: this.dependsOnKeyRange,
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(step, { [key]: value });
    return step;
  }
}

// jsonc-parser's token kinds (its `SyntaxKind` is a const enum, which isolated modules cannot
// read). Kinds 12 to 15 are comments, whitespace and line breaks.
const OPEN_BRACE = 1 as SyntaxKind;
const CLOSE_BRACE = 2 as SyntaxKind;
const OPEN_BRACKET = 3 as SyntaxKind;
const CLOSE_BRACKET = 4 as SyntaxKind;
const COMMA = 5 as SyntaxKind;
const COLON = 6 as SyntaxKind;
const NULL = 7 as SyntaxKind;
const TRUE = 8 as SyntaxKind;
const FALSE = 9 as SyntaxKind;
const STRING = 10 as SyntaxKind;
const NUMBER = 11 as SyntaxKind;
const FIRST_TRIVIA = 12 as SyntaxKind;
const LAST_TRIVIA = 15 as SyntaxKind;
const UNKNOWN = 16 as SyntaxKind;
const EOF = 17 as SyntaxKind;

const CHAR_COMMA = 0x2c;
const CHAR_QUOTE = 0x22;
const CHAR_BACKSLASH = 0x5c;
// Copied once: loaders that emit CommonJS, such as the one the benchmark runs under, turn each
// use of an imported binding into a getter call, which is costly in the loop of `simpleString`.
const SEED = HASH_SEED;
const PRIME = HASH_PRIME;
/** Number of slots in the reader's tool-name cache, a power of two. */
const TOOL_CACHE_SIZE = 64;
const CHAR_COLON = 0x3a;

// Bits for the known keys of a step, so that a repeated key leaves the fast path: the general
// reader warns about it.
const ID = 1;
const TOOL = 2;
const DEPENDS_ON = 4;
const LOCKS = 8;
const TIMEOUT = 16;
const DURATION = 32;
const COMMAND = 64;
const BEHAVIOR = 128;
const DESCRIPTION = 256;
const INPUT = 512;

export function readJsonPlanFast(text: string): Plan | undefined {
  try {
    return new FastReader(withoutByteOrderMark(text)).readPlan(text);
  } catch (error) {
    // A stack overflow on deep nesting is left to the general reader, which reports it.
    if (error === BAIL || error instanceof RangeError) return undefined;
    throw error;
  }
}

class FastReader {
  private readonly scanner: JSONScanner;

  private readonly source: string;
  /**
   * Offset of the next character to read. The reader steps over whitespace, punctuation and
   * simple strings itself, and places the scanner here only for the tokens it leaves to it.
   */
  private position = 0;
  // The steps share this table, whose lists are filled in when the plan has been read.
  private readonly table: EntryTable = {
    ids: [],
    spans: new Int32Array(0),
    first: new Int32Array(0),
    starts: new Int32Array(0),
    ends: new Int32Array(0),
    targets: new Int32Array(0),
    stepIds: new IdIndex(),
  };
  private readonly spans = new IntList();
  private readonly span = new Int32Array(SPAN_SIZE);
  // The offsets of the key that `stepKey` read last.
  private keyStart = 0;
  private keyEnd = 0;
  // The token that `simpleString` read last: its offsets, quotes included, and `hashId` of its value.
  private stringStart = 0;
  private stringEnd = 0;
  private stringHash = 0;
  /** Recent tool names by hash, so that a plan's many steps with one tool share its string. */
  private readonly toolNames: (string | undefined)[] = new Array(TOOL_CACHE_SIZE).fill(undefined);
  private readonly first = new IntList();
  private readonly starts = new IntList();
  private readonly ends = new IntList();
  private readonly targets = new IntList();

  constructor(source: string) {
    this.source = source;
    this.scanner = createScanner(source, false);
  }

  /** Moves to the next token that is not whitespace or a comment, and leaves on any scan error. */
  private next(): SyntaxKind {
    const scanner = this.scanner;
    for (;;) {
      scanner.setPosition(this.skipWhitespace());
      const token = scanner.scan();
      if (scanner.getTokenError() !== 0 || token === UNKNOWN) throw BAIL;
      this.position = scanner.getPosition();
      if (token < FIRST_TRIVIA || token > LAST_TRIVIA) return token;
    }
  }

  /**
   * Steps over spaces, tabs and line breaks, and returns the position of the next character.
   * The scanner builds a string of every run of whitespace it passes, which is garbage here.
   */
  private skipWhitespace(): number {
    const source = this.source;
    let position = this.position;
    let code = source.charCodeAt(position);
    while (code === 32 || code === 10 || code === 13 || code === 9) code = source.charCodeAt(++position);
    return (this.position = position);
  }

  /**
   * Consumes the single character `code` (a colon, comma or bracket) if it comes next after
   * plain whitespace. Punctuation needs no token value, so the scanner is not asked for one.
   * Anything else, comments included, is left to the scanner.
   */
  private skip(code: number): boolean {
    const position = this.skipWhitespace();
    if (this.source.charCodeAt(position) !== code) return false;
    this.position = position + 1;
    return true;
  }

  /**
   * Reads a string token without escapes or control characters straight from the source, and
   * hashes its value on the way. Such strings are nearly all of a plan, and the scanner would
   * build each one in a loop of its own before the reader hashed it again. Returns false, having
   * consumed nothing, for anything else, which the caller then passes to the scanner.
   */
  private simpleString(): boolean {
    const source = this.source;
    const start = this.skipWhitespace();
    if (source.charCodeAt(start) !== CHAR_QUOTE) return false;
    let hash = SEED;
    let position = start + 1;
    for (;;) {
      const code = source.charCodeAt(position);
      if (code === CHAR_QUOTE) break;
      // Past the end, `code` is NaN, and the scanner reports the unterminated string.
      if (!(code >= 0x20) || code === CHAR_BACKSLASH) return false;
      hash = Math.imul(hash ^ code, PRIME);
      position++;
    }
    this.stringStart = start;
    this.stringEnd = position + 1;
    this.stringHash = hash;
    this.position = position + 1;
    return true;
  }

  /**
   * Reads a string value, from the source when it is simple and through the scanner otherwise,
   * and leaves its offsets and hash where `simpleString` leaves them.
   */
  private stringToken(): string {
    if (this.simpleString()) return this.source.slice(this.stringStart + 1, this.stringEnd - 1);
    const value = this.string();
    this.stringStart = this.offset();
    this.stringEnd = this.stringStart + this.scanner.getTokenLength();
    this.stringHash = hashId(value);
    return value;
  }

  /** Returns `name`, or an equal tool name read shortly before, so that steps share one string. */
  private toolName(name: string): string {
    const slot = this.stringHash & (TOOL_CACHE_SIZE - 1);
    const cached = this.toolNames[slot];
    if (cached === name) return cached;
    return (this.toolNames[slot] = name);
  }

  private expect(token: SyntaxKind): void {
    if (this.next() !== token) throw BAIL;
  }

  private expectColon(): void {
    if (!this.skip(CHAR_COLON)) this.expect(COLON);
  }

  private offset(): number {
    return this.scanner.getTokenOffset();
  }

  private range(): OffsetRange {
    const start = this.scanner.getTokenOffset();
    return { start, end: start + this.scanner.getTokenLength() };
  }

  /** Reads a string value, or leaves when the next value is anything else. */
  private string(): string {
    if (this.next() !== STRING) throw BAIL;
    return this.scanner.getTokenValue();
  }

  /** Reads a finite number of at least zero, as `timeout_ms` and `duration_ms` must be. */
  private duration(): number {
    if (this.next() !== NUMBER) throw BAIL;
    const value = Number(this.scanner.getTokenValue());
    if (!(value >= 0) || !Number.isFinite(value)) throw BAIL;
    return value;
  }

  /**
   * Reads what follows an entry of an object or list: the next token after a comma, or the
   * closing token. A trailing comma is accepted, as the general reader accepts it.
   */
  private afterEntry(close: SyntaxKind): SyntaxKind {
    return this.separator(close) ? this.next() : close;
  }

  /** Reads the separator after an entry: true after a comma, false at the closing token. */
  private separator(close: SyntaxKind): boolean {
    if (this.skip(CHAR_COMMA)) return true;
    const token = this.next();
    if (token === COMMA) return true;
    if (token !== close) throw BAIL;
    return false;
  }

  /** At a key token: reads the colon and returns the key. */
  private key(token: SyntaxKind): string {
    if (token !== STRING) throw BAIL;
    const key = this.scanner.getTokenValue();
    this.expectColon();
    return key;
  }

  readPlan(text: string): Plan {
    let shape: PlanShape = 'array';
    let name: string | undefined;
    let defaultTimeout: number | undefined;
    let steps: Step[] | undefined;
    let stepsRange: OffsetRange | undefined;

    let token = this.next();
    if (token === OPEN_BRACKET) {
      stepsRange = { start: this.offset(), end: 0 };
      steps = this.steps(stepsRange);
    } else if (token === OPEN_BRACE) {
      let hasName = false;
      let hasDefaults = false;
      token = this.next();
      while (token !== CLOSE_BRACE) {
        const key = this.key(token);
        if (key === 'steps' || key === 'plan') {
          if (steps) throw BAIL;
          shape = key;
          this.expect(OPEN_BRACKET);
          stepsRange = { start: this.offset(), end: 0 };
          steps = this.steps(stepsRange);
        } else if (key === 'name') {
          if (hasName) throw BAIL;
          hasName = true;
          name = this.string();
        } else if (key === 'defaults') {
          if (hasDefaults) throw BAIL;
          hasDefaults = true;
          defaultTimeout = this.defaults();
        } else {
          this.plain(this.next(), 2);
        }
        token = this.afterEntry(CLOSE_BRACE);
      }
    } else {
      throw BAIL;
    }
    if (!steps || !stepsRange || this.next() !== EOF) throw BAIL;
    const defaults = defaultTimeout === undefined ? {} : { timeoutMs: defaultTimeout };
    const plan: Plan = { text, format: 'json', shape, name, defaults, steps, stepsRange };
    // Not enumerable, so that JSON output and comparisons see the same plan as from the general reader.
    this.table.spans = this.spans.values();
    this.table.first = this.first.values();
    this.table.starts = this.starts.values();
    this.table.ends = this.ends.values();
    this.table.targets = this.targets.values();
    Object.defineProperty(plan, 'dependencyTable', { value: this.table });
    return plan;
  }

  /** Reads `defaults`: an object whose only key is `timeout_ms`. */
  private defaults(): number | undefined {
    this.expect(OPEN_BRACE);
    let timeout: number | undefined;
    let token = this.next();
    while (token !== CLOSE_BRACE) {
      if (this.key(token) !== 'timeout_ms' || timeout !== undefined) throw BAIL;
      timeout = this.duration();
      token = this.afterEntry(CLOSE_BRACE);
    }
    return timeout;
  }

  /** Reads the list of steps after its `[`, and sets the end of its range. */
  private steps(listRange: OffsetRange): Step[] {
    const steps: Step[] = [];
    let token = this.next();
    while (token !== CLOSE_BRACKET) {
      if (token !== OPEN_BRACE) throw BAIL;
      steps.push(this.step(steps.length));
      token = this.afterEntry(CLOSE_BRACKET);
    }
    this.first.push(this.table.ids.length);
    listRange.end = this.offset() + 1;
    return steps;
  }

  /** Reads one step after its `{`. */
  private step(index: number): TableStep {
    const start = this.offset();
    // A step without an id leaves the fast path, so idStart and idEnd are always set.
    const step = new TableStep(this.table, index);
    // The step's offsets are gathered here and appended to the table when the step ends.
    const span = this.span.fill(-1);
    span[SPAN_START] = start;
    this.first.push(this.table.ids.length);
    let seen = 0;
    for (;;) {
      const bit = this.stepKey();
      // An empty step, or a trailing comma.
      if (bit < 0) break;
      if (seen & bit) throw BAIL;
      seen |= bit;
      this.stepValue(step, bit, span);
      if (!this.separator(CLOSE_BRACE)) break;
    }
    if (!(seen & ID) || !(seen & TOOL)) throw BAIL;
    span[SPAN_END] = this.offset() + 1;
    this.spans.pushAll(span);
    return step;
  }

  /**
   * Reads a step's key and its colon, and returns the key's bit, or -1 at the closing brace.
   * The usual keys are matched in the source, which spares the scanner a string per key.
   * Other keys, keys with escapes, comments and the brace go through the scanner.
   */
  private stepKey(): number {
    let start = this.skipWhitespace();
    let bit = knownKeyAt(this.source, start);
    let end = start + KEY_TOKEN_LENGTH[bit];
    if (bit !== 0) {
      this.position = end;
    } else {
      const token = this.next();
      if (token === CLOSE_BRACE) return -1;
      if (token !== STRING) throw BAIL;
      start = this.offset();
      end = start + this.scanner.getTokenLength();
      bit = fieldBit(this.scanner.getTokenValue());
    }
    this.expectColon();
    this.keyStart = start;
    this.keyEnd = end;
    return bit;
  }

  /** Reads the value of the key `bit` into the step and its offsets. */
  private stepValue(step: TableStep, bit: number, span: Int32Array): void {
    switch (bit) {
      case ID:
        step.id = this.stringToken();
        if (step.id === '') throw BAIL;
        this.table.stepIds.add(step.id, this.stringHash);
        span[ID_START] = this.stringStart;
        span[ID_END] = this.stringEnd;
        break;
      case TOOL:
        step.tool = this.toolName(this.stringToken());
        span[TOOL_START] = this.stringStart;
        span[TOOL_END] = this.stringEnd;
        break;
      case DEPENDS_ON:
        span[KEY_START] = this.keyStart;
        span[KEY_END] = this.keyEnd;
        this.dependencies(span);
        break;
      case LOCKS:
        this.locks(step);
        break;
      case TIMEOUT:
        (step.extras ??= {}).timeoutMs = this.duration();
        break;
      case DURATION:
        (step.extras ??= {}).durationMs = this.duration();
        break;
      case COMMAND:
        (step.extras ??= {}).command = this.string();
        break;
      case DESCRIPTION:
        (step.extras ??= {}).description = this.string();
        break;
      case BEHAVIOR: {
        const value = this.string();
        if (!(STEP_BEHAVIORS as readonly string[]).includes(value)) throw BAIL;
        (step.extras ??= {}).behavior = value as StepBehavior;
        break;
      }
      case INPUT:
        // `input` must be an object.
        if (this.next() !== OPEN_BRACE) throw BAIL;
        (step.extras ??= {}).input = this.plain(OPEN_BRACE, 3);
        break;
      default:
        // Unknown fields are kept out of the model, but must still be valid JSON.
        this.plain(this.next(), 3);
    }
  }

  /** Reads `depends_on`, a list of non-empty ids or `null` for none, into the plan's table. */
  private dependencies(span: Int32Array): void {
    const token = this.next();
    span[LIST_START] = this.offset();
    if (token === NULL) {
      span[LIST_END] = this.offset() + this.scanner.getTokenLength();
      return;
    }
    if (token !== OPEN_BRACKET) throw BAIL;

    const { ids, stepIds } = this.table;
    const { source, starts, ends, targets } = this;
    for (;;) {
      let start: number;
      let end: number;
      if (this.simpleString()) {
        start = this.stringStart;
        end = this.stringEnd;
        if (end - start === 2) throw BAIL;
        const id = source.slice(start + 1, end - 1);
        const target = stepIds.get(id, this.stringHash) ?? -1;
        // The step's own string is kept, so that this copy dies young.
        ids.push(target < 0 ? id : stepIds.idAt(target));
        targets.push(target);
      } else {
        const token = this.next();
        // An empty list, or a trailing comma.
        if (token === CLOSE_BRACKET) break;
        if (token !== STRING) throw BAIL;
        const id = this.scanner.getTokenValue();
        if (id === '') throw BAIL;
        start = this.offset();
        end = start + this.scanner.getTokenLength();
        ids.push(id);
        targets.push(stepIds.get(id) ?? -1);
      }
      starts.push(start);
      ends.push(end);
      if (!this.separator(CLOSE_BRACKET)) break;
    }
    span[LIST_END] = this.offset() + 1;
  }

  /** Reads `locks`: a list of non-empty lock names, or `null` for none. */
  private locks(step: TableStep): void {
    let token = this.next();
    if (token === NULL) {
      (step.extras ??= {}).locksRange = this.range();
      return;
    }
    if (token !== OPEN_BRACKET) throw BAIL;
    const start = this.offset();
    const list: LockUse[] = [];
    token = this.next();
    while (token !== CLOSE_BRACKET) {
      if (token !== STRING) throw BAIL;
      const name = this.scanner.getTokenValue();
      if (name === '') throw BAIL;
      list.push({ name, range: this.range() });
      token = this.afterEntry(CLOSE_BRACKET);
    }
    const extras = (step.extras ??= {});
    extras.locks = list;
    extras.locksRange = { start, end: this.offset() + 1 };
  }

  /**
   * Reads any JSON value that starts at `token` and returns it as plain data, built as the
   * general reader builds it. `depth` counts the levels around it, so that deep nesting, which
   * the general reader reports, leaves the fast path before the stack runs out.
   */
  private plain(token: SyntaxKind, depth: number): unknown {
    switch (token) {
      case STRING:
        return this.scanner.getTokenValue();
      case NUMBER: {
        const value = Number(this.scanner.getTokenValue());
        if (Number.isNaN(value)) throw BAIL;
        return value;
      }
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NULL:
        return null;
      case OPEN_BRACE: {
        if (depth >= MAX_NESTING) throw BAIL;
        const object: Record<string, unknown> = Object.create(null);
        let next = this.next();
        while (next !== CLOSE_BRACE) {
          const key = this.key(next);
          object[key] = this.plain(this.next(), depth + 1);
          next = this.afterEntry(CLOSE_BRACE);
        }
        return object;
      }
      case OPEN_BRACKET: {
        if (depth >= MAX_NESTING) throw BAIL;
        const array: unknown[] = [];
        let next = this.next();
        while (next !== CLOSE_BRACKET) {
          array.push(this.plain(next, depth + 1));
          next = this.afterEntry(CLOSE_BRACKET);
        }
        return array;
      }
      default:
        throw BAIL;
    }
  }
}

/** Length of the key token, quotes included, of the keys that `knownKeyAt` matches. */
const KEY_TOKEN_LENGTH: Record<number, number> = { 0: 0, [ID]: 4, [TOOL]: 6, [DEPENDS_ON]: 12 };

/** Returns the bit of the key `"id"`, `"tool"` or `"depends_on"` if it starts at `position`, else 0. */
function knownKeyAt(source: string, position: number): number {
  if (source.charCodeAt(position) !== 0x22) return 0;
  switch (source.charCodeAt(position + 1)) {
    case 0x69:
      return source.startsWith('"id"', position) ? ID : 0;
    case 0x74:
      return source.startsWith('"tool"', position) ? TOOL : 0;
    case 0x64:
      return source.startsWith('"depends_on"', position) ? DEPENDS_ON : 0;
    default:
      return 0;
  }
}

/** Returns the bit of a known step key, or 0 for a key the model does not read. */
function fieldBit(key: string): number {
  switch (key) {
    case 'id':
      return ID;
    case 'tool':
      return TOOL;
    case 'depends_on':
      return DEPENDS_ON;
    case 'locks':
      return LOCKS;
    case 'timeout_ms':
      return TIMEOUT;
    case 'duration_ms':
      return DURATION;
    case 'command':
      return COMMAND;
    case 'behavior':
      return BEHAVIOR;
    case 'description':
      return DESCRIPTION;
    case 'input':
      return INPUT;
    default:
      return 0;
  }
}
