import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkPlan } from '../../../src/core/plan/check';
import { analyzePlan } from '../../../src/core/plan/analyze';
import type { Plan, Step } from '../../../src/core/plan/model';
import { applyEdits, canonicalCycle, checkFixture, kinds, ofKind } from '../helpers';

describe('clean plan', () => {
  it('has no findings and two-level stages', () => {
    const { analysis } = checkFixture('plans/clean.plan.json');
    assert.deepEqual(analysis.findings, []);
    assert.deepEqual(analysis.stages, [['load_accounts', 'load_invoices'], ['summarise'], ['email']]);
  });

  it('computes the critical path from durations', () => {
    const { analysis } = checkFixture('plans/clean.plan.json');
    assert.deepEqual(analysis.criticalPath, { steps: ['load_invoices', 'summarise', 'email'], durationMs: 1800 });
  });

  it('omits the critical path when a duration is missing', () => {
    const analysis = checkPlan('[{"id": "a", "tool": "t", "duration_ms": 5}, {"id": "b", "tool": "t"}]', 'json');
    assert.equal(analysis.criticalPath, undefined);
  });

  it('gives per-step info', () => {
    const { analysis } = checkFixture('plans/clean.plan.json');
    const info = analysis.steps.get('load_accounts')!;
    assert.equal(info.stage, 0);
    assert.equal(info.onCycle, false);
    assert.deepEqual(info.dependents, ['summarise']);
  });
});

describe('cycle rule', () => {
  it('reports a two-step cycle in a bare array', () => {
    const { analysis } = checkFixture('plans/two-step-cycle.plan.json');
    assert.deepEqual(kinds(analysis.findings), ['cycle']);
    const [cycle] = analysis.findings;
    assert.deepEqual(canonicalCycle(cycle.steps), ['book_hotel', 'plan_trip']);
    assert.equal(cycle.ranges?.length, 2);
    assert.equal(analysis.stages, undefined);
  });

  it('reports both cycles that share steps', () => {
    const { text, analysis } = checkFixture('plans/shared-cycles.plan.json');
    const cycles = ofKind(analysis.findings, 'cycle').map((finding) => canonicalCycle(finding.steps).join(','));
    assert.deepEqual(cycles.sort(), ['join,left,source', 'join,right,source']);
    const marked = new Set(ofKind(analysis.findings, 'cycle').flatMap((finding) => (finding.ranges ?? []).map((range) => text.slice(range.start, range.end))));
    // All five dependencies of the component lie on a cycle.
    assert.equal(ofKind(analysis.findings, 'cycle').flatMap((finding) => finding.ranges ?? []).length >= 5, true);
    assert.deepEqual([...marked].sort(), ['"join"', '"left"', '"right"', '"source"']);
    assert.ok(!analysis.findings.some((finding) => finding.steps.includes('archive')));
  });

  it('suggests the dependency shared by both cycles', () => {
    const { text, analysis } = checkFixture('plans/shared-cycles.plan.json');
    for (const finding of ofKind(analysis.findings, 'cycle')) {
      const edit = finding.fixes[0].edits[0];
      assert.match(finding.fixes[0].title, /`join` from the depends_on of `source`/);
      // `join` is the only entry, so the whole list becomes empty.
      assert.equal(text.slice(edit.range.start, edit.range.end), '["join"]');
      assert.equal(edit.newText, '[]');
    }
  });

  it('states the rule that chose the fix', () => {
    const { analysis } = checkFixture('plans/two-step-cycle.plan.json');
    assert.match(String(analysis.findings[0].data?.rule), /most shortest cycles/);
  });

  it('applying the fix removes the cycle', () => {
    const { text, analysis } = checkFixture('plans/shared-cycles.plan.json');
    const fixed = applyEdits(text, analysis.findings[0].fixes[0].edits);
    const after = checkPlan(fixed, 'json');
    assert.deepEqual(after.findings, []);
    assert.ok(after.stages);
  });

  it('groups a large component into one finding', () => {
    // A ring of 40 steps plus chords gives many distinct shortest cycles.
    const steps = Array.from({ length: 40 }, (_, i) => ({
      id: `s${i}`,
      tool: 't',
      depends_on: [`s${(i + 1) % 40}`, `s${(i + 7) % 40}`],
    }));
    const analysis = checkPlan(JSON.stringify(steps), 'json');
    const cycles = ofKind(analysis.findings, 'cycle');
    assert.equal(cycles.length, 1);
    assert.equal(cycles[0].steps.length, 40);
    assert.equal(cycles[0].ranges?.length, 80);
    assert.match(cycles[0].message, /40 steps form one strongly connected component/);
  });
});

