/**
 * Diagnostics on recorded trace files, at the line of the event behind each finding. A
 * document counts as a trace when its content is in a supported trace format, whatever its name.
 */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../core/findings';
import { checkTrace } from '../../core/trace/check';
import { detectTraceFormat } from '../../core/trace/reader';
import { traceOptions } from './hub';

/** Larger documents are left to the live follower, which streams them. */
const MAX_DIAGNOSED_LENGTH = 20 * 1024 * 1024;
const LANGUAGES = new Set(['json', 'jsonl', 'jsonc', 'plaintext', 'log']);

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function registerTraceDiagnostics(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const collection = vscode.languages.createDiagnosticCollection('agent-deadlock-traces');
  const findingsByDocument = new Map<string, Finding[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  context.subscriptions.push(collection, { dispose: () => timers.forEach((timer) => clearTimeout(timer)) });

  const diagnose = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    if (!LANGUAGES.has(document.languageId) || document.uri.scheme === 'output') return;
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
