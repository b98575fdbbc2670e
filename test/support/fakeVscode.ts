/**
 * A stand-in for the `vscode` module, for running extension code in plain Node: the benchmark
 * and unit tests of the conversion to diagnostics. It has real classes for the values the
 * conversion builds (ranges, diagnostics, locations, URIs) and inert stubs for the rest.
 */
import Module from 'node:module';
import * as path from 'node:path';

/** Minimal real classes for the values the conversion builds; everything else is a stub. */
export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number | Position, startCharacter: number | Position, endLine?: number, endCharacter?: number) {
    if (startLine instanceof Position && startCharacter instanceof Position) {
      this.start = startLine;
      this.end = startCharacter;
    } else {
      this.start = new Position(startLine as number, startCharacter as number);
      this.end = new Position(endLine ?? 0, endCharacter ?? 0);
    }
  }
}

export class Uri {
  constructor(
    readonly scheme: string,
    readonly path: string,
    readonly fragment = '',
  ) {}
  static file(filePath: string): Uri {
    return new Uri('file', filePath);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...segments));
  }
  with(change: { fragment?: string; scheme?: string; path?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.path ?? this.path, change.fragment ?? this.fragment);
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.fragment ? `#${this.fragment}` : ''}`;
  }
}

export class Diagnostic {
  source?: string;
  code?: unknown;
  relatedInformation?: unknown[];
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}

export class Location {
  constructor(
    readonly uri: Uri,
    readonly range: Range | Position,
  ) {}
}

export class DiagnosticRelatedInformation {
  constructor(
    readonly location: Location,
    readonly message: string,
  ) {}
}

class EventEmitter {
  readonly event = () => ({ dispose() {} });
  fire(): void {}
  dispose(): void {}
}

/**
 * A stand-in for any other part of the API: every property is another stub, calling or
 * constructing one returns a stub, it iterates as empty and is not a promise.
 */
function stub(): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get(_target, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'dispose') return () => undefined;
      if (!cache.has(key)) cache.set(key, stub());
      return cache.get(key);
    },
    // Assignments such as `statusBarItem.name = …` are kept, so later reads see them.
    set(_target, key, value) {
      cache.set(key, value);
      return true;
    },
    apply: () => stub(),
    construct: () => stub() as object,
  });
}

function fakeVscode(): Record<string, unknown> {
  const known: Record<string, unknown> = {
    Position,
    Range,
    Uri,
    Diagnostic,
    Location,
    DiagnosticRelatedInformation,
    EventEmitter,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    l10n: { t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)])) },
  };
  // A bundle copies the module's own properties when it imports it, so every name the extension
  // uses must be a real property. A catch-all proxy alone would be invisible to the bundle.
  const stubbed = ['CancellationTokenSource', 'CodeAction', 'CodeActionKind', 'CodeLens', 'CompletionItem', 'CompletionItemKind', 'Disposable',
    'DebugAdapterInlineImplementation', 'DocumentSymbol', 'Hover', 'MarkdownString', 'ProgressLocation', 'RelativePattern', 'Selection',
    'SymbolKind', 'TextEditorRevealType', 'ThemeColor', 'ThemeIcon', 'TreeItem', 'WorkspaceEdit', 'commands', 'debug', 'env', 'extensions',
    'languages', 'window', 'workspace'];
  for (const name of stubbed) known[name] = stub();
  return known;
}

/** Serves `require('vscode')` with the stand-in, for this process. Later calls do nothing. */
let installed = false;
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const fake = fakeVscode();
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return fake;
    return originalLoad.call(this, request, ...rest);
  };
}