describe('blocked rule', () => {
  it('reports steps behind a cycle, not as cycle members', () => {
    const { analysis } = checkFixture('plans/cycle-tail.plan.yaml');
    assert.deepEqual(kinds(analysis.findings), ['blocked', 'cycle']);
    const [blocked] = ofKind(analysis.findings, 'blocked');
    assert.deepEqual(blocked.steps, ['reviewer', 'final_check']);
    assert.match(blocked.message, /cycle through `drafter`, `researcher`/);
    const [cycle] = ofKind(analysis.findings, 'cycle');
    assert.deepEqual(canonicalCycle(cycle.steps), ['drafter', 'researcher']);
  });

  it('relates each blocked step to its next wait', () => {
    const text = '[{"id":"a","tool":"t","depends_on":["b"]},{"id":"b","tool":"t","depends_on":["c"]},{"id":"c","tool":"t","depends_on":["c"]}]';
    const [blocked] = ofKind(checkPlan(text, 'json').findings, 'blocked');
    assert.deepEqual(blocked.steps, ['a', 'b']);
    assert.match(blocked.message, /`c`, which depends on itself/);
    const waits = blocked.related.map((related) => related.message);
    assert.ok(waits.includes('`a` waits for `b`'));
    assert.ok(waits.includes('`b` waits for `c`'));
  });

  it('gives blocked steps no stage', () => {
    const { analysis } = checkFixture('plans/cycle-tail.plan.yaml');
    assert.equal(analysis.steps.get('final_check')?.stage, undefined);
    assert.deepEqual(analysis.steps.get('final_check')?.blockedBy, ['drafter', 'researcher']);
  });
});

describe('self-dependency rule', () => {
  it('marks the entry and blocks dependents', () => {
    const { text, analysis } = checkFixture('plans/self-dependency.plan.yml');
    assert.deepEqual(kinds(analysis.findings), ['blocked', 'self-dependency']);
    const [self] = ofKind(analysis.findings, 'self-dependency');
    assert.deepEqual(self.steps, ['paginate']);
    // The second entry of the block list, not the whole step.
    assert.equal(text.slice(self.range.start, self.range.end), 'paginate');
    assert.ok(self.range.start > text.indexOf('- crawl'));
    assert.deepEqual(ofKind(analysis.findings, 'blocked')[0].steps, ['index']);
  });

  it('fix removes the whole list line', () => {
    const { text, analysis } = checkFixture('plans/self-dependency.plan.yml');
    const [self] = ofKind(analysis.findings, 'self-dependency');
    const fixed = applyEdits(text, self.fixes[0].edits);
    assert.ok(!fixed.includes('      - paginate'));
    assert.ok(fixed.includes('      - crawl\n  - id: index'));
    assert.deepEqual(checkPlan(fixed, 'yaml').findings, []);
  });
});

describe('unknown-dependency rule', () => {
  it('suggests the closest id and blocks the step', () => {
    const { analysis } = checkFixture('plans/unknown.plan.json');
    assert.deepEqual(kinds(analysis.findings), ['blocked', 'unknown-dependency']);
    const [unknown] = ofKind(analysis.findings, 'unknown-dependency');
    assert.equal(unknown.missing, 'get_tickts');
    assert.equal(unknown.suggestion, 'get_tickets');
    assert.deepEqual(unknown.steps, ['draft_reply']);
    assert.deepEqual(ofKind(analysis.findings, 'blocked')[0].steps, ['draft_reply']);
  });

  it('replace fix keeps JSON quoting and cleans the plan', () => {
    const { text, analysis } = checkFixture('plans/unknown.plan.json');
    const [unknown] = ofKind(analysis.findings, 'unknown-dependency');
    assert.equal(unknown.fixes[0].edits[0].newText, '"get_tickets"');
    assert.deepEqual(checkPlan(applyEdits(text, unknown.fixes[0].edits), 'json').findings, []);
  });

  it('remove fix deletes the entry and its comma', () => {
    const { text, analysis } = checkFixture('plans/unknown.plan.json');
    const [unknown] = ofKind(analysis.findings, 'unknown-dependency');
    const fixed = applyEdits(text, unknown.fixes[1].edits);
    assert.ok(fixed.includes('"depends_on": ["get_customer"]}'));
    assert.deepEqual(checkPlan(fixed, 'json').findings, []);
  });

  it('offers no suggestion when nothing is close', () => {
    const [unknown] = ofKind(checkPlan('[{"id":"a","tool":"t","depends_on":["zzzzzz"]}]', 'json').findings, 'unknown-dependency');
    assert.equal(unknown.suggestion, undefined);
    assert.equal(unknown.fixes.length, 1);
  });
});

