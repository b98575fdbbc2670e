/**
 * Diagnostics on recorded trace files, at the line of the event behind each finding. A
 * document counts as a trace when its content is in a supported trace format, whatever its name.
 */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../core/findings';
import { checkTrace } from '../../core/trace/check';
import { detectTraceFormat } from '../../core/trace/reader';
import { traceOptions, type TraceHub } from './hub';

/** Larger documents are left to the live follower, which streams them. */
const MAX_DIAGNOSED_LENGTH = 20 * 1024 * 1024;
const LANGUAGES = new Set(['json', 'jsonl', 'jsonc', 'plaintext', 'log']);

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Registers diagnostics for trace documents. While a file is followed, its diagnostics come
 * from the live session, whose ages run to the present, instead of from the recorded check,
 * whose ages stop at the last event.
 */
export function registerTraceDiagnostics(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, hub: TraceHub): void {
  const collection = vscode.languages.createDiagnosticCollection('agent-deadlock-traces');
  const findingsByDocument = new Map<string, Finding[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  context.subscriptions.push(collection, { dispose: () => timers.forEach((timer) => clearTimeout(timer)) });

  const followed = (uri: vscode.Uri): boolean => hub.allSessions.some((session) => session.uri?.toString() === uri.toString());

  const diagnose = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    if (!LANGUAGES.has(document.languageId) || document.uri.scheme === 'output') return;
    if (followed(document.uri)) return;
    const text = document.getText();
    if (text.length > MAX_DIAGNOSED_LENGTH || detectTraceFormat(text) === undefined) {
      if (findingsByDocument.delete(key)) collection.delete(document.uri);
      return;
    }
    try {
      const result = checkTrace(text, document.uri.fsPath, traceOptions());
      findingsByDocument.set(key, result.findings);
      collection.set(document.uri, result.findings.map((finding) => toDiagnostic(document, finding)));
    } catch (error) {
      log.error(`Checking trace ${document.uri.fsPath} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  const schedule = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      diagnose(document);
    }, 300));
  };

  context.subscriptions.push(
    hub.onDidUpdate((update) => {
      if (!update.uri) return;
      const uri = update.uri.toString();
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
      // Offsets of live findings index the file on disk; only an unmodified open document matches it.
      if (!document || document.isDirty) return;
      findingsByDocument.set(uri, update.findings);
      collection.set(document.uri, update.findings.map((finding) => toDiagnostic(document, finding)));
    }),
    vscode.workspace.onDidOpenTextDocument(diagnose),
    vscode.workspace.onDidChangeTextDocument((event) => schedule(event.document)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      findingsByDocument.delete(document.uri.toString());
      collection.delete(document.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('agentDeadlock.traces')) vscode.workspace.textDocuments.forEach(diagnose);
    }),
    vscode.languages.registerCodeActionsProvider(
      [...LANGUAGES].map((language) => ({ language })),
      {
        provideCodeActions(document, range) {
          const findings = findingsByDocument.get(document.uri.toString()) ?? [];
          const actions: vscode.CodeAction[] = [];
          for (const finding of findings) {
            const findingRange = new vscode.Range(document.positionAt(finding.range.start), document.positionAt(finding.range.end));
            if (!findingRange.intersection(range)) continue;
            for (const fix of finding.fixes) {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.edit = new vscode.WorkspaceEdit();
              for (const edit of fix.edits) {
                action.edit.replace(document.uri, new vscode.Range(document.positionAt(edit.range.start), document.positionAt(edit.range.end)), edit.newText);
              }
              action.isPreferred = fix.preferred;
              actions.push(action);
            }
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
  vscode.workspace.textDocuments.forEach(diagnose);
}

function toDiagnostic(document: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.range.start), document.positionAt(finding.range.end));
  const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
  diagnostic.source = 'agent-deadlock';
  diagnostic.code = finding.kind;
  diagnostic.relatedInformation = finding.related.map(
    (related) =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(related.path ? vscode.Uri.file(related.path) : document.uri, new vscode.Range(document.positionAt(related.range.start), document.positionAt(related.range.end))),
        related.message,
      ),
  );
  return diagnostic;
}
