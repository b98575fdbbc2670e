/**
 * A small syntax tree with source ranges, shared by the JSON and YAML front ends so that
 * one schema check builds the plan from either. Only the shallow part that the plan format
 * gives meaning to gets ranged nodes. Deeper values, such as a step's `input`, are kept as
 * plain values, which keeps parsing cheap.
 */
import * as jsonc from 'jsonc-parser';
import type * as YAML from 'yaml';
import type { OffsetRange } from '../findings';

export type ScalarValue = string | number | boolean | null;

export interface ObjectNode {
  kind: 'object';
  range: OffsetRange;
  entries: PropertyEntry[];
}

export interface PropertyEntry {
  key: string;
  keyRange: OffsetRange;
  value: TreeNode;
}

export interface ArrayNode {
  kind: 'array';
  range: OffsetRange;
  items: TreeNode[];
  /** YAML block sequences (`- item` lines) remove entries by line; flow lists by separator. */
  block: boolean;
  /** True for a YAML list with an anchor (`&name`), which aliases elsewhere share. */
  anchored?: boolean;
}

export interface ScalarNode {
  kind: 'scalar';
  range: OffsetRange;
  value: ScalarValue;
}

/** A value below the ranged depth, converted to plain JavaScript data. */
export interface PlainNode {
  kind: 'plain';
  range: OffsetRange;
  value: unknown;
}

export type TreeNode = ObjectNode | ArrayNode | ScalarNode | PlainNode;

export interface SyntaxProblem {
  message: string;
  range: OffsetRange;
}

export interface TreeResult {
  root?: TreeNode;
  problems: SyntaxProblem[];
}

/**
 * Depth down to which nodes keep ranges: root, the steps list or wrapper object, a step,
 * a step's field values, and the entries of `depends_on` and `locks`.
 */
const RANGED_DEPTH = 4;

interface Frame {
  node: ObjectNode | ArrayNode | null;
  /** Plain container when the frame is deeper than the ranged depth. */
  plain: Record<string, unknown> | unknown[] | null;
  pendingKey: string | undefined;
  pendingKeyRange: OffsetRange | undefined;
  start: number;
}

/**
 * Parses JSON with comments and trailing commas, as VS Code's JSON mode accepts them,
 * through jsonc-parser's event API. Never throws on malformed input: problems are returned
 * with ranges and the tree contains what could be read.
 */
export function parseJsonTree(text: string): TreeResult {
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== -1) return { problems: [nestingProblem(tooDeep)] };
  const problems: SyntaxProblem[] = [];
  const stack: Frame[] = [];
  let root: TreeNode | undefined;

  const attach = (node: TreeNode, plainValue: unknown): void => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root ??= node;
      return;
    }
    if (parent.plain !== null) {
      if (Array.isArray(parent.plain)) parent.plain.push(plainValue);
      else if (parent.pendingKey !== undefined) defineProperty(parent.plain, parent.pendingKey, plainValue);
      parent.pendingKey = undefined;
      return;
    }
    const container = parent.node!;
    if (container.kind === 'array') {
      container.items.push(node);
    } else if (parent.pendingKey !== undefined) {
      container.entries.push({ key: parent.pendingKey, keyRange: parent.pendingKeyRange!, value: node });
    }
    parent.pendingKey = undefined;
  };

  const open = (kind: 'object' | 'array', offset: number): void => {
    const parent = stack[stack.length - 1];
    const deep = stack.length >= RANGED_DEPTH || (parent !== undefined && parent.plain !== null);
    if (deep) {
      stack.push({
        node: null,
        plain: kind === 'array' ? [] : Object.create(null),
        pendingKey: undefined,
        pendingKeyRange: undefined,
        start: offset,
      });
      return;
    }
    const range = { start: offset, end: offset };
    const node: ObjectNode | ArrayNode =
      kind === 'array' ? { kind, range, items: [], block: false } : { kind, range, entries: [] };
    stack.push({ node, plain: null, pendingKey: undefined, pendingKeyRange: undefined, start: offset });
  };

  const close = (offset: number, length: number): void => {
    const frame = stack.pop();
    if (!frame) return;
    const range = { start: frame.start, end: offset + length };
    if (frame.plain !== null) {
      attach({ kind: 'plain', range, value: frame.plain }, frame.plain);
    } else {
      frame.node!.range = range;
      attach(frame.node!, undefined);
    }
  };

  jsonc.visit(
    text,
    {
      onObjectBegin: (offset) => open('object', offset),
      onObjectEnd: (offset, length) => close(offset, length),
      onArrayBegin: (offset) => open('array', offset),
      onArrayEnd: (offset, length) => close(offset, length),
      onObjectProperty: (property, offset, length) => {
        const frame = stack[stack.length - 1];
        if (!frame) return;
        frame.pendingKey = property;
        frame.pendingKeyRange = { start: offset, end: offset + length };
      },
      onLiteralValue: (value: ScalarValue, offset, length) => {
        attach({ kind: 'scalar', range: { start: offset, end: offset + length }, value }, value);
      },
      onError: (error, offset, length) => {
        // jsonc-parser can report a range past the end of an unterminated document.
        const start = Math.min(offset, text.length);
        problems.push({
          message: describeJsonError(error),
          range: { start, end: Math.min(text.length, start + Math.max(length, 0)) },
        });
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );

  // An unterminated document leaves frames open: close them at the end of the text.
  while (stack.length > 0) close(text.length, 0);
  return { root, problems };
}

/** Nesting depth past which a document is rejected instead of risking the parser's stack. */
export const MAX_NESTING = 1000;

/**
 * Returns the offset where brackets outside strings first nest deeper than `limit`, or -1.
 * jsonc-parser reads nested values recursively, so deeper input overflows the call stack.
 */
export function findExcessiveNesting(text: string, limit = MAX_NESTING): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34 /* " */) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) {
      if (++depth > limit) return i;
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
  }
  return -1;
}