describe('duplicate-id rule', () => {
  it('reports the later definition with the first as related', () => {
    const { text, analysis } = checkFixture('plans/duplicate.plan.json');
    assert.deepEqual(kinds(analysis.findings), ['duplicate-id']);
    const [duplicate] = analysis.findings;
    assert.ok(duplicate.range.start > text.indexOf('"parse"'));
    assert.ok(duplicate.related[0].range.start < text.indexOf('"parse"'));
    const fixed = applyEdits(text, duplicate.fixes[0].edits);
    assert.ok(fixed.includes('"fetch_2"'));
    assert.deepEqual(checkPlan(fixed, 'json').findings, []);
  });
});

describe('lock-order-inversion rule', () => {
  it('reports concurrent steps with opposite orders only', () => {
    const { analysis } = checkFixture('plans/lock-inversion.plan.json');
    assert.deepEqual(kinds(analysis.findings), ['lock-order-inversion']);
    const [inversion] = analysis.findings;
    assert.deepEqual(inversion.steps, ['refresh_index', 'compact']);
    assert.deepEqual([...(inversion.locks ?? [])].sort(), ['index', 'storage']);
    assert.ok(!inversion.steps.includes('verify'));
    assert.ok(!inversion.steps.includes('upload'));
  });

  it('marks the locks entries', () => {
    const { text, analysis } = checkFixture('plans/lock-inversion.plan.json');
    const marked = (analysis.findings[0].ranges ?? []).map((range) => text.slice(range.start, range.end));
    assert.deepEqual(marked.sort(), ['"index"', '"index"', '"storage"', '"storage"']);
  });

  it('reorder fix removes the inversion', () => {
    const { text, analysis } = checkFixture('plans/lock-inversion.plan.json');
    const fixed = applyEdits(text, analysis.findings[0].fixes[0].edits);
    assert.deepEqual(checkPlan(fixed, 'json').findings, []);
  });

  it('finds a cycle across three steps', () => {
    const { analysis } = checkFixture('plans/three-lock-cycle.plan.yaml');
    assert.deepEqual(kinds(analysis.findings), ['lock-order-inversion']);
    assert.deepEqual([...analysis.findings[0].steps].sort(), ['a', 'b', 'c']);
    assert.deepEqual(canonicalCycle(analysis.findings[0].locks!), ['blue', 'red', 'green']);
  });

  it('ignores a three-lock cycle when dependencies order the steps', () => {
    const text = 'steps:\n  - {id: a, tool: t, locks: [red, green]}\n  - {id: b, tool: t, locks: [green, blue], depends_on: [a]}\n  - {id: c, tool: t, locks: [blue, red]}\n';
    assert.deepEqual(checkPlan(text, 'yaml').findings, []);
  });
});

describe('odd ids', () => {
  it('treats prototype names as ordinary ids', () => {
    const { analysis } = checkFixture('plans/odd-ids.plan.json');
    assert.deepEqual(kinds(analysis.findings), ['blocked', 'unknown-dependency']);
    assert.equal(ofKind(analysis.findings, 'unknown-dependency')[0].missing, 'hasOwnProperty');
    assert.equal(analysis.steps.get('zusammenfassung-über')?.stage, 3);
    assert.deepEqual(analysis.steps.get('__proto__')?.dependents, ['constructor', 'zusammenfassung-über']);
  });
});

function chainPlan(length: number, closeRing: boolean): Plan {
  const steps: Step[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const range = { start: i, end: i + 1 };
    const dependsOn = [];
    const place = { range, index: 0, siblings: [{ range }], listRange: range, block: false };
    if (i > 0) dependsOn.push({ id: `s${i - 1}`, ...place });
    if (i === 0 && closeRing) dependsOn.push({ id: `s${length - 1}`, ...place });
    steps[i] = { index: i, id: `s${i}`, tool: 't', dependsOn, locks: [], range, idRange: range };
  }
  return { text: '', format: 'json', shape: 'array', defaults: {}, steps, stepsRange: { start: 0, end: 0 } };
}

describe('long chains', () => {
  it('analyses a chain of 1,000,000 steps', () => {
    const analysis = analyzePlan(chainPlan(1_000_000, false));
    assert.equal(analysis.findings.length, 0);
    assert.equal(analysis.stages?.length, 1_000_000);
  });

  it('finds a ring of 1,000,000 steps', () => {
    const analysis = analyzePlan(chainPlan(1_000_000, true));
    const cycles = ofKind(analysis.findings, 'cycle');
    assert.equal(cycles.length, 1);
    assert.equal(cycles[0].steps.length, 1_000_000);
  });
});

