import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import type * as TemplatesModule from '../../../src/extension/plans/templates';
import { installFakeVscode } from '../../support/fakeVscode';

installFakeVscode();
// The templates call vscode.l10n.t as their module loads, so the stand-in records the
// messages it is asked for while the module is required.
const l10n = (require('vscode') as { l10n: { t: (message: string, ...args: unknown[]) => string } }).l10n;
const translate = l10n.t;
const requested = new Set<string>();
l10n.t = (message, ...args) => {
  requested.add(message);
  return translate(message, ...args);
};
const { PLAN_TEMPLATES } = require('../../../src/extension/plans/templates') as typeof TemplatesModule;
l10n.t = translate;

it('plan templates translate labels', () => {
  assert.ok(PLAN_TEMPLATES.length > 0);
  for (const template of PLAN_TEMPLATES) {
    assert.ok(requested.has(template.label), `label "${template.label}" does not go through vscode.l10n.t`);
    assert.ok(requested.has(template.description), `description "${template.description}" does not go through vscode.l10n.t`);
  }
});
