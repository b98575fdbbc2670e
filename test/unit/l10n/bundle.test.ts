/**
 * Keeps the localisation files in step with the sources. package.json names its user-visible
 * text as `%key%`, which VS Code looks up in package.nls.json. Strings in the code go through
 * `vscode.l10n.t`, and `npm run l10n` (`@vscode/l10n-dev export`) collects them into
 * l10n/bundle.l10n.json, the file that translations are made from.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');

/** Fields of a manifest whose text VS Code shows: in commands, settings, views, debuggers and trust prompts. */
const VISIBLE_FIELDS = new Set([
  'title',
  'category',
  'description',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'name',
  'label',
  'contextualTitle',
  'contents',
]);

/** The form VS Code replaces from package.nls.json: the whole value is `%key%`. */
const NLS_REFERENCE = /^%([\w.-]+)%$/;

function readJson(relative: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(root, relative), 'utf8'));
}

/** Calls `visit` with the JSON path and value of every string in `value`, depth first. */
function walkStrings(value: unknown, visit: (jsonPath: string[], text: string) => void, jsonPath: string[] = []): void {
  if (typeof value === 'string') {
    visit(jsonPath, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walkStrings(item, visit, [...jsonPath, String(index)]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, visit, [...jsonPath, key]);
  }
}

/** Returns the name of the field of the string at `jsonPath`, skipping array indexes. */
function fieldOf(jsonPath: string[]): string | undefined {
  return [...jsonPath].reverse().find((segment) => !/^\d+$/.test(segment));
}

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** True for `vscode.l10n.t` and `l10n.t`, the callee forms that `@vscode/l10n-dev export` extracts. */
function isL10nT(node: ts.Node): node is ts.PropertyAccessExpression {
  if (!ts.isPropertyAccessExpression(node) || node.name.text !== 't') return false;
  const target = node.expression;
  if (ts.isIdentifier(target)) return target.text === 'l10n';
  return ts.isPropertyAccessExpression(target) && target.name.text === 'l10n';
}

interface SourceStrings {
  messages: Set<string>;
  /** Places the extractor cannot read: `l10n.t` called without a string literal, or used as a value. */
  unreadable: string[];
}

/** Collects the first argument of every `l10n.t` call in `src/`, as `@vscode/l10n-dev export` reads them. */
function collectSourceStrings(): SourceStrings {
  const messages = new Set<string>();
  const unreadable: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node): string => {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart());
      return `${path.relative(root, file)}:${line + 1}:${character + 1}`;
    };
    const visit = (node: ts.Node): void => {
      if (isL10nT(node)) {
        const call = node.parent;
        if (!ts.isCallExpression(call) || call.expression !== node) {
          unreadable.push(`${where(node)} uses ${node.getText()} as a value`);
        } else if (call.arguments.length === 0 || !ts.isStringLiteral(call.arguments[0])) {
          unreadable.push(`${where(call)} passes ${call.arguments[0]?.getText() ?? 'nothing'} in place of a string literal`);
        } else {
          messages.add(call.arguments[0].text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages, unreadable };
}

describe('package.nls.json', () => {
  const manifest = readJson('package.json') as Record<string, unknown>;
  const nls = readJson('package.nls.json') as Record<string, unknown>;

  it('resolves every %key% in package.json', () => {
    const missing: string[] = [];
    walkStrings(manifest, (jsonPath, text) => {
      const key = NLS_REFERENCE.exec(text)?.[1];
      if (key === undefined) return;
      const value = nls[key];
      if (typeof value !== 'string' || value.trim() === '') missing.push(`${jsonPath.join('.')}: ${text}`);
    });
    assert.deepEqual(missing, [], 'package.json names keys that package.nls.json has no text for');
  });

  it('has no unused entries', () => {
    const used = new Set<string>();
    walkStrings(manifest, (_jsonPath, text) => {
      const key = NLS_REFERENCE.exec(text)?.[1];
      if (key !== undefined) used.add(key);
    });
    assert.deepEqual(Object.keys(nls).filter((key) => !used.has(key)), []);
  });

  it('holds all user-visible manifest text', () => {
    const literal: string[] = [];
    const check = (jsonPath: string[], text: string): void => {
      const field = fieldOf(jsonPath);
      if (field !== undefined && VISIBLE_FIELDS.has(field) && !NLS_REFERENCE.test(text)) literal.push(`${jsonPath.join('.')}: ${JSON.stringify(text)}`);
    };
    for (const field of ['displayName', 'description'] as const) check([field], String(manifest[field]));
    walkStrings(manifest.contributes, (jsonPath, text) => check(['contributes', ...jsonPath], text));
    walkStrings(manifest.capabilities, (jsonPath, text) => check(['capabilities', ...jsonPath], text));
    assert.deepEqual(literal, [], 'Move these strings to package.nls.json and name them as %key% in package.json');
  });
});

describe('l10n bundle', () => {
  const manifest = readJson('package.json') as { l10n?: string };
  const bundle = readJson('l10n/bundle.l10n.json') as Record<string, unknown>;
  const { messages, unreadable } = collectSourceStrings();

  it('is the folder package.json names', () => {
    assert.equal(manifest.l10n, './l10n');
  });

  it('finds the strings of the extension', () => {
    // A scanner that finds nothing would pass the checks below, so it must find known strings.
    assert.ok(messages.has('Open a plan file first, then run "Check Current Plan" again.'));
    assert.ok(messages.has('Fit the graph to the view (0)'));
    assert.ok(messages.size > 100, `only ${messages.size} strings found in src/`);
  });

  it('can extract every l10n.t call', () => {
    assert.deepEqual(unreadable, [], 'Call vscode.l10n.t with a string literal, so `npm run l10n` can extract it');
  });

  it('contains every string of src/', () => {
    const missing = [...messages].filter((message) => !Object.hasOwn(bundle, message));
    assert.deepEqual(missing, [], 'Run `npm run l10n` to add these strings to l10n/bundle.l10n.json');
  });

  it('contains only strings of src/', () => {
    const stale = Object.keys(bundle).filter((message) => !messages.has(message));
    assert.deepEqual(stale, [], 'Run `npm run l10n` to drop these strings from l10n/bundle.l10n.json');
  });

  it('maps each string to itself', () => {
    const changed = Object.entries(bundle).filter(([key, value]) => key !== value);
    assert.deepEqual(changed, [], 'The English bundle must map each string to itself; translations go into bundle.l10n.<locale>.json');
  });
});