function nestingProblem(offset: number): SyntaxProblem {
  return {
    message: `Values are nested more than ${MAX_NESTING} levels deep here, more than this reader supports. A plan needs only a few levels; flatten the value.`,
    range: { start: offset, end: offset + 1 },
  };
}

function defineProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain containers have no prototype, so keys such as `__proto__` are ordinary data.
  target[key] = value;
}

function describeJsonError(error: jsonc.ParseErrorCode): string {
  const code = jsonc.printParseErrorCode(error);
  switch (code) {
    case 'InvalidSymbol':
      return 'Invalid symbol. Expected a JSON value.';
    case 'InvalidNumberFormat':
      return 'Invalid number.';
    case 'PropertyNameExpected':
      return 'Expected a property name in double quotes.';
    case 'ValueExpected':
      return 'Expected a value.';
    case 'ColonExpected':
      return 'Expected a colon after the property name.';
    case 'CommaExpected':
      return 'Expected a comma between entries.';
    case 'CloseBraceExpected':
      return 'Expected a closing brace `}`.';
    case 'CloseBracketExpected':
      return 'Expected a closing bracket `]`.';
    case 'EndOfFileExpected':
      return 'Expected the end of the file after the top-level value.';
    case 'InvalidCommentToken':
      return 'Invalid comment.';
    case 'UnexpectedEndOfComment':
      return 'Unterminated block comment.';
    case 'UnexpectedEndOfString':
      return 'Unterminated string.';
    case 'UnexpectedEndOfNumber':
      return 'Unterminated number.';
    case 'InvalidUnicode':
      return 'Invalid Unicode escape.';
    case 'InvalidEscapeCharacter':
      return 'Invalid escape character in a string.';
    case 'InvalidCharacter':
      return 'Invalid character in a string.';
    default:
      return `Invalid JSON (${code}).`;
  }
}

let loadedYaml: typeof YAML | undefined;

/**
 * Returns the `yaml` package, loading it on first use. It is about a third of the extension's
 * bundle, which leaves it to a file of its own (`dist/yaml.js`), so that activation does not
 * parse it and only the first YAML plan pays for it.
 */
function yamlPackage(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; `import` would load it with this module
  return (loadedYaml ??= require('yaml') as typeof YAML);
}

/**
 * Parses YAML with the `yaml` package. Aliases resolve to the anchored value. Errors and
 * warnings come back as problems at their ranges; only errors make the document unusable.
 */
export function parseYamlTree(text: string): TreeResult & { warnings: SyntaxProblem[] } {
  const problems: SyntaxProblem[] = [];
  const warnings: SyntaxProblem[] = [];
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== -1) return { problems: [nestingProblem(tooDeep)], warnings };
  let document: YAML.Document.Parsed;
  try {
    // Duplicate keys are kept, so the plan reader reports them the same way as in JSON.
    document = yamlPackage().parseDocument(text, { prettyErrors: false, uniqueKeys: false, merge: true });
  } catch (error) {
    // The yaml package reports problems through `errors`; a throw here is an internal limit.
    problems.push({ message: `The YAML could not be read: ${error instanceof Error ? error.message : String(error)}`, range: { start: 0, end: 0 } });
    return { problems, warnings };
  }

  for (const error of document.errors) problems.push(yamlProblem(error, text.length));
  for (const warning of document.warnings) warnings.push(yamlProblem(warning, text.length));

  let root: TreeNode | undefined;
  try {
    root = document.contents ? convertYaml({ document, text, problems }, document.contents, 0) : undefined;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    problems.push(nestingProblem(0));
  }
  return { root, problems, warnings };
}

