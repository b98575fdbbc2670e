import * as vscode from 'vscode';
import type { Finding } from '../../core/findings';
import type { AnalysedPlan, PlanAnalysisCache } from './analysisCache';
import { toRange } from './convert';
import type { PlanFiles } from './planFiles';
import { shortestCycleThrough } from './planText';

/** Commands of other parts of the extension that the lenses use when they are registered. */
export const SHOW_GRAPH_COMMAND = 'agentDeadlock.showGraph';
export const RUN_WITH_WATCHDOG_COMMAND = 'agentDeadlock.runWithWatchdog';
/** Selects a finding's range in the editor and opens the Problems panel. */
export const REVEAL_FINDING_COMMAND = 'agentDeadlock.revealFinding';

/** A lens names at most this many blocking ids or cycle members. */
const MAX_IDS_IN_TITLE = 6;

/**
 * Puts a lens above each step: its stage, the cycle it is on, or what blocks it. A lens opens
 * the step in the graph view when that command exists, and otherwise reveals the finding. A
 * lens above the first step runs the plan under the watchdog when that command exists.
 */
export class PlanCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  /**
   * Commands of the lenses handed out without one. The editor resolves only the lenses it
   * shows, so a plan of thousands of steps converts only a screenful of commands.
   */
  private readonly unresolved = new WeakMap<vscode.CodeLens, vscode.Command>();

  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
  ) {}

  /** Asks the editor for new lenses, for example after other commands were registered. */
  refresh(): void {
    this.changeEmitter.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.files.isPlan(document)) return [];
    const entry = this.cache.forDocument(document);
    if (!entry) return [];
    const commands = new Set(await vscode.commands.getCommands(true));
    if (token.isCancellationRequested) return [];
    const lenses = planCodeLenses(entry, document.uri, commands.has(SHOW_GRAPH_COMMAND), commands.has(RUN_WITH_WATCHDOG_COMMAND));
    for (const lens of lenses) {
      if (lens.command) this.unresolved.set(lens, lens.command);
      lens.command = undefined;
    }
    return lenses;
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    lens.command = this.unresolved.get(lens);
    return lens;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

/** Builds the lenses of one analysed plan. */
export function planCodeLenses(entry: AnalysedPlan, uri: vscode.Uri, canShowGraph: boolean, canRun: boolean): vscode.CodeLens[] {
  const { analysis } = entry;
  const lenses: vscode.CodeLens[] = [];
  const findingsByStep = new Map<string, Finding[]>();
  for (const finding of analysis.findings) {
    for (const id of finding.steps) {
      const list = findingsByStep.get(id);
      if (list) list.push(finding);
      else findingsByStep.set(id, [finding]);
    }
  }

  const firstStep = analysis.plan.steps[0];
  if (canRun && firstStep) {
    const start = toRange(entry.lines, firstStep.range).start;
    lenses.push(
      new vscode.CodeLens(new vscode.Range(start, start), {
        title: vscode.l10n.t('$(play) Run with Watchdog'),
        command: RUN_WITH_WATCHDOG_COMMAND,
        arguments: [uri],
      }),
    );
  }

  const seen = new Set<string>();
  for (const step of analysis.plan.steps) {
    if (step.id === '' || seen.has(step.id)) continue;
    seen.add(step.id);
    const info = analysis.steps.get(step.id);
    const start = toRange(entry.lines, step.range).start;
    const at = new vscode.Range(start, start);
    const finding = findingsByStep.get(step.id)?.[0];
    const title = lensTitle(entry, step.id);
    if (!title) continue;

    let command: vscode.Command;
    if (canShowGraph) {
      command = { title, command: SHOW_GRAPH_COMMAND, arguments: [uri, step.id], tooltip: vscode.l10n.t('Show this step in the wait-for graph') };
    } else if (finding && (info?.onCycle || info?.blockedBy)) {
      command = {
        title,
        command: REVEAL_FINDING_COMMAND,
        arguments: [uri, finding.range.start, finding.range.end],
        tooltip: vscode.l10n.t('Select the problem in the editor and open the Problems panel'),
      };
    } else {
      command = { title, command: '' };
    }
    lenses.push(new vscode.CodeLens(at, command));
  }
  return lenses;
}

/** Returns the lens title of a step: its cycle, what blocks it, or its stage. */
export function lensTitle(entry: AnalysedPlan, id: string): string | undefined {
  const info = entry.analysis.steps.get(id);
  if (!info) return undefined;
  if (info.onCycle) {
    const cycle = shortestCycleThrough(entry.analysis, id) ?? [id, id];
    const shown = cycle.length > MAX_IDS_IN_TITLE + 1 ? [...cycle.slice(0, MAX_IDS_IN_TITLE), '…', id] : cycle;
    return vscode.l10n.t('in cycle: {0}', shown.join(' → '));
  }
  if (info.blockedBy && info.blockedBy.length > 0) {
    const shown = info.blockedBy.slice(0, MAX_IDS_IN_TITLE).join(', ');
    const more = info.blockedBy.length > MAX_IDS_IN_TITLE ? ` ${vscode.l10n.t('and {0} more', info.blockedBy.length - MAX_IDS_IN_TITLE)}` : '';
    return vscode.l10n.t('blocked by {0}', shown + more);
  }
  if (info.stage !== undefined) return stageLabel(entry, info.stage);
  return undefined;
}

/** Names a stage counting from 1, with the number of stages when the plan has them. */
export function stageLabel(entry: AnalysedPlan, stage: number): string {
  const stages = entry.analysis.stages?.length;
  return stages !== undefined ? vscode.l10n.t('stage {0} of {1}', stage + 1, stages) : vscode.l10n.t('stage {0}', stage + 1);
}
