import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkTrace } from '../../../src/core/trace/check';
import { readTraceText } from '../../../src/core/trace/reader';
import { TraceWriter } from '../../../src/lib';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

describe('TypeScript TraceWriter', () => {
  it('records sync and async tools, errors, nesting and waits', async () => {
    const lines: string[] = [];
    let clock = Date.parse('2026-06-01T09:00:00Z');
    const writer = new TraceWriter((line) => lines.push(line), { agent: 'planner', now: () => (clock += 100) });

    const add = writer.wrap('add', (a: number, b: number) => a + b);
    const fail = writer.wrap('fail', () => {
      throw new Error('disk full');
    });
    const fetchPage = writer.wrap('fetch_page', async (url: string) => {
      assert.equal(add(1, 2), 3);
      return `page ${url}`;
    });
    const slow = writer.wrap('slow', async () => {
      const error = new Error('gave up');
      error.name = 'TimeoutError';
      throw error;
    });

    assert.equal(await fetchPage('https://example.test'), 'page https://example.test');
    assert.throws(() => fail(), /disk full/);
    await assert.rejects(slow(), /gave up/);
    const delivered = await writer.waitFor({ agent: 'reviewer' }, Promise.resolve(7));
    assert.equal(delivered, 7);
    writer.lockAcquire('db');
    writer.lockRelease('db');

    const text = lines.join('');
    const builder = readTraceText(text);
    assert.equal(builder.format, 'native');
    const calls = [...builder.calls.values()];
    assert.deepEqual(calls.map((call) => [call.tool, call.status]), [
      ['fetch_page', 'ok'],
      ['add', 'ok'],
      ['fail', 'error'],
      ['slow', 'timeout'],
    ]);
    const [fetchCall, addCall, failCall] = calls;
    assert.equal(addCall.parent, fetchCall.id);
    assert.equal(fetchCall.parent, undefined);
    assert.equal(failCall.error, 'Error: disk full');
    assert.deepEqual(fetchCall.input, 'https://example.test');
    assert.equal(builder.waits.size, 0);
    assert.equal(builder.locks.get('db')?.holder, undefined);
    const result = checkTrace(text, 'ts.jsonl');
    assert.deepEqual(result.findings.map((f) => f.kind), ['failed-call', 'failed-call']);
  });
});

describe('Python writer', () => {
  it('writes a trace the native adapter reads', () => {
    const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, 'python3 is needed to test examples/agent_trace.py but could not be run');

    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-trace-py-'));
    try {
      const tracePath = path.join(folder, 'run.trace.jsonl');
      const script = `
import asyncio, sys, threading
sys.path.insert(0, ${JSON.stringify(EXAMPLES)})
from agent_trace import AgentTrace

trace = AgentTrace(sys.argv[1], agent="researcher")

@trace.tool()
def read_file(path):
    return "text of " + path

@trace.tool("fetch_page", timeout_ms=5000)
async def fetch_page(url):
    await asyncio.sleep(0.01)
    return read_file("cache/" + url)

@trace.tool()
def explode():
    raise ValueError("bad input")

@trace.tool()
async def slow():
    raise TimeoutError("no answer in 5 s")

async def main():
    await asyncio.gather(fetch_page("a"), fetch_page("b"))
    try:
        explode()
    except ValueError:
        pass
    try:
        await slow()
    except TimeoutError:
        pass
    async with trace.wait(agent="reviewer"):
        await asyncio.sleep(0.01)
    with trace.lock("index", real=threading.Lock()):
        trace.heartbeat("indexing")
    trace.wait_start({"call": "never-started"})

asyncio.run(main())
trace.close()
`;
      const scriptPath = path.join(folder, 'agent.py');
      fs.writeFileSync(scriptPath, script);
      const run = spawnSync('python3', [scriptPath, tracePath], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);

      const text = fs.readFileSync(tracePath, 'utf8');
      const result = checkTrace(text, tracePath);
      assert.equal(result.format, 'native');
      assert.equal(result.findings.filter((f) => f.kind === 'invalid-trace').length, 0);
      const calls = [...result.builder.calls.values()];
      const byTool = (tool: string) => calls.filter((call) => call.tool === tool);
      assert.equal(byTool('fetch_page').length, 2);
      assert.ok(byTool('fetch_page').every((call) => call.status === 'ok' && call.timeoutMs === 5000));
      const fetchIds = new Set(byTool('fetch_page').map((call) => call.id));
      assert.equal(byTool('read_file').length, 2);
      assert.ok(byTool('read_file').every((call) => call.parent !== undefined && fetchIds.has(call.parent)), 'read_file names its fetch_page as parent');
      assert.equal(byTool('explode')[0].status, 'error');
      assert.equal(byTool('explode')[0].error, 'ValueError: bad input');
      assert.equal(byTool('slow')[0].status, 'timeout');
      assert.equal(result.builder.locks.get('index')?.holder, undefined);
      const kinds = result.findings.map((f) => f.kind).sort();
      assert.deepEqual(kinds, ['failed-call', 'failed-call', 'stranded']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