function yamlProblem(error: YAML.YAMLError, textLength: number): SyntaxProblem {
  const [start, end] = error.pos;
  let message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (error.code === 'MULTIPLE_DOCS') {
    message = 'The file contains more than one YAML document. A plan file contains one. Remove the `---` separator or split the file.';
  } else if (/Maximum call stack/.test(message)) {
    message = 'The YAML is nested too deeply to read. A plan needs only a few levels; flatten the value.';
  }
  return { message, range: { start: Math.min(start, textLength), end: Math.min(Math.max(end, start), textLength) } };
}

function yamlRange(node: YAML.Node, text: string): OffsetRange {
  const range = node.range;
  if (!range) return { start: 0, end: 0 };
  let end = range[1];
  // Block scalars and collections can end with trailing line breaks; ranges stop at content.
  while (end > range[0] && (text[end - 1] === '\n' || text[end - 1] === '\r' || text[end - 1] === ' ')) end--;
  return { start: range[0], end };
}

interface YamlContext {
  document: YAML.Document.Parsed;
  text: string;
  problems: SyntaxProblem[];
}

function convertYaml(context: YamlContext, node: unknown, depth: number): TreeNode {
  const { document, text } = context;
  if (yamlPackage().isAlias(node)) {
    const target = node.resolve(document);
    const range = yamlRange(node, text);
    if (!target) {
      context.problems.push({ message: `The alias \`*${node.source}\` names no anchor. Define \`&${node.source}\` before it.`, range });
      return { kind: 'scalar', range, value: null };
    }
    return { ...convertYaml(context, target, depth), range } as TreeNode;
  }
  if (!yamlPackage().isNode(node)) return { kind: 'scalar', range: { start: 0, end: 0 }, value: null };
  const range = yamlRange(node, text);

  if (depth >= RANGED_DEPTH && (yamlPackage().isMap(node) || yamlPackage().isSeq(node))) {
    try {
      return { kind: 'plain', range, value: node.toJS(document, { maxAliasCount: 100 }) };
    } catch (error) {
      // toJS throws on an alias without an anchor and on alias expansion past maxAliasCount.
      if (error instanceof RangeError) throw error;
      const message = error instanceof Error ? error.message.split('\n')[0].replace(/:\s*$/, '') : String(error);
      context.problems.push({ message: `${message}.`, range });
      return { kind: 'plain', range, value: null };
    }
  }

  if (yamlPackage().isMap(node)) {
    const entries: PropertyEntry[] = [];
    const merged: PropertyEntry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key;
      if (yamlPackage().isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        // A merge key (`<<: *base`): the anchored mappings' entries, below the explicit ones.
        merged.push(...mergedEntries(context, pair.value, depth));
        continue;
      }
      const key = yamlPackage().isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyRange = yamlPackage().isNode(keyNode) ? yamlRange(keyNode, text) : range;
      const value: TreeNode = pair.value
        ? convertYaml(context, pair.value, depth + 1)
        : { kind: 'scalar', range: { start: keyRange.end, end: keyRange.end }, value: null };
      entries.push({ key, keyRange, value });
    }
    const explicit = new Set(entries.map((entry) => entry.key));
    const inherited = merged.filter((entry, index) => !explicit.has(entry.key) && merged.findIndex((other) => other.key === entry.key) === index);
    return { kind: 'object', range, entries: [...inherited, ...entries] };
  }

  if (yamlPackage().isSeq(node)) {
    const items = node.items.map((item) => convertYaml(context, item, depth + 1));
    const array: ArrayNode = { kind: 'array', range, items, block: !node.flow };
    if (node.anchor) array.anchored = true;
    return array;
  }

  if (yamlPackage().isScalar(node)) {
    const value = node.value;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'scalar', range, value };
    }
    if (typeof value === 'bigint') return { kind: 'scalar', range, value: Number(value) };
    return { kind: 'plain', range, value };
  }

  return { kind: 'plain', range, value: null };
}

/** Entries that a merge key brings in: from one mapping, or from a list of them, earlier first. */
function mergedEntries(context: YamlContext, value: unknown, depth: number): PropertyEntry[] {
  const sources = yamlPackage().isSeq(value) ? value.items : [value];
  const entries: PropertyEntry[] = [];
  for (const source of sources) {
    const converted = convertYaml(context, source, depth);
    if (converted.kind === 'object') entries.push(...converted.entries);
  }
  return entries;
}

/** Converts a ranged node back to plain data, for fields such as `input`. */
export function toPlain(node: TreeNode): unknown {
  switch (node.kind) {
    case 'scalar':
    case 'plain':
      return node.value;
    case 'array':
      return node.items.map(toPlain);
    case 'object': {
      const result: Record<string, unknown> = Object.create(null);
      for (const entry of node.entries) result[entry.key] = toPlain(entry.value);
      return result;
    }
  }
}
