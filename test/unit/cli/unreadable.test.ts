import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EXAMPLES, runCli } from './runCli';

const missing = 'missing.plan.json';
const good = path.join(EXAMPLES, 'clean.plan.json');

describe('unreadable files in text', () => {
  it('lone missing file is not called clean', () => {
    const result = runCli(['check', missing]);
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stdout, /no problems/i);
    assert.match(result.stdout, /missing\.plan\.json: file not found/);
    assert.match(result.stdout, /1 file could not be read\./);
    assert.match(result.stderr, /cannot read missing\.plan\.json: file not found/);
  });

  it('missing file next to a clean one', () => {
    const result = runCli(['check', missing, good]);
    assert.equal(result.code, 2);
    const summary = result.stdout.trimEnd().split('\n').at(-1) ?? '';
    assert.doesNotMatch(summary, /no problems/i);
    assert.match(summary, /1 file could not be read/);
    assert.match(summary, /1 file checked/);
  });

  it('unrecognised file counts as unreadable', () => {
    const result = runCli(['check', 'notes.txt', good], { 'notes.txt': 'hello' });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /notes\.txt: not a plan or a trace/);
    assert.match(result.stdout, /1 file could not be read/);
  });
});

describe('unreadable files in JSON', () => {
  it('has an entry with an error', () => {
    const result = runCli(['check', '--format', 'json', missing, good]);
    assert.equal(result.code, 2);
    const report = JSON.parse(result.stdout);
    assert.equal(report.files.length, 2);
    assert.equal(report.files[0].path, missing);
    assert.equal(report.files[0].error, 'file not found');
    assert.deepEqual(report.files[0].findings, []);
    assert.equal(report.files[1].path, good);
    assert.equal(report.files[1].error, undefined);
  });
});

describe('unreadable files in SARIF', () => {
  it('records a failed invocation', () => {
    const result = runCli(['check', '--format', 'sarif', missing, good]);
    assert.equal(result.code, 2);
    const sarif = JSON.parse(result.stdout);
    const invocations = sarif.runs[0].invocations;
    assert.equal(invocations.length, 1);
    assert.equal(invocations[0].executionSuccessful, false);
    const notification = invocations[0].toolExecutionNotifications[0];
    assert.equal(notification.level, 'error');
    assert.match(notification.message.text, /missing\.plan\.json.*file not found/);
    assert.equal(notification.locations[0].physicalLocation.artifactLocation.uri, 'missing.plan.json');
  });

  it('records a successful invocation', () => {
    const sarif = JSON.parse(runCli(['check', '--format', 'sarif', good]).stdout);
    assert.deepEqual(sarif.runs[0].invocations, [{ executionSuccessful: true }]);
  });
});
