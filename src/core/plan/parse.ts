/**
 * Reads a plan file (JSON or YAML) into a `Plan` with source ranges, checking it against the
 * plan format. It never throws on user input: syntax errors and schema violations become
 * findings at their positions, and whatever could be read is still returned.
 */
import type { Finding, OffsetRange } from '../findings';
import type { Dependency, LockUse, Plan, PlanFormat, PlanShape, Step, StepBehavior } from './model';
import { PLAN_FILE_SUFFIXES, STEP_BEHAVIORS } from './model';
import { parseJsonTree, parseYamlTree, toPlain, type ArrayNode, type ObjectNode, type TreeNode } from './tree';
import { formatStringLike } from './edits';
import { readJsonPlanFast } from './jsonFastPath';

export interface ParseResult {
  plan: Plan;
  /** `syntax-error` and `invalid-plan` findings, in file order. */
  findings: Finding[];
}

/** Returns the plan format a path implies by its suffix, or undefined for other files. */
export function planFormatForPath(path: string): PlanFormat | undefined {
  const lower = path.toLowerCase();
  const suffix = PLAN_FILE_SUFFIXES.find((candidate) => lower.endsWith(candidate));
  if (!suffix) return undefined;
  return suffix === '.plan.json' ? 'json' : 'yaml';
}

/**
 * True when a `$schema` value names the shipped plan schema: any URL or path that contains
 * `agent-deadlock` and ends with `plan.schema.json`, such as
 * `./node_modules/agent-deadlock-debugger/schemas/plan.schema.json`.
 */
export function isPlanSchemaReference(value: string): boolean {
  return /agent-deadlock/i.test(value) && /plan\.schema\.json$/i.test(value);
}

/** Returns the format of a file that declares the plan schema in `$schema`, or undefined. */
export function planFormatFromContent(text: string): PlanFormat | undefined {
  const head = text.slice(0, 4096);
  const json = /^\s*(\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\{[\s\S]*?"\$schema"\s*:\s*"([^"]+)"/.exec(head);
  if (json && isPlanSchemaReference(json[2])) return 'json';
  const yaml = /^\$schema\s*:\s*["']?([^"'\s#]+)/m.exec(head);
  if (yaml && isPlanSchemaReference(yaml[1])) return 'yaml';
  // A YAML language-server modeline is the usual way to name a schema in YAML.
  const modeline = /#\s*yaml-language-server:\s*\$schema=(\S+)/.exec(head);
  if (modeline && isPlanSchemaReference(modeline[1])) return 'yaml';
  return undefined;
}

export function parsePlan(text: string, format: PlanFormat): ParseResult {
  if (format === 'json') {
    const plan = readJsonPlanFast(text);
    if (plan) return { plan, findings: [] };
  }
  return parsePlanGeneral(text, format);
}

/** Parses any input with the general reader, which owns every message. Exported for tests. */
export function parsePlanGeneral(text: string, format: PlanFormat): ParseResult {
  const findings: Finding[] = [];
  // An empty file is a plan not written yet, not a syntax error.
  const tree = text.trim() === '' ? { problems: [] } : format === 'json' ? parseJsonTree(text) : parseYamlTree(text);
  for (const problem of tree.problems) {
    findings.push(makeFinding('syntax-error', `Syntax error: ${problem.message}`, problem.range));
  }

  const empty: Plan = {
    text,
    format,
    shape: 'array',
    defaults: {},
    steps: [],
    stepsRange: { start: 0, end: text.length },
  };
  if (!tree.root) {
    if (tree.problems.length === 0) {
      findings.push(
        makeFinding('invalid-plan', 'The file is empty. A plan is a list of steps, or an object with a `steps` list.', {
          start: 0,
          end: 0,
        }),
      );
    }
    return { plan: empty, findings };
  }

  const reader = new PlanReader(text, format, findings);
  const plan = reader.readPlan(tree.root);
  findings.sort((a, b) => a.range.start - b.range.start);
  return { plan, findings };
}

function makeFinding(kind: 'syntax-error' | 'invalid-plan', message: string, range: OffsetRange): Finding {
  return { kind, severity: 'error', message, steps: [], range, related: [], fixes: [] };
}

function describeNode(node: TreeNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'plain':
      if (Array.isArray(node.value)) return 'a list';
      if (typeof node.value === 'object' && node.value !== null) return 'an object';
      return typeof node.value;
    case 'scalar':
      if (node.value === null) return 'null';
      return typeof node.value === 'string' ? `the string ${JSON.stringify(node.value)}` : `${typeof node.value} ${String(node.value)}`;
  }
}

class PlanReader {
  constructor(
    private readonly text: string,
    private readonly format: PlanFormat,
    private readonly findings: Finding[],
  ) {}

