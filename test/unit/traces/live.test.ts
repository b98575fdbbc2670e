import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { analyzeTrace } from '../../../src/core/trace/analyze';
import { checkTrace } from '../../../src/core/trace/check';
import { TraceFollower, type FollowClock, type FollowFileSystem } from '../../../src/core/trace/follow';
import { IncrementalTraceAnalyzer } from '../../../src/core/trace/live';
import { LineSplitter, readTraceStream } from '../../../src/core/trace/stream';
import { nodeFollowFileSystem, readTraceFile, systemClock } from '../../../src/node/traceFiles';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');

function event(fields: Record<string, unknown>): string {
  return `${JSON.stringify(fields)}\n`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LineSplitter', () => {
  it('gives the offsets of the whole text across chunk and character boundaries', () => {
    const text = '{"a":"é"}\r\n{"b":"日本"}\n\n{"c":1}';
    const bytes = new TextEncoder().encode(text);
    const lines: [string, number, number, number, boolean][] = [];
    const splitter = new LineSplitter((line, start, end, lineNumber, isLast) => lines.push([line, start, end, lineNumber, isLast]));
    for (let i = 0; i < bytes.length; i += 3) splitter.push(bytes.subarray(i, i + 3));
    assert.equal(splitter.pending, '{"c":1}');
    splitter.end();
    assert.deepEqual(lines.map(([line]) => line), ['{"a":"é"}', '{"b":"日本"}', '', '{"c":1}']);
    for (const [line, start, end] of lines) assert.equal(text.slice(start, end), line);
    assert.deepEqual(lines.map(([, , , n, last]) => [n, last]), [[0, false], [1, false], [2, false], [3, true]]);
  });
});

describe('streamed reading', () => {
  it('finds the same findings as reading the whole text', async () => {
    for (const name of ['native-deadlock.jsonl', 'claude-code-hung.jsonl', 'otlp-unfinished-parent.jsonl', 'native-invalid.jsonl']) {
      const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
      const whole = checkTrace(text, name).findings.map((f) => [f.kind, f.range.start, f.range.end]);
      async function* chunks(): AsyncGenerator<Uint8Array> {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
      }
      const builder = await readTraceStream(chunks());
      const streamed = analyzeTrace(builder).findings.map((f) => [f.kind, f.range.start, f.range.end]);
      assert.deepEqual(streamed, whole, name);
    }
  });

  it('reads files through readTraceFile, both JSONL and one JSON document', async () => {
    const lines = await readTraceFile(path.join(FIXTURES, 'claude-code-hung.jsonl'));
    assert.equal(lines.format, 'claude-code');
    assert.equal(lines.calls.get('toolu_D2')?.status, 'running');
    const document = await readTraceFile(path.join(FIXTURES, 'anthropic-orphaned.json'));
    assert.equal(document.format, 'anthropic');
    assert.equal(document.calls.size, 3);
  });
});

describe('IncrementalTraceAnalyzer', () => {
  it('reads a line only once its line break arrives', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    const line = event({ ts: 1000, type: 'call.start', call: 'c1', tool: 'fetch' });
    analyzer.append(line.slice(0, 20));
    assert.equal(analyzer.builder.calls.size, 0);
    assert.equal(analyzer.pendingText, line.slice(0, 20));
    analyzer.append(line.slice(20));
    assert.equal(analyzer.builder.calls.get('c1')?.status, 'running');
    assert.equal(analyzer.analyze(1000 + 31_000).findings[0].kind, 'hung-call');
    assert.equal(analyzer.analyze(1000 + 29_000).findings.length, 0);
  });

  it('keeps memory proportional to open calls', () => {
    const analyzer = new IncrementalTraceAnalyzer({ retainClosedCalls: 100 });
    for (let i = 0; i < 20_000; i++) {
      analyzer.append(event({ ts: i, type: 'call.start', call: `c${i}`, tool: 't', input: { i } }));
      if (i % 50 !== 0) analyzer.append(event({ ts: i + 1, type: 'call.end', call: `c${i}`, status: 'ok' }));
    }
    const open = analyzer.builder.openCallCount;
    assert.equal(open, 400);
    assert.ok(analyzer.builder.calls.size <= open + 100, `kept ${analyzer.builder.calls.size} calls`);
  });
});

describe('TraceFollower with a simulated file system', () => {
  class MemoryFile implements FollowFileSystem {
    content = new Uint8Array();
    identity = 'inode-1';
    async stat() {
      return { size: this.content.length, identity: this.identity };
    }
    async read(_path: string, position: number, length: number) {
      return this.content.slice(position, position + length);
    }
    append(text: string): void {
      const added = new TextEncoder().encode(text);
      const next = new Uint8Array(this.content.length + added.length);
      next.set(this.content);
      next.set(added, this.content.length);
      this.content = next;
    }
  }
  const manualClock: FollowClock = { now: () => 0, setInterval: () => ({ dispose() {} }) };

  it('starts over after truncation and after rotation', async () => {
    const file = new MemoryFile();
    const resets: string[] = [];
    const follower = new TraceFollower('trace.jsonl', file, manualClock, { chunkBytes: 16 }, { onReset: (reason) => resets.push(reason) });
    file.append(event({ ts: 1, type: 'call.start', call: 'a', tool: 't' }));
    await follower.start();
    assert.ok(follower.analyzer.builder.calls.has('a'));

    file.content = new Uint8Array();
    file.append(event({ ts: 2, type: 'call.start', call: 'b', tool: 't' }).slice(0, 10));
    await follower.poll();
    assert.deepEqual(resets, ['truncated']);
    assert.equal(follower.analyzer.builder.calls.size, 0);

    file.identity = 'inode-2';
    file.content = new Uint8Array();
    file.append(event({ ts: 3, type: 'call.start', call: 'c', tool: 't' }));
    file.append(event({ ts: 4, type: 'call.start', call: 'd', tool: 't' }));
    await follower.poll();
    assert.deepEqual(resets, ['truncated', 'rotated']);
    assert.deepEqual([...follower.analyzer.builder.calls.keys()], ['c', 'd']);
    follower.stop();
  });
});

