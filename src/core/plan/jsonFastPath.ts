/**
 * A fast path for well-formed JSON plans. It builds the `Plan` straight from jsonc-parser's
 * events instead of going through the ranged tree, which allocates several objects per
 * value. It accepts only input that the general reader would accept without any finding,
 * and returns undefined as soon as anything else appears, so the general reader, which
 * owns every error message, handles the rest. A property test checks that both paths give the
 * same result on valid plans.
 */
import * as jsonc from 'jsonc-parser';
import type { OffsetRange } from '../findings';
import type { Dependency, LockUse, Plan, PlanShape, Step, StepBehavior } from './model';
import { STEP_BEHAVIORS } from './model';
import { MAX_NESTING } from './tree';

/**
 * Replaces a leading byte order mark with a space. jsonc-parser rejects the mark, and a
 * character of the same length keeps every offset valid for the original text.
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/** Thrown inside the visitor to leave the fast path; never escapes this module. */
class Bail extends Error {}
const BAIL = new Bail();
const NO_RANGE: OffsetRange = Object.freeze({ start: 0, end: 0 });
const NO_SIBLINGS: readonly { range: OffsetRange }[] = Object.freeze([]);

type Field =
  | 'none'
  | 'id'
  | 'tool'
  | 'depends_on'
  | 'locks'
  | 'timeout_ms'
  | 'duration_ms'
  | 'command'
  | 'behavior'
  | 'description'
  | 'input'
  | 'name'
  | 'defaults'
  | 'steps'
  | 'other';

const FIELD_BITS: Record<Field, number> = {
  none: 0,
  other: 0,
  id: 1,
  tool: 2,
  depends_on: 4,
  locks: 8,
  timeout_ms: 16,
  duration_ms: 32,
  command: 64,
  behavior: 128,
  description: 256,
  input: 512,
  name: 1024,
  defaults: 2048,
  steps: 4096,
};

const STEP_FIELDS = new Set<Field>(['id', 'tool', 'depends_on', 'locks', 'timeout_ms', 'duration_ms', 'command', 'behavior', 'description', 'input']);

