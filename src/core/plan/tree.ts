/**
 * A small syntax tree with source ranges, shared by the JSON and YAML front ends so that
 * one schema check builds the plan from either. Only the shallow part that the plan format
 * gives meaning to gets ranged nodes. Deeper values, such as a step's `input`, are kept as
 * plain values, which keeps parsing cheap.
 */
import * as jsonc from 'jsonc-parser';
import * as YAML from 'yaml';
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
 * with ranges and the tree holds what could be read.
 */
export function parseJsonTree(text: string): TreeResult {
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
        problems.push({
          message: describeJsonError(error),
          range: { start: offset, end: offset + Math.max(length, 0) },
        });
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );

  // An unterminated document leaves frames open: close them at the end of the text.
  while (stack.length > 0) close(text.length, 0);
  return { root, problems };
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

/**
 * Parses YAML with the `yaml` package. Aliases resolve to the anchored value. Errors and
 * warnings come back as problems at their ranges; only errors make the document unusable.
 */
export function parseYamlTree(text: string): TreeResult & { warnings: SyntaxProblem[] } {
  const problems: SyntaxProblem[] = [];
  const warnings: SyntaxProblem[] = [];
  let document: YAML.Document.Parsed;
  try {
    document = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    // The yaml package reports problems through `errors`; a throw here is an internal limit.
    problems.push({ message: `YAML could not be read: ${String(error)}`, range: { start: 0, end: 0 } });
    return { problems, warnings };
  }

  for (const error of document.errors) problems.push(yamlProblem(error, text.length));
  for (const warning of document.warnings) warnings.push(yamlProblem(warning, text.length));

  const root = document.contents ? convertYaml(document, document.contents, 0, text) : undefined;
  return { root, problems, warnings };
}

function yamlProblem(error: YAML.YAMLError, textLength: number): SyntaxProblem {
  const [start, end] = error.pos;
  const message = error.message.split('\n')[0];
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

function convertYaml(document: YAML.Document.Parsed, node: unknown, depth: number, text: string): TreeNode {
  if (YAML.isAlias(node)) {
    const target = node.resolve(document);
    const converted = target ? convertYaml(document, target, depth, text) : undefined;
    const range = yamlRange(node, text);
    if (!converted) return { kind: 'scalar', range, value: null };
    return { ...converted, range } as TreeNode;
  }
  if (!YAML.isNode(node)) return { kind: 'scalar', range: { start: 0, end: 0 }, value: null };
  const range = yamlRange(node, text);

  if (depth >= RANGED_DEPTH && (YAML.isMap(node) || YAML.isSeq(node))) {
    return { kind: 'plain', range, value: node.toJS(document, { maxAliasCount: 100 }) };
  }

  if (YAML.isMap(node)) {
    const entries: PropertyEntry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = YAML.isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyRange = YAML.isNode(keyNode) ? yamlRange(keyNode, text) : range;
      const value: TreeNode = pair.value
        ? convertYaml(document, pair.value, depth + 1, text)
        : { kind: 'scalar', range: { start: keyRange.end, end: keyRange.end }, value: null };
      entries.push({ key, keyRange, value });
    }
    return { kind: 'object', range, entries };
  }

  if (YAML.isSeq(node)) {
    const items = node.items.map((item) => convertYaml(document, item, depth + 1, text));
    return { kind: 'array', range, items, block: !node.flow };
  }

  if (YAML.isScalar(node)) {
    const value = node.value;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'scalar', range, value };
    }
    if (typeof value === 'bigint') return { kind: 'scalar', range, value: Number(value) };
    return { kind: 'plain', range, value };
  }

  return { kind: 'plain', range, value: null };
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
