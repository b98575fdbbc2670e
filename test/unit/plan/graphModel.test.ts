import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { planGraphModel } from '../../../src/core/graph/planGraph';
import { checkPlan } from '../../../src/core/plan/check';
import { checkFixture } from '../helpers';

describe('planGraphModel', () => {
  it('marks cycle members and blocked steps', () => {
    const { analysis } = checkFixture('plans/cycle-tail.plan.yaml');
    const model = planGraphModel(analysis, 'cycle-tail');
    const status = new Map(model.nodes.map((node) => [node.id, node.status]));
    assert.equal(status.get('drafter'), 'cycle');
    assert.equal(status.get('researcher'), 'cycle');
    assert.equal(status.get('reviewer'), 'blocked');
    assert.equal(model.components.length, 1);
    const cyclic = model.edges.filter((edge) => edge.onCycle).map((edge) => `${edge.source}->${edge.target}`);
    assert.deepEqual(cyclic.sort(), ['drafter->researcher', 'researcher->drafter']);
  });

  it('keeps ghost node ids apart from step ids', () => {
    const analysis = checkPlan('[{"id":"missing:ghost","tool":"t"},{"id":"a","tool":"t","depends_on":["ghost"]}]', 'json');
    const model = planGraphModel(analysis, 'ghosts');
    const ids = model.nodes.map((node) => node.id);
    assert.equal(new Set(ids).size, ids.length);
    const ghost = model.nodes.find((node) => node.kind === 'missing')!;
    assert.equal(ghost.label, 'ghost');
    assert.equal(model.edges[0].target, ghost.id);
    assert.equal(model.nodes.find((node) => node.id === 'missing:ghost')?.kind, 'step');
  });
});
