/**
 * Reads a plan file (JSON or YAML) into a `Plan` with source ranges, checking it against the
 * plan format. It never throws on user input: syntax errors and schema violations become
 * findings at their positions, and whatever could be read is still returned.
 */
import type { Finding, OffsetRange } from '../findings';
import type { Dependency, LockUse, Plan, PlanFormat, PlanShape, Step, StepBehavior } from './model';
import { PLAN_FILE_SUFFIXES, STEP_BEHAVIORS } from './model';
import { parseJsonTree, parseYamlTree, toPlain, type ArrayNode, type ObjectNode, type PropertyEntry, type TreeNode, type TreeResult } from './tree';
import { formatStringLike } from './edits';
import { readJsonPlanFast, withoutByteOrderMark } from './jsonFastPath';

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
  let tree: TreeResult = { problems: [] };
  if (text.trim() !== '') tree = format === 'json' ? parseJsonTree(withoutByteOrderMark(text)) : parseYamlTree(text);
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
      findings.push(makeFinding('invalid-plan', `The file is empty. ${shapeHint(format)}`, { start: 0, end: 0 }));
    }
    return { plan: empty, findings };
  }

  const reader = new PlanReader(text, format, findings);
  const plan = reader.readPlan(tree.root);
  findings.sort((a, b) => a.range.start - b.range.start);
  return { plan, findings };
}

