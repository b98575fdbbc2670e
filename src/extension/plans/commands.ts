import * as vscode from 'vscode';
import type { PlanAnalysisCache } from './analysisCache';
import { REVEAL_FINDING_COMMAND } from './codeLens';
import { toRange } from './convert';
import type { PlanDiagnostics } from './diagnostics';
import type { PlanFiles } from './planFiles';
import { PLAN_TEMPLATES, type PlanTemplate } from './templates';

export const CHECK_CURRENT_PLAN_COMMAND = 'agentDeadlock.checkCurrentPlan';
export const CHECK_WORKSPACE_PLANS_COMMAND = 'agentDeadlock.checkWorkspacePlans';
export const NEW_PLAN_COMMAND = 'agentDeadlock.newPlanFromTemplate';

/** Registers the plan commands and pushes them onto `subscriptions`. */
export function registerPlanCommands(
  subscriptions: vscode.Disposable[],
  log: vscode.LogOutputChannel,
  cache: PlanAnalysisCache,
  files: PlanFiles,
  diagnostics: PlanDiagnostics,
): void {
  subscriptions.push(
    vscode.commands.registerCommand(CHECK_CURRENT_PLAN_COMMAND, () => checkCurrentPlan(files, diagnostics)),
    vscode.commands.registerCommand(CHECK_WORKSPACE_PLANS_COMMAND, () => checkWorkspacePlans(log, diagnostics)),
    vscode.commands.registerCommand(NEW_PLAN_COMMAND, (templateIndex?: number, target?: vscode.Uri, untitled?: boolean) =>
      newPlanFromTemplate(log, templateIndex, target, untitled === true),
    ),
    vscode.commands.registerCommand(REVEAL_FINDING_COMMAND, (uri: vscode.Uri, start: number, end: number) => revealFinding(cache, uri, start, end)),
  );
}

/** Checks the active plan, reveals the Problems panel when something is found, and returns the count. */
async function checkCurrentPlan(files: PlanFiles, diagnostics: PlanDiagnostics): Promise<number | undefined> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a plan file first, then run "Check Current Plan" again.'));
    return undefined;
  }
  const name = vscode.workspace.asRelativePath(document.uri);
  if (!files.isPlan(document)) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} is not a plan file. Plans are named *.plan.json, *.plan.yaml or *.plan.yml, match the agentDeadlock.planGlobs setting, or declare the plan schema in $schema.',
        name,
      ),
    );
    return undefined;
  }
  const entry = diagnostics.publishDocument(document);
  if (!entry) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Checking {0} failed. The log has the details.', name));
    return undefined;
  }
  const problems = diagnostics.collection.get(document.uri)?.length ?? 0;
  if (problems === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No problems found in {0}.', name));
  } else {
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} problems found in {1}.', problems, name));
  }
  return problems;
}

/** Checks every plan file of the workspace with a cancellable progress notification. */
async function checkWorkspacePlans(log: vscode.LogOutputChannel, diagnostics: PlanDiagnostics) {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: there is no workspace to search for plan files.'));
    return undefined;
  }
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking plan files'), cancellable: true },
    (progress, token) => diagnostics.checkWorkspace(token, progress),
  );
  log.info(`Workspace check: ${summary.files} files, ${summary.problems} problems in ${summary.filesWithProblems} files${summary.cancelled ? ' (cancelled)' : ''}.`);

  let message: string;
  if (summary.files === 0 && !summary.cancelled) {
    message = vscode.l10n.t('No plan files found. Plans are named *.plan.json, *.plan.yaml or *.plan.yml, or match the agentDeadlock.planGlobs setting.');
  } else if (summary.cancelled) {
    message = vscode.l10n.t('Check cancelled after {0} plan files: {1} problems in {2} files so far.', summary.files, summary.problems, summary.filesWithProblems);
  } else {
    message = vscode.l10n.t('Checked {0} plan files: {1} problems in {2} files.', summary.files, summary.problems, summary.filesWithProblems);
  }
  if (summary.truncated) message += ' ' + vscode.l10n.t('Only the first files were checked; raise agentDeadlock.workspace.maxFiles to check more.');

  // The notification is not awaited, so the command returns its summary while it is shown.
  const showProblems = vscode.l10n.t('Show Problems');
  if (summary.problems > 0) {
    void vscode.window.showWarningMessage(message, showProblems).then((choice) => {
      if (choice === showProblems) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  } else {
    void vscode.window.showInformationMessage(message);
  }
  return summary;
}

/**
 * Creates a plan from a template, in an untitled editor or in a file the user names. An
 * existing file is overwritten only after the user confirms. Callers such as tests skip the
 * pickers by passing the template index and either a target file or `untitled`.
 */
async function newPlanFromTemplate(
  log: vscode.LogOutputChannel,
  templateIndex: number | undefined,
  target: vscode.Uri | undefined,
  untitled: boolean,
): Promise<vscode.Uri | undefined> {
  const template = typeof templateIndex === 'number' ? PLAN_TEMPLATES[templateIndex] : await pickTemplate();
  if (!template) return undefined;
  if (untitled) return openUntitled(template);

  let uri = target;
  if (!uri) {
    const untitled = vscode.l10n.t('Untitled editor');
    const file = vscode.l10n.t('File…');
    const where = await vscode.window.showQuickPick([untitled, file], { placeHolder: vscode.l10n.t('Where should the new plan go?') });
    if (!where) return undefined;
    if (where === untitled) return openUntitled(template);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, template.fileName) : undefined,
      filters: template.language === 'json' ? { JSON: ['json'] } : { YAML: ['yaml', 'yml'] },
      title: vscode.l10n.t('Save the new plan'),
    });
    if (!uri) return undefined;
  }

  if (await exists(uri)) {
    const overwrite = vscode.l10n.t('Overwrite');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} already exists. Overwrite it with the template?', vscode.workspace.asRelativePath(uri)),
      { modal: true },
      overwrite,
    );
    if (answer !== overwrite) return undefined;
  }
  try {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(template.content));
  } catch (error) {
    log.error(`Writing the new plan ${uri.toString(true)} failed: ${String(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not write {0}: {1}. Choose another folder.', uri.toString(true), String(error)));
    return undefined;
  }
  await vscode.window.showTextDocument(uri);
  return uri;
}

async function pickTemplate(): Promise<PlanTemplate | undefined> {
  const picked = await vscode.window.showQuickPick(
    PLAN_TEMPLATES.map((template) => ({ label: template.label, description: template.description, template })),
    { placeHolder: vscode.l10n.t('Choose a plan template') },
  );
  return picked?.template;
}

/**
 * Opens the template in an untitled editor whose name ends with the template's file name, so
 * that it is recognised as a plan before it is saved.
 */
async function openUntitled(template: PlanTemplate): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let uri: vscode.Uri | undefined;
  for (let attempt = 1; !uri; attempt++) {
    const name = attempt === 1 ? template.fileName : template.fileName.replace(/\.plan\./, `-${attempt}.plan.`);
    const candidate = folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(`/${name}`);
    const taken = vscode.workspace.textDocuments.some((document) => document.uri.path === candidate.path);
    if (!taken && !(await exists(candidate))) uri = candidate;
  }
  const document = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
  const editor = await vscode.window.showTextDocument(document);
  await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), template.content));
  return document.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Selects a range of a plan in its editor and opens the Problems panel. */
async function revealFinding(cache: PlanAnalysisCache, uri: vscode.Uri, start: number, end: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri);
  const entry = cache.forDocument(editor.document);
  if (!entry) return;
  const range = toRange(entry.lines, { start, end });
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
}