export function readJsonPlanFast(text: string): Plan | undefined {
  const source = withoutByteOrderMark(text);
  let shape: PlanShape = 'array';
  let name: string | undefined;
  let defaultTimeout: number | undefined;
  const steps: Step[] = [];
  let stepsRange: OffsetRange | undefined;

  // Where the visitor is: 0 root, 1 inside the root object or the steps list, and so on.
  let depth = 0;
  let rootIsObject = false;
  let listDepth = -1;
  let step: Step | undefined;
  let hasTool = false;
  let field: Field = 'none';
  // The key's position as numbers: a range object is made only for `depends_on`.
  let fieldKeyStart = 0;
  let fieldKeyEnd = 0;
  let listStart = 0;
  let dependencies: Dependency[] | undefined;
  let locks: LockUse[] | undefined;
  let inDefaults = false;
  // Known keys seen in the current step, and separately at the top level.
  let seenFields = 0;
  let seenRootFields = 0;
  // Plain values under `input` or unknown fields, built as the general reader builds them.
  const plainStack: (Record<string, unknown> | unknown[])[] = [];
  const plainKeys: (string | undefined)[] = [];
  let plainKey: string | undefined;

  const addPlain = (value: unknown): void => {
    const top = plainStack[plainStack.length - 1];
    if (Array.isArray(top)) top.push(value);
    else top[plainKey!] = value;
  };

  const fieldFor = (key: string): Field => {
    if (step) return STEP_FIELDS.has(key as Field) ? (key as Field) : 'other';
    if (depth === 1 && rootIsObject) {
      if (key === 'steps' || key === 'plan') {
        if (stepsRange !== undefined) throw BAIL;
        shape = key;
        return 'steps';
      }
      if (key === 'name' || key === 'defaults') return key;
    }
    return 'other';
  };

  const finishStep = (end: number): void => {
    const current = step!;
    if (current.id === '' || !hasTool) throw BAIL;
    current.range.end = end;
    steps.push(current);
    step = undefined;
    seenFields = seenRootFields;
  };

  try {
    jsonc.visit(
      source,
      {
        onObjectBegin(offset) {
          if (dependencies || locks || depth + plainStack.length >= MAX_NESTING) throw BAIL;
          if (plainStack.length > 0) {
            plainKeys.push(plainKey);
            plainStack.push(Object.create(null));
          } else if (depth === 0) {
            rootIsObject = true;
          } else if (depth === listDepth && !step) {
            // idRange is replaced when the id is read, and a step without an id leaves the fast path.
            seenRootFields = seenFields;
            seenFields = 0;
            step = { index: steps.length, id: '', tool: '', dependsOn: [], locks: [], range: { start: offset, end: offset }, idRange: NO_RANGE };
            hasTool = false;
          } else if (step && (field === 'input' || field === 'other')) {
            plainKeys.push(undefined);
            plainStack.push(Object.create(null));
          } else if (!step && field === 'defaults' && depth === 1) {
            inDefaults = true;
          } else if (!step && field === 'other') {
            plainKeys.push(undefined);
            plainStack.push(Object.create(null));
          } else {
            throw BAIL;
          }
          depth++;
        },
        onObjectEnd(offset, length) {
          depth--;
          if (plainStack.length > 0) {
            const value = plainStack.pop()!;
            plainKey = plainKeys.pop();
            if (plainStack.length > 0) addPlain(value);
            else if (step && field === 'input') step.input = value;
            return;
          }
          if (inDefaults && depth === 1) {
            inDefaults = false;
            return;
          }
          if (step && depth === listDepth) finishStep(offset + length);
        },
        onArrayBegin(offset) {
          if (dependencies || locks || depth + plainStack.length >= MAX_NESTING) throw BAIL;
          if (plainStack.length > 0) {
            plainKeys.push(plainKey);
            plainStack.push([]);
          } else if (depth === 0) {
            listDepth = 1;
            stepsRange = { start: offset, end: offset };
          } else if (!step && field === 'steps' && depth === 1) {
            listDepth = 2;
            stepsRange = { start: offset, end: offset };
          } else if (step && field === 'depends_on') {
            dependencies = [];
            listStart = offset;
          } else if (step && field === 'locks') {
            locks = [];
            listStart = offset;
          } else if (field === 'other') {
            plainKeys.push(undefined);
            plainStack.push([]);
          } else {
            throw BAIL;
          }
          depth++;
        },
        onArrayEnd(offset, length) {
          depth--;
          const end = offset + length;
          if (plainStack.length > 0) {
            const value = plainStack.pop()!;
            plainKey = plainKeys.pop();
            if (plainStack.length > 0) addPlain(value);
            else if (step && field === 'input') throw BAIL;
            return;
          }
          if (dependencies) {
            const listRange = { start: listStart, end };
            for (const dependency of dependencies) {
              dependency.siblings = dependencies;
              dependency.listRange = listRange;
            }
            step!.dependsOn = dependencies;
            step!.dependsOnRange = listRange;
            step!.dependsOnKeyRange = { start: fieldKeyStart, end: fieldKeyEnd };
            dependencies = undefined;
          } else if (locks) {
            step!.locks = locks;
            step!.locksRange = { start: listStart, end };
            locks = undefined;
          } else if (depth === listDepth - 1 && stepsRange) {
            stepsRange.end = end;
          }
        },
        onObjectProperty(property, offset, length) {
          if (plainStack.length > 0) {
            plainKey = property;
            return;
          }
          if (inDefaults) {
            if (property !== 'timeout_ms' || defaultTimeout !== undefined) throw BAIL;
            field = 'timeout_ms';
            return;
          }
          field = fieldFor(property);
          // A repeated known key needs the general reader's duplicate-key warning.
          if (field !== 'other') {
            const bit = FIELD_BITS[field];
            if (seenFields & bit) throw BAIL;
            seenFields |= bit;
          }
          fieldKeyStart = offset;
          fieldKeyEnd = offset + length;
        },
        onLiteralValue(value: unknown, offset, length) {
          if (plainStack.length > 0) {
            addPlain(value);
            return;
          }
          const range = { start: offset, end: offset + length };
          if (dependencies) {
            if (typeof value !== 'string') throw BAIL;
            const index = dependencies.length;
            if (value === '') throw BAIL;
            // The list and its range are filled in when the list ends.
            dependencies.push({ id: value, range, index, siblings: NO_SIBLINGS, listRange: NO_RANGE, block: false });
            return;
          }
          if (locks) {
            if (typeof value !== 'string' || value === '') throw BAIL;
            locks.push({ name: value, range });
            return;
          }
          if (inDefaults) {
            if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw BAIL;
            defaultTimeout = value;
            return;
          }
          if (!step) {
            if (depth === 0) throw BAIL;
            if (field === 'name') {
              if (typeof value !== 'string') throw BAIL;
              name = value;
            } else if (field !== 'other') {
              throw BAIL;
            }
            return;
          }
          readStepLiteral(step, field, value, range, field === 'depends_on' ? { start: fieldKeyStart, end: fieldKeyEnd } : undefined);
          if (field === 'tool') hasTool = true;
        },
        onError() {
          throw BAIL;
        },
      },
      { allowTrailingComma: true, disallowComments: false },
    );
  } catch (error) {
    // A stack overflow on deep nesting is left to the general reader, which reports it.
    if (error === BAIL || error instanceof RangeError) return undefined;
    throw error;
  }

  if (!stepsRange || depth !== 0) return undefined;
  return { text, format: 'json', shape, name, defaults: defaultTimeout === undefined ? {} : { timeoutMs: defaultTimeout }, steps, stepsRange };
}

function readStepLiteral(step: Step, field: Field, value: unknown, range: OffsetRange, keyRange: OffsetRange | undefined): void {
  switch (field) {
    case 'id':
      if (typeof value !== 'string' || value === '') throw BAIL;
      step.id = value;
      step.idRange = range;
      return;
    case 'tool':
      if (typeof value !== 'string') throw BAIL;
      step.tool = value;
      step.toolRange = range;
      return;
    case 'depends_on':
      // `null` means none; any other literal is a schema violation.
      if (value !== null) throw BAIL;
      step.dependsOn = [];
      step.dependsOnRange = range;
      step.dependsOnKeyRange = keyRange;
      return;
    case 'locks':
      if (value !== null) throw BAIL;
      step.locks = [];
      step.locksRange = range;
      return;
    case 'timeout_ms':
    case 'duration_ms':
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw BAIL;
      if (field === 'timeout_ms') step.timeoutMs = value;
      else step.durationMs = value;
      return;
    case 'command':
    case 'description':
      if (typeof value !== 'string') throw BAIL;
      step[field] = value;
      return;
    case 'behavior':
      if (typeof value !== 'string' || !(STEP_BEHAVIORS as readonly string[]).includes(value)) throw BAIL;
      step.behavior = value as StepBehavior;
      return;
    case 'other':
      return;
    default:
      // `input` must be an object.
      throw BAIL;
  }
}