describe('fixes on hard inputs', () => {
  it('grouped component fix breaks every cycle', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const steps = ids.map((id) => ({ id, tool: 't', depends_on: ids.filter((other) => other !== id) }));
    const text = JSON.stringify(steps, null, 1);
    const analysis = checkPlan(text, 'json');
    const [cycle] = ofKind(analysis.findings, 'cycle');
    assert.match(cycle.message, /6 steps form one strongly connected component/);
    const fixed = applyEdits(text, cycle.fixes[0].edits);
    assert.deepEqual(ofKind(checkPlan(fixed, 'json').findings, 'cycle'), []);
  });

  it('removing the only entry leaves an empty list', () => {
    const text = '{"steps":[{"id":"d","tool":"t","depends_on":["zz",]}]}';
    const [unknown] = ofKind(checkPlan(text, 'json').findings, 'unknown-dependency');
    const fixed = applyEdits(text, unknown.fixes[0].edits);
    assert.equal(fixed, '{"steps":[{"id":"d","tool":"t","depends_on":[]}]}');
    assert.deepEqual(checkPlan(fixed, 'json').findings, []);
  });

  it('never suggests the step itself', () => {
    const [unknown] = ofKind(checkPlan('[{"id":"fetch_orders","tool":"t","depends_on":["fetch_order"]}]', 'json').findings, 'unknown-dependency');
    assert.equal(unknown.suggestion, undefined);
  });

  it('gives each duplicate its own new name', () => {
    const text = 'steps:\n  - {id: fetch, tool: t}\n  - {id: fetch, tool: t}\n  - {id: fetch, tool: t}\n';
    const duplicates = ofKind(checkPlan(text, 'yaml').findings, 'duplicate-id');
    assert.equal(duplicates.length, 2);
    const fixed = applyEdits(text, duplicates.flatMap((finding) => finding.fixes[0].edits));
    assert.deepEqual(checkPlan(fixed, 'yaml').findings, []);
  });

  it('offers no edit inside a shared YAML anchor', () => {
    const text = 'steps:\n  - id: a\n    tool: t\n    depends_on: &deps [b]\n  - id: b\n    tool: t\n    depends_on: [a]\n  - id: c\n    tool: t\n    depends_on: *deps\n';
    const analysis = checkPlan(text, 'yaml');
    const cycle = ofKind(analysis.findings, 'cycle')[0];
    // Only b's own list may be edited; a's list is shared with c through the anchor.
    assert.equal(cycle.fixes.length, 1);
    for (const fix of cycle.fixes) {
      for (const edit of fix.edits) assert.ok(edit.range.start > text.indexOf('- id: b'));
    }
  });
});

describe('lock fixes', () => {
  it('reorders every step out of the chosen order', () => {
    const text = JSON.stringify({
      steps: [
        { id: 'p', tool: 't', locks: ['a', 'b'] },
        { id: 'q', tool: 't', locks: ['b', 'a'], depends_on: ['p'] },
        { id: 'r', tool: 't', locks: ['b', 'a'] },
      ],
    });
    const analysis = checkPlan(text, 'json');
    const inversions = ofKind(analysis.findings, 'lock-order-inversion');
    assert.equal(inversions.length, 1);
    const fixed = applyEdits(text, inversions[0].fixes[0].edits);
    assert.deepEqual(checkPlan(fixed, 'json').findings, []);
    // b, a is the order two of three steps already use, so only p changes.
    assert.match(inversions[0].fixes[0].title, /\(1 step\)/);
  });

  it('reports a lock taken twice', () => {
    const analysis = checkPlan('[{"id":"p","tool":"t","locks":["a","b","a"]}]', 'json');
    assert.equal(analysis.findings.length, 1);
    assert.match(analysis.findings[0].message, /takes the lock `a` twice/);
  });

  it('finds a seven-lock cycle', () => {
    const steps = Array.from({ length: 7 }, (_, i) => ({ id: `s${i}`, tool: 't', locks: [`l${i}`, `l${(i + 1) % 7}`] }));
    const [inversion] = checkPlan(JSON.stringify(steps), 'json').findings;
    assert.equal(inversion.kind, 'lock-order-inversion');
    assert.equal(inversion.locks?.length, 7);
  });

  it('says when a lock cycle is too long to check', () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, tool: 't', locks: [`l${i}`, `l${(i + 1) % 10}`] }));
    const findings = checkPlan(JSON.stringify(steps), 'json').findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'info');
    assert.match(findings[0].message, /more than 8 locks/);
  });
});

describe('repeated dependencies', () => {
  it('reports and removes a repeated entry', () => {
    const text = '[{"id":"a","tool":"t"},{"id":"b","tool":"t","depends_on":["a","a"]}]';
    const analysis = checkPlan(text, 'json');
    assert.equal(analysis.findings.length, 1);
    assert.match(analysis.findings[0].message, /lists `a` twice/);
    const fixed = applyEdits(text, analysis.findings[0].fixes[0].edits);
    assert.equal(fixed, '[{"id":"a","tool":"t"},{"id":"b","tool":"t","depends_on":["a"]}]');
  });
});