describe('TraceFollower on a real file', () => {
  let folder: string;
  let follower: TraceFollower | undefined;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-follow-'));
  });
  afterEach(() => {
    follower?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('sees lines appended while it runs, including a line written in two parts', async () => {
    const file = path.join(folder, 'live.jsonl');
    fs.writeFileSync(file, event({ ts: 1000, type: 'call.start', call: 'c1', tool: 'fetch', agent: 'a' }));
    let appends = 0;
    follower = new TraceFollower(file, nodeFollowFileSystem, systemClock, { pollMs: 20 }, { onAppend: () => appends++ });
    await follower.start();
    const builder = () => follower!.analyzer.builder;
    assert.equal(builder().calls.get('c1')?.status, 'running');

    const started = Date.now();
    fs.appendFileSync(file, event({ ts: 2000, type: 'call.start', call: 'c2', tool: 'search', agent: 'a' }));
    await until(() => builder().calls.has('c2'), 'c2 to appear');
    assert.ok(Date.now() - started < 1000);

    const end = event({ ts: 3000, type: 'call.end', call: 'c1', status: 'error', error: 'refused' });
    fs.appendFileSync(file, end.slice(0, 25));
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(builder().calls.get('c1')?.status, 'running');
    fs.appendFileSync(file, end.slice(25));
    await until(() => builder().calls.get('c1')?.status === 'error', 'c1 to end');

    const snapshot = follower.analyzer.snapshot('live.jsonl', 2000 + 60_000);
    assert.deepEqual(snapshot.analysis.findings.map((f) => f.kind).sort(), ['failed-call', 'hung-call']);
    assert.ok(snapshot.graph.nodes.some((node) => node.id === 'call:c2' && node.status === 'running'));
    assert.ok(appends >= 3);
  });

  it('follows a file replaced by rotation', async () => {
    const file = path.join(folder, 'rotating.jsonl');
    fs.writeFileSync(file, event({ ts: 1, type: 'call.start', call: 'old', tool: 't' }));
    const resets: string[] = [];
    follower = new TraceFollower(file, nodeFollowFileSystem, systemClock, { pollMs: 20 }, { onReset: (reason) => resets.push(reason) });
    await follower.start();
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(`${file}.tmp`, event({ ts: 2, type: 'call.start', call: 'new', tool: 't' }));
    fs.renameSync(`${file}.tmp`, file);
    await until(() => follower!.analyzer.builder.calls.has('new'), 'the rotated file to be read');
    assert.deepEqual(resets, ['rotated']);
    assert.equal(follower.analyzer.builder.calls.has('old'), false);
  });
});

describe('IncrementalTraceAnalyzer layouts', () => {
  it('reads a last line without a line break, then continues the numbering', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    analyzer.append('{"ts":1000,"type":"call.start","call":"c1","tool":"fetch"}');
    assert.equal(analyzer.analyze(2000).findings.length, 0);
    assert.equal(analyzer.builder.calls.get('c1')?.startRange.line, 0);

    analyzer.append('\n{"ts":1500,"type":"call.end","call":"c1","status":"error","error":"refused"}\n');
    const findings = analyzer.analyze(2000).findings;
    assert.deepEqual(findings.map((f) => f.kind), ['failed-call']);
    assert.equal(analyzer.builder.calls.get('c1')?.endRange?.line, 1);
    assert.equal(analyzer.builder.eventCount, 2);
  });

  it('does not read a partly written line', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    analyzer.append('{"ts":1000,"type":"call.start","call":"c1","tool":"fetch"}\n{"ts":1001,"type":"call.st');
    analyzer.analyze(2000);
    assert.equal(analyzer.builder.eventCount, 1);
    assert.equal(analyzer.builder.findings.length, 0);
  });

  it('reads a growing JSON document whole', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'anthropic-orphaned.json'), 'utf8');
    const analyzer = new IncrementalTraceAnalyzer();
    const cut = text.indexOf('"toolu_w3"');
    analyzer.append(text.slice(0, cut));
    assert.equal(analyzer.builder.calls.size, 0);
    analyzer.append(text.slice(cut));
    const orphans = analyzer.analyze(0).findings.filter((f) => f.kind === 'orphaned-call');
    assert.deepEqual(orphans.map((f) => f.calls), [['toolu_w3']]);
    assert.equal(analyzer.format, 'anthropic');
  });

  it('reads a one-line OTLP body without a line break', () => {
    const line = fs.readFileSync(path.join(FIXTURES, 'otlp-unfinished-parent.jsonl'), 'utf8').split('\n')[1];
    const analyzer = new IncrementalTraceAnalyzer();
    analyzer.append(line);
    const afterEnd = Date.parse('2026-03-02T14:00:48Z');
    assert.deepEqual(analyzer.analyze(afterEnd).findings.map((f) => f.kind).sort(), ['failed-call', 'hung-call']);
  });
});
