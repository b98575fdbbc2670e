import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PlanRuleId } from '../../../src/core/findings';
import { checkPlan } from '../../../src/core/plan/check';
import { LineIndex } from '../../../src/core/text/lineIndex';
import type * as ConvertModule from '../../../src/extension/plans/convert';
import { Diagnostic, DiagnosticRelatedInformation, installFakeVscode, Uri } from '../../support/fakeVscode';

installFakeVscode();
// Loaded after the stand-in for `vscode` is installed.
const { toDiagnostics, MAX_RELATED_LOCATIONS } = require('../../../src/extension/plans/convert') as typeof ConvertModule;

const uri = Uri.file('/plans/test.plan.json');
const docs = (rule: string) => Uri.file('/extension/docs/rules.md').with({ fragment: rule });

function convert(text: string, severityOf: (rule: PlanRuleId) => number | undefined = () => 0) {
  const entry = { uri, version: 1, format: 'json' as const, text, lines: new LineIndex(text), analysis: checkPlan(text, 'json') };
  const diagnostics = toDiagnostics(entry as never, { severityOf, ruleDocs: docs } as never) as unknown as Diagnostic[];
  const offsetOf = (diagnostic: Diagnostic | DiagnosticRelatedInformation) => {
    const range = diagnostic instanceof Diagnostic ? diagnostic.range : (diagnostic.location.range as Diagnostic['range']);
    return entry.lines.offsetAt(range.start);
  };
  return { diagnostics, offsetOf };
}

const codeOf = (diagnostic: Diagnostic) => (diagnostic.code as { value: string }).value;

const twoCycles = `[
  {"id": "d", "tool": "merge", "depends_on": ["e", "f"]},
  {"id": "e", "tool": "enrich", "depends_on": ["g"]},
  {"id": "f", "tool": "filter", "depends_on": ["g"]},
  {"id": "g", "tool": "gather", "depends_on": ["d"]},
  {"id": "h", "tool": "publish", "depends_on": ["d"]}
]`;

describe('toDiagnostics', () => {
  it('marks every dependency on a cycle', () => {
    const { diagnostics, offsetOf } = convert(twoCycles);
    const cycles = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle');
    const marked = new Set(cycles.map(offsetOf));
    const expected = new Set([
      twoCycles.indexOf('"e", "f"'),
      twoCycles.indexOf('"f"]'),
      twoCycles.indexOf('"g"]'),
      twoCycles.lastIndexOf('"g"]'),
      twoCycles.indexOf('"d"]'),
    ]);
    assert.deepEqual(marked, expected);
  });

  it('links a cycle entry to the others', () => {
    const { diagnostics, offsetOf } = convert(twoCycles);
    for (const diagnostic of diagnostics.filter((candidate) => codeOf(candidate) === 'cycle')) {
      const related = diagnostic.relatedInformation as DiagnosticRelatedInformation[];
      assert.ok(related.length >= 2, `only ${related.length} related locations`);
      assert.ok(!related.some((location) => offsetOf(location) === offsetOf(diagnostic)), 'a diagnostic links to itself');
    }
  });

  it('sets the code with its docs link', () => {
    const { diagnostics } = convert(twoCycles);
    const blocked = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'blocked');
    assert.ok(blocked);
    const code = blocked.code as { value: string; target: Uri };
    assert.equal(code.target.fragment, 'blocked');
    assert.equal(code.target.path, '/extension/docs/rules.md');
    assert.equal(blocked.source, 'agent-deadlock');
  });

  it('drops rules turned off', () => {
    const { diagnostics } = convert(twoCycles, (rule) => (rule === 'cycle' ? undefined : 1));
    assert.equal(diagnostics.some((diagnostic) => codeOf(diagnostic) === 'cycle'), false);
    assert.ok(diagnostics.some((diagnostic) => codeOf(diagnostic) === 'blocked'));
    for (const diagnostic of diagnostics) assert.equal(diagnostic.severity, 1);
  });

  it('caps links in a large cycle', () => {
    const steps = Array.from({ length: 300 }, (_, index) => `{"id": "s${index}", "tool": "t", "depends_on": ["s${(index + 1) % 300}"]}`);
    const { diagnostics } = convert(`[${steps.join(',\n')}]`);
    const cycles = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle');
    assert.equal(cycles.length, 300);
    for (const diagnostic of cycles) assert.ok((diagnostic.relatedInformation?.length ?? 0) <= MAX_RELATED_LOCATIONS);
  });

  it('links blocked steps to the cause only', () => {
    const blockedSteps = Array.from({ length: 200 }, (_, index) => `{"id": "b${index}", "tool": "t", "depends_on": ["missing"]}`);
    const { diagnostics } = convert(`[${blockedSteps.join(',\n')}]`);
    const blocked = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'blocked');
    assert.equal(blocked.length, 200);
    for (const diagnostic of blocked) assert.ok((diagnostic.relatedInformation?.length ?? 0) < 5, 'blocked steps are not linked to each other');
  });

  it('large example has no diagnostics', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'large.plan.json'), 'utf8');
    const { diagnostics } = convert(text);
    assert.deepEqual(diagnostics, []);
  });
});