function shapeHint(format: PlanFormat): string {
  return format === 'json'
    ? 'A plan is a list of steps, or an object with a `"steps": [...]` (or `"plan": [...]`) list.'
    : 'A plan is a list of steps, or a mapping with a `steps:` (or `plan:`) list.';
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

const NUMBER_SOURCE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

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

  /**
   * Reports keys that appear twice in one object. JSON parsers keep the last value, and so
   * does this reader, but the first one is silently lost, so the later key gets a warning.
   */
  private reportDuplicateKeys(node: ObjectNode, where: string): void {
    const seen = new Map<string, OffsetRange>();
    for (const entry of node.entries) {
      const first = seen.get(entry.key);
      if (first) {
        const finding = this.invalid(
          `Duplicate key \`${entry.key}\` in ${where}: only this last value is used, and the earlier one is ignored. Remove one of them.`,
          entry.keyRange,
        );
        finding.severity = 'warning';
        finding.related.push({ message: `The earlier \`${entry.key}\``, range: first });
      } else {
        seen.set(entry.key, entry.keyRange);
      }
    }
  }

  readPlan(root: TreeNode): Plan {
    let shape: PlanShape = 'array';
    let list: TreeNode | undefined;
    let name: string | undefined;
    let timeoutMs: number | undefined;

    if (root.kind === 'array') {
      list = root;
    } else if (root.kind === 'object') {
      this.reportDuplicateKeys(root, 'the plan');
      // The last `steps` wins, as in JSON.parse; `steps` wins over `plan`.
      const steps = lastEntry(root, 'steps');
      const planEntry = lastEntry(root, 'plan');
      if (steps) {
        shape = 'steps';
        list = steps.value;
      } else if (planEntry) {
        shape = 'plan';
        list = planEntry.value;
      }
      const nameEntry = lastEntry(root, 'name');
      if (nameEntry) {
        if (nameEntry.value.kind === 'scalar' && typeof nameEntry.value.value === 'string') name = nameEntry.value.value;
        else this.invalid(`\`name\` must be a string, but it is ${describeNode(nameEntry.value)}.`, nameEntry.value.range);
      }
      const defaultsEntry = lastEntry(root, 'defaults');
      if (defaultsEntry) timeoutMs = this.readDefaults(defaultsEntry.value);
      if (!list) {
        this.invalid(`No steps found. ${shapeHint(this.format)}`, { start: root.range.start, end: Math.min(root.range.start + 1, root.range.end) });
      }
    } else {
      this.invalid(`The file contains ${describeNode(root)}, not a plan. ${shapeHint(this.format)}`, root.range);
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

    list.items.forEach((item, position) => {
      const step = this.readStep(item, plan.steps.length, position);
      if (step) plan.steps.push(step);
    });
    return plan;
  }

  private readDefaults(node: TreeNode): number | undefined {
    if (node.kind !== 'object') {
      this.invalid(`\`defaults\` must be an object such as { "timeout_ms": 30000 }, but it is ${describeNode(node)}.`, node.range);
      return undefined;
    }
    this.reportDuplicateKeys(node, '`defaults`');
    const timeout = lastEntry(node, 'timeout_ms');
    return timeout ? this.readDuration(timeout.value, '`defaults.timeout_ms`') : undefined;
  }

  /** Reads a duration in milliseconds; `where` names the field for the message. */
  private readDuration(node: TreeNode, where: string): number | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isFinite(node.value) && node.value >= 0) {
      return node.value;
    }
    this.invalid(`${where} must be a number of milliseconds (0 or more), but it is ${describeNode(node)}.`, node.range);
    return undefined;
  }

  /**
   * Reads one step. `index` is its position among the steps read so far, which is its node
   * number in the dependency graph. `position` is its place in the file's list, for messages.
   */
  private readStep(node: TreeNode, index: number, position: number): Step | undefined {
    const label = `Step ${position + 1}`;
    if (node.kind !== 'object') {
      this.invalid(`${label} must be an object with at least \`id\` and \`tool\`, but it is ${describeNode(node)}.`, node.range);
      return undefined;
    }
    this.reportDuplicateKeys(node, label.toLowerCase());

    const step: Step = {
      index,
      id: '',
      tool: '',
      dependsOn: [],
      locks: [],
      range: node.range,
      idRange: { start: node.range.start, end: Math.min(node.range.start + 1, node.range.end) },
    };
    let idState: 'missing' | 'invalid' | 'ok' = 'missing';
    let hasTool = false;
    const where = (field: string) => `${label}${step.id === '' ? '' : ` (\`${step.id}\`)`}: \`${field}\``;

    // `id` first, so that messages about the other fields can name the step.
    const idEntry = lastEntry(node, 'id');
    if (idEntry) {
      const value = idEntry.value;
      step.idRange = value.range;
      const id = this.readString(value);
      if (id !== undefined && id.length > 0) {
        step.id = id;
        idState = 'ok';
      } else {
        idState = 'invalid';
        const numeric = value.kind === 'scalar' && typeof value.value === 'number';
        this.invalid(`${label}: \`id\` must be a non-empty string, but it is ${describeNode(value)}.${numeric ? ' Quote it to make it a string.' : ''}`, value.range);
        // A numeric id still names the step, so later checks do not cascade.
        if (numeric) step.id = String((value as { value: number }).value);
      }
    }

    for (const entry of node.entries) {
      if (entry !== lastEntry(node, entry.key)) continue;
      const value = entry.value;
      switch (entry.key) {
        case 'id':
          break;
        case 'tool': {
          step.toolRange = value.range;
          const tool = this.readString(value);
          if (tool === undefined) this.invalid(`${where('tool')} must be a string, but it is ${describeNode(value)}.`, value.range, this.stepIds(step));
          else step.tool = tool;
          hasTool = true;
          break;
        }
        case 'depends_on':
          step.dependsOnKeyRange = entry.keyRange;
          step.dependsOnRange = value.range;
          step.dependsOn = this.readDependencies(value, where('depends_on'), step);
          break;
        case 'locks':
          step.locksRange = value.range;
          step.locks = this.readLocks(value, where('locks'), step);
          break;
        case 'input':
          step.input = toPlain(value);
          if (value.kind !== 'object' && !(value.kind === 'plain' && isPlainObject(value.value))) {
            this.invalid(`${where('input')} must be an object, but it is ${describeNode(value)}.`, value.range, this.stepIds(step));
          }
          break;
        case 'timeout_ms':
          step.timeoutMs = this.readDuration(value, where('timeout_ms'));
          break;
        case 'duration_ms':
          step.durationMs = this.readDuration(value, where('duration_ms'));
          break;
        case 'command': {
          const command = this.readString(value);
          if (command === undefined) this.invalid(`${where('command')} must be a string, but it is ${describeNode(value)}.`, value.range, this.stepIds(step));
          else step.command = command;
          break;
        }
        case 'behavior': {
          const behavior = this.readString(value);
          if (behavior !== undefined && (STEP_BEHAVIORS as readonly string[]).includes(behavior)) {
            step.behavior = behavior as StepBehavior;
          } else {
            this.invalid(
              `${where('behavior')} must be one of ${STEP_BEHAVIORS.map((b) => `"${b}"`).join(', ')}, but it is ${describeNode(value)}.`,
              value.range,
              this.stepIds(step),
            );
          }
          break;
        }
        case 'description': {
          const description = this.readString(value);
          if (description === undefined) this.invalid(`${where('description')} must be a string, but it is ${describeNode(value)}.`, value.range, this.stepIds(step));
          else step.description = description;
          break;
        }
        default:
          // Unknown fields are allowed and ignored, so agents can carry their own data.
          break;
      }
    }

    if (idState === 'missing') {
      this.invalid(`${label} has no \`id\`. Add a unique \`id\` so other steps can depend on it.`, step.idRange);
    }
    if (!hasTool) {
      this.invalid(`${step.id === '' ? label : `Step \`${step.id}\``} has no \`tool\`. Add the name of the tool the step calls.`, step.idRange, this.stepIds(step));
    }
    return step;
  }

  private stepIds(step: Step): string[] {
    return step.id === '' ? [] : [step.id];
  }

  private readString(node: TreeNode): string | undefined {
    return node.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
  }

  private readDependencies(node: TreeNode, where: string, step: Step): Dependency[] {
    if (node.kind === 'scalar' && node.value === null) return [];
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      const finding = this.invalid(`${where} must be a list of step ids, but it is ${describeNode(node)}.`, node.range, this.stepIds(step));
      const source = this.text.slice(node.range.start, node.range.end);
      finding.fixes.push({
        title: `Wrap ${source} in a list`,
        edits: [{ range: node.range, newText: `[${source}]` }],
        preferred: true,
      });
      return [];
    }
    if (node.kind !== 'array') {
      this.invalid(`${where} must be a list of step ids, but it is ${describeNode(node)}.`, node.range, this.stepIds(step));
      return [];
    }
    return this.readStringList(node, where, step).map(({ value, range, index }) => ({
      id: value,
      range,
      index,
      siblings: node.items,
      listRange: node.range,
      block: node.block,
      ...(node.anchored ? { shared: true } : {}),
    }));
  }

  private readLocks(node: TreeNode, where: string, step: Step): LockUse[] {
    if (node.kind === 'scalar' && node.value === null) return [];
    if (node.kind !== 'array') {
      this.invalid(`${where} must be a list of lock names, but it is ${describeNode(node)}.`, node.range, this.stepIds(step));
      return [];
    }
    return this.readStringList(node, where, step).map(({ value, range }) => ({ name: value, range }));
  }

  private readStringList(node: ArrayNode, where: string, step: Step): { value: string; range: OffsetRange; index: number }[] {
    const result = [];
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.kind === 'scalar' && typeof item.value === 'string' && item.value !== '') {
        result.push({ value: item.value, range: item.range, index: i });
        continue;
      }
      const problem = item.kind === 'scalar' && item.value === '' ? 'is an empty string' : `is ${describeNode(item)}`;
      const finding = this.invalid(`${where}: every entry must be a non-empty string, but entry ${i + 1} ${problem}.`, item.range, this.stepIds(step));
      const source = this.text.slice(item.range.start, item.range.end);
      if (item.kind === 'scalar' && typeof item.value === 'number' && NUMBER_SOURCE.test(source)) {
        finding.fixes.push({
          title: `Quote ${source} as a string`,
          edits: [{ range: item.range, newText: formatStringLike(this.format, source, '"') }],
          preferred: true,
        });
      }
    }
    return result;
  }
}

function lastEntry(node: ObjectNode, key: string): PropertyEntry | undefined {
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i].key === key) return node.entries[i];
  return undefined;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an `ObjectNode`'s string property, for callers outside the reader. */
export function stringProperty(node: ObjectNode, key: string): string | undefined {
  const entry = node.entries.find((candidate) => candidate.key === key);
  return entry && entry.value.kind === 'scalar' && typeof entry.value.value === 'string' ? entry.value.value : undefined;
}