  private invalid(message: string, range: OffsetRange, steps: string[] = []): Finding {
    const finding = makeFinding('invalid-plan', message, range);
    finding.steps = steps;
    this.findings.push(finding);
    return finding;
  }

  readPlan(root: TreeNode): Plan {
    let shape: PlanShape = 'array';
    let list: TreeNode | undefined;
    let name: string | undefined;
    let timeoutMs: number | undefined;

    if (root.kind === 'array') {
      list = root;
    } else if (root.kind === 'object') {
      const steps = root.entries.find((entry) => entry.key === 'steps');
      const planEntry = root.entries.find((entry) => entry.key === 'plan');
      if (steps) {
        shape = 'steps';
        list = steps.value;
      } else if (planEntry) {
        shape = 'plan';
        list = planEntry.value;
      }
      for (const entry of root.entries) {
        if (entry.key === 'name') {
          if (entry.value.kind === 'scalar' && typeof entry.value.value === 'string') name = entry.value.value;
          else this.invalid(`\`name\` must be a string, but it is ${describeNode(entry.value)}.`, entry.value.range);
        } else if (entry.key === 'defaults') {
          timeoutMs = this.readDefaults(entry.value);
        }
      }
      if (!list) {
        this.invalid(
          'No steps found. A plan is a list of steps, or an object with a `steps` (or `plan`) list. Add `"steps": [...]`.',
          { start: root.range.start, end: Math.min(root.range.start + 1, root.range.end) },
        );
      }
    } else {
      this.invalid(
        `A plan must be a list of steps or an object with a \`steps\` list, but the file contains ${describeNode(root)}.`,
        root.range,
      );
    }

    const plan: Plan = {
      text: this.text,
      format: this.format,
      shape,
      name,
      defaults: timeoutMs === undefined ? {} : { timeoutMs },
      steps: [],
      stepsRange: list?.range ?? root.range,
    };
    if (!list) return plan;
    if (list.kind !== 'array') {
      this.invalid(`\`${shape}\` must be a list of steps, but it is ${describeNode(list)}.`, list.range);
      return plan;
    }

    for (const item of list.items) {
      const step = this.readStep(item, plan.steps.length);
      if (step) plan.steps.push(step);
    }
    return plan;
  }

  private readDefaults(node: TreeNode): number | undefined {
    if (node.kind !== 'object') {
      this.invalid(`\`defaults\` must be an object such as { "timeout_ms": 30000 }, but it is ${describeNode(node)}.`, node.range);
      return undefined;
    }
    const timeout = node.entries.find((entry) => entry.key === 'timeout_ms');
    return timeout ? this.readDuration(timeout.value, 'defaults.timeout_ms') : undefined;
  }

