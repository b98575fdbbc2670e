import * as vscode from 'vscode';
import { DEFAULT_SEVERITY, type PlanRuleId, type Severity } from '../../core/findings';

/** The configuration section that contains every setting of the extension. */
export const SETTINGS_SECTION = 'agentDeadlock';

/** Severity values accepted by `agentDeadlock.severity`, where `off` hides the rule. */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

const SEVERITY_SETTINGS: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);

export const DEFAULT_DEBOUNCE_MS = 200;
export const DEFAULT_MAX_WORKSPACE_FILES = 500;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Typed getters for the plan settings. Each reads the configuration at call time. */
export const planSettings = {
  /** Extra globs from `agentDeadlock.planGlobs`, for one folder or the whole window. */
  planGlobs(scope?: vscode.ConfigurationScope): string[] {
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<unknown>('planGlobs');
    if (!Array.isArray(value)) return [];
    return value.filter((glob): glob is string => typeof glob === 'string' && glob.trim() !== '');
  },

  /** Returns the severity chosen for a rule, or `undefined` when the rule is turned off. */
  severityOf(rule: PlanRuleId, scope?: vscode.ConfigurationScope): vscode.DiagnosticSeverity | undefined {
    const configured = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<Record<string, unknown>>('severity');
    const value = configured?.[rule];
    const setting: SeveritySetting =
      typeof value === 'string' && SEVERITY_SETTINGS.has(value)
        ? (value as SeveritySetting)
        : fromCoreSeverity(DEFAULT_SEVERITY[rule]);
    return toDiagnosticSeverity(setting);
  },

  debounceMs(): number {
    return readNumber('diagnostics.debounceMs', DEFAULT_DEBOUNCE_MS, 0, 5000);
  },

  maxWorkspaceFiles(): number {
    return readNumber('workspace.maxFiles', DEFAULT_MAX_WORKSPACE_FILES, 0, 100_000);
  },

  defaultTimeoutMs(scope?: vscode.ConfigurationScope): number {
    return readNumber('defaultTimeoutMs', DEFAULT_TIMEOUT_MS, 1, Number.MAX_SAFE_INTEGER, scope);
  },
};

function readNumber(key: string, fallback: number, min: number, max: number, scope?: vscode.ConfigurationScope): number {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<unknown>(key);
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function fromCoreSeverity(severity: Severity): SeveritySetting {
  return severity === 'info' ? 'information' : severity;
}

/** Maps a severity setting to VS Code's enum, `off` to `undefined`. */
export function toDiagnosticSeverity(setting: SeveritySetting): vscode.DiagnosticSeverity | undefined {
  switch (setting) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    case 'off':
      return undefined;
  }
}
