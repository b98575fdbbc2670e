import * as vscode from 'vscode';

/** Plan template offered by the "New Plan from Template" command. */
export interface PlanTemplate {
  label: string;
  description: string;
  /** File name suggested when the plan is saved. */
  fileName: string;
  language: 'json' | 'yaml';
  content: string;
}

/** Templates, with label and description in the display language, which cannot change while the extension host runs. */
export const PLAN_TEMPLATES: readonly PlanTemplate[] = [
  {
    label: vscode.l10n.t('Fetch, process, report (JSON)'),
    description: vscode.l10n.t('Two steps in parallel, then one that waits for both.'),
    fileName: 'new.plan.json',
    language: 'json',
    content: `{
  "name": "fetch-process-report",
  "defaults": { "timeout_ms": 30000 },
  "steps": [
    { "id": "fetch_data", "tool": "fetch_data", "depends_on": [] },
    { "id": "fetch_config", "tool": "fetch_config", "depends_on": [] },
    { "id": "process", "tool": "process", "depends_on": ["fetch_data", "fetch_config"] },
    { "id": "report", "tool": "generate_report", "depends_on": ["process"] }
  ]
}
`,
  },
  {
    label: vscode.l10n.t('Agent tool plan (JSON, submit_execution_plan input)'),
    description: vscode.l10n.t('The {"plan": [...]} shape that agents submit, with inputs and timeouts.'),
    fileName: 'agent.plan.json',
    language: 'json',
    content: `{
  "plan": [
    { "id": "search", "tool": "web_search", "input": { "query": "" }, "timeout_ms": 20000, "depends_on": [] },
    { "id": "read", "tool": "fetch_url", "input": { "url": "" }, "timeout_ms": 20000, "depends_on": ["search"] },
    { "id": "summarize", "tool": "summarize", "depends_on": ["read"] }
  ]
}
`,
  },
  {
    label: vscode.l10n.t('Multi-agent plan with locks (YAML)'),
    description: vscode.l10n.t('Workers that take locks in one agreed order, and a coordinator.'),
    fileName: 'agents.plan.yaml',
    language: 'yaml',
    content: `name: multi-agent
defaults:
  timeout_ms: 60000
steps:
  - id: worker_a
    tool: call_agent
    locks: [cache, database]
    depends_on: []
  - id: worker_b
    tool: call_agent
    locks: [cache, database]
    depends_on: []
  - id: coordinator
    tool: summarize
    depends_on: [worker_a, worker_b]
`,
  },
];