  private readDuration(node: TreeNode, field: string): number | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isFinite(node.value) && node.value >= 0) {
      return node.value;
    }
    this.invalid(`\`${field}\` must be a number of milliseconds (0 or more), but it is ${describeNode(node)}.`, node.range);
    return undefined;
  }

  private readStep(node: TreeNode, index: number): Step | undefined {
    if (node.kind !== 'object') {
      this.invalid(`Step ${index + 1} must be an object with \`id\`, \`tool\` and \`depends_on\`, but it is ${describeNode(node)}.`, node.range);
      return undefined;
    }

    const step: Step = {
      index,
      id: '',
      tool: '',
      dependsOn: [],
      locks: [],
      range: node.range,
      idRange: { start: node.range.start, end: Math.min(node.range.start + 1, node.range.end) },
    };
    let hasId = false;
    let hasTool = false;

    for (const entry of node.entries) {
      const value = entry.value;
      switch (entry.key) {
        case 'id': {
          step.idRange = value.range;
          const id = this.readString(value);
          if (id === undefined || id.length === 0) {
            this.invalid(
              `Step ${index + 1}: \`id\` must be a non-empty string, but it is ${describeNode(value)}.${
                value.kind === 'scalar' && typeof value.value === 'number' ? ' Quote it to make it a string.' : ''
              }`,
              value.range,
            );
            // A numeric id still names the step, so later checks do not cascade.
            if (value.kind === 'scalar' && typeof value.value === 'number') {
              step.id = String(value.value);
              hasId = true;
            }
          } else {
            step.id = id;
            hasId = true;
          }
          break;
        }
        case 'tool': {
          step.toolRange = value.range;
          const tool = this.readString(value);
          if (tool === undefined) this.invalid(`Step ${index + 1}: \`tool\` must be a string, but it is ${describeNode(value)}.`, value.range);
          else step.tool = tool;
          hasTool = true;
          break;
        }
        case 'depends_on':
          step.dependsOnKeyRange = entry.keyRange;
          step.dependsOnRange = value.range;
          step.dependsOn = this.readDependencies(value, index);
          break;
        case 'locks':
          step.locksRange = value.range;
          step.locks = this.readLocks(value, index);
          break;
        case 'input':
          step.input = toPlain(value);
          if (value.kind !== 'object' && !(value.kind === 'plain' && isPlainObject(value.value))) {
            this.invalid(`Step ${index + 1}: \`input\` must be an object, but it is ${describeNode(value)}.`, value.range);
          }
          break;
        case 'timeout_ms':
          step.timeoutMs = this.readDuration(value, 'timeout_ms');
          break;
        case 'duration_ms':
          step.durationMs = this.readDuration(value, 'duration_ms');
          break;
        case 'command': {
          const command = this.readString(value);
          if (command === undefined) this.invalid(`Step ${index + 1}: \`command\` must be a string, but it is ${describeNode(value)}.`, value.range);
          else step.command = command;
          break;
        }
        case 'behavior': {
          const behavior = this.readString(value);
          if (behavior !== undefined && (STEP_BEHAVIORS as readonly string[]).includes(behavior)) {
            step.behavior = behavior as StepBehavior;
          } else {
            this.invalid(
              `Step ${index + 1}: \`behavior\` must be one of ${STEP_BEHAVIORS.map((b) => `"${b}"`).join(', ')}, but it is ${describeNode(value)}.`,
              value.range,
            );
          }
          break;
        }
        case 'description': {
          const description = this.readString(value);
          if (description === undefined) this.invalid(`Step ${index + 1}: \`description\` must be a string, but it is ${describeNode(value)}.`, value.range);
          else step.description = description;
          break;
        }
        default:
          // Unknown fields are allowed and ignored, so agents can carry their own data.
          break;
      }
    }

    if (!hasId) {
      this.invalid(`Step ${index + 1} has no \`id\`. Add a unique \`"id": "..."\` so other steps can depend on it.`, step.idRange);
    }
    if (!hasTool) {
      this.invalid(`Step ${hasId ? `\`${step.id}\`` : index + 1} has no \`tool\`. Add the name of the tool the step calls.`, step.idRange, hasId ? [step.id] : []);
    }
    return step;
  }

  private readString(node: TreeNode): string | undefined {
    return node.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
  }

  private readDependencies(node: TreeNode, stepIndex: number): Dependency[] {
    if (node.kind === 'scalar' && node.value === null) return [];
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      const finding = this.invalid(
        `Step ${stepIndex + 1}: \`depends_on\` must be a list of step ids, but it is ${describeNode(node)}.`,
        node.range,
      );
      const source = this.text.slice(node.range.start, node.range.end);
      finding.fixes.push({
        title: `Wrap ${source} in a list`,
        edits: [{ range: node.range, newText: `[${source}]` }],
        preferred: true,
      });
      return [];
    }
    if (node.kind !== 'array') {
      this.invalid(`Step ${stepIndex + 1}: \`depends_on\` must be a list of step ids, but it is ${describeNode(node)}.`, node.range);
      return [];
    }
    return this.readStringList(node, 'depends_on', stepIndex).map(({ value, range, index, previous, next }) => ({
      id: value,
      range,
      index,
      previous,
      next,
      block: node.block,
    }));
  }

  private readLocks(node: TreeNode, stepIndex: number): LockUse[] {
    if (node.kind === 'scalar' && node.value === null) return [];
    if (node.kind !== 'array') {
      this.invalid(`Step ${stepIndex + 1}: \`locks\` must be a list of lock names, but it is ${describeNode(node)}.`, node.range);
      return [];
    }
    return this.readStringList(node, 'locks', stepIndex).map(({ value, range }) => ({ name: value, range }));
  }

  private readStringList(
    node: ArrayNode,
    field: string,
    stepIndex: number,
  ): { value: string; range: OffsetRange; index: number; previous?: OffsetRange; next?: OffsetRange }[] {
    const result = [];
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.kind === 'scalar' && typeof item.value === 'string') {
        result.push({ value: item.value, range: item.range, index: i, previous: items[i - 1]?.range, next: items[i + 1]?.range });
        continue;
      }
      const finding = this.invalid(
        `Step ${stepIndex + 1}: every \`${field}\` entry must be a string, but entry ${i + 1} is ${describeNode(item)}.`,
        item.range,
      );
      if (item.kind === 'scalar' && typeof item.value === 'number') {
        finding.fixes.push({
          title: `Quote ${item.value} as a string`,
          edits: [{ range: item.range, newText: formatStringLike(this.format, String(item.value), '"') }],
          preferred: true,
        });
      }
    }
    return result;
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an `ObjectNode`'s string property, for callers outside the reader. */
export function stringProperty(node: ObjectNode, key: string): string | undefined {
  const entry = node.entries.find((candidate) => candidate.key === key);
  return entry && entry.value.kind === 'scalar' && typeof entry.value.value === 'string' ? entry.value.value : undefined;
}
