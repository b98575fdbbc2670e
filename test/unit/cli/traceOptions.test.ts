import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { runCli } from './runCli';

/** A native trace whose `mytool` call has been running for 5 s at the last event. */
const trace = [
  { ts: '2026-05-01T13:00:00Z', type: 'call.start', call: 'slow', tool: 'mytool', agent: 'main' },
  { ts: '2026-05-01T13:00:01Z', type: 'call.start', call: 'quick', tool: 'other', agent: 'main' },
  { ts: '2026-05-01T13:00:05Z', type: 'call.end', call: 'quick', status: 'ok' },
]
  .map((event) => JSON.stringify(event))
  .join('\n');
const files = { 'run.jsonl': `${trace}\n` };

describe('trace timeouts from the command line', () => {
  it('default timeout leaves a 5 s call alone', () => {
    const result = runCli(['check', 'run.jsonl'], files);
    assert.equal(result.code, 0, result.stdout);
    assert.doesNotMatch(result.stdout, /hung-call/);
  });

  it('--timeout for the tool reports it hung', () => {
    const result = runCli(['check', '--timeout', 'mytool=1000', 'run.jsonl'], files);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /hung-call .*Call slow \(mytool\)/);
  });

  it('--timeout for another tool does not', () => {
    const result = runCli(['check', '--timeout=other=1000', 'run.jsonl'], files);
    assert.doesNotMatch(result.stdout, /hung-call/);
  });

  it('--default-timeout reports it hung', () => {
    const result = runCli(['check', '--default-timeout', '4000', 'run.jsonl'], files);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /hung-call .*Call slow/);
  });

  it('--timeout for the tool wins over --default-timeout', () => {
    const result = runCli(['check', '--default-timeout', '1000', '--timeout', 'mytool=10000', 'run.jsonl'], files);
    assert.doesNotMatch(result.stdout, /hung-call/);
  });

  it('tool names may contain =', () => {
    const result = runCli(['check', '--timeout', 'a=b=1000', 'run.jsonl'], files);
    assert.equal(result.code, 0, result.stderr);
  });

  it('negative milliseconds are rejected', () => {
    const result = runCli(['check', '--timeout', 'a=-5', 'run.jsonl'], files);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--timeout "a=-5".*milliseconds must be a whole number 0 or more/);
  });

  it('negative default timeout is rejected', () => {
    const result = runCli(['check', '--default-timeout', '-5', 'run.jsonl'], files);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--default-timeout "-5".*whole number 0 or more/);
  });

  it('help names the timeout options', () => {
    const help = runCli(['--help']).stdout;
    assert.match(help, /--timeout TOOL=MS/);
    assert.match(help, /--default-timeout MS/);
    assert.match(help, /traces/);
  });
});
