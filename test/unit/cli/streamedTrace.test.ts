import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { readFileChunks } from '../../../src/cli/fileInput';
import { checkInput } from '../../../src/cli/inputs';
import { main, type CliIo } from '../../../src/cli/main';
import { VERSION } from '../../../src/cli/version';
import { formatJson } from '../../../src/core/report/json';
import { formatSarif } from '../../../src/core/report/sarif';
import { formatText } from '../../../src/core/report/text';
import { FIXTURES } from '../helpers';
import { CLI_SOURCE } from './runCli';

const OPTIONS = { toolTimeouts: new Map<string, number>(), defaultTimeoutMs: 30_000 };

/**
 * Returns a chunk reader that serves `bytes` in chunks of `chunkBytes` and reuses one buffer
 * for all of them. A reading that kept chunks, as the whole-file path does, would find them
 * overwritten, so output equal to the whole-text check also shows the file was streamed.
 */
function reusingChunks(bytes: Uint8Array, chunkBytes: number): Iterable<Uint8Array> {
  return {
    *[Symbol.iterator]() {
      const buffer = new Uint8Array(chunkBytes);
      for (let start = 0; start < bytes.length; start += chunkBytes) {
        const chunk = bytes.subarray(start, start + chunkBytes);
        buffer.fill(0);
        buffer.set(chunk);
        yield buffer.subarray(0, chunk.length);
      }
    },
  };
}

function freshChunks(bytes: Uint8Array, chunkBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) chunks.push(bytes.slice(start, start + chunkBytes));
  return chunks;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  readFileCalls: string[];
}

/** Runs the CLI with one file that it can only read in chunks. A call of `readFile` fails and is recorded. */
function runStreamed(argv: string[], file: string, chunks: () => Iterable<Uint8Array>): Run {
  const run: Run = { code: -1, stdout: '', stderr: '', readFileCalls: [] };
  const io: CliIo = {
    stdout: (text) => (run.stdout += text),
    stderr: (text) => (run.stderr += text),
    readFile: (name) => {
      run.readFileCalls.push(name);
      throw new Error(`readFile(${name}) was called`);
    },
    readChunks: (name) => {
      if (name !== file) throw Object.assign(new Error(`no file ${name}`), { code: 'ENOENT' });
      return chunks();
    },
    isTty: false,
    env: {},
  };
  run.code = main(argv, io);
  return run;
}

/** Formats the report of the whole text in each format, as the CLI printed it before it read traces in chunks. */
function wholeTextOutputs(file: string, bytes: Uint8Array): Record<'json' | 'sarif' | 'text', string> {
  const report = checkInput(file, Buffer.from(bytes).toString('utf8'), OPTIONS);
  return { json: formatJson([report]), sarif: formatSarif([report], VERSION), text: formatText([report], { color: false }) };
}

/** Asserts that every output format of the streamed check equals the whole-text check. */
function assertSameAsWholeText(text: string, chunkBytes: number): void {
  const file = 'trace.jsonl';
  const bytes = Buffer.from(text, 'utf8');
  const expected = wholeTextOutputs(file, bytes);
  for (const format of ['json', 'sarif', 'text'] as const) {
    const run = runStreamed(['check', '--format', format, file], file, () => reusingChunks(bytes, chunkBytes));
    assert.equal(run.stderr, '', `${format}, chunks of ${chunkBytes} bytes`);
    assert.equal(run.stdout, expected[format], `${format}, chunks of ${chunkBytes} bytes`);
  }
}

const nativeLine = (fields: Record<string, unknown>): string => JSON.stringify({ ts: 1_777_629_600_000, ...fields });

const CASES: Record<string, string> = {
  'LF endings': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch', agent: 'a' }),
    nativeLine({ type: 'wait.start', wait: 'w1', call: 'c1', for: { agent: 'a' } }),
    '',
  ].join('\n'),
  'CRLF endings': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch', agent: 'a' }),
    nativeLine({ type: 'call.end', call: 'c1', status: 'error', error: 'boom' }),
    nativeLine({ type: 'call.start', call: 'c2', tool: 'fetch', agent: 'a' }),
    '',
  ].join('\r\n'),
  'multi-byte characters': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'récupérer 😀', agent: 'агент' }),
    nativeLine({ type: 'call.end', call: 'c1', status: 'error', error: '失敗 🧨' }),
    nativeLine({ type: 'call.start', call: 'c2', tool: '工具', agent: 'агент' }),
    '',
  ].join('\n'),
  'last line without a line break': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch', agent: 'a' }),
    nativeLine({ type: 'call.end', call: 'c1', status: 'error' }),
  ].join('\n'),
  'truncated last line': `${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n{"ts":1,"type":"call.e`,
  'truncated last line before blank lines': `${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n{"ts":1,"type":"call.e\n\n  \r\n`,
  'invalid line in the middle': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' }),
    '{"ts":2,"type":"call.end","call":"c1"',
    nativeLine({ type: 'call.start', call: 'c2', tool: 'fetch' }),
    '',
  ].join('\n'),
  'lone carriage returns': [
    nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' }).replace(',', ',\r'),
    'not json\rat all',
    nativeLine({ type: 'call.end', call: 'c1', status: 'error' }),
    '',
  ].join('\n'),
  'carriage return before CRLF': `${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\r\r\n{"bad\r\r\n`,
  'byte order mark': `\ufeff${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n${nativeLine({ type: 'call.start', call: 'c2', tool: 'fetch' })}\n`,
  'blank line of no-break spaces': `${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n\u00a0\u00a0\n${nativeLine({ type: 'call.start', call: 'c2', tool: 'fetch' })}`,
  'lock deadlock': fs.readFileSync(path.join(FIXTURES, 'traces', 'native-lock-deadlock.jsonl'), 'utf8'),
  'Claude Code log': fs.readFileSync(path.join(FIXTURES, 'traces', 'claude-code-subagent.jsonl'), 'utf8'),
  'OTLP lines': fs.readFileSync(path.join(FIXTURES, 'traces', 'otlp-unfinished-parent.jsonl'), 'utf8'),
  'Anthropic lines': fs.readFileSync(path.join(FIXTURES, 'traces', 'anthropic-lines.jsonl'), 'utf8'),
};

describe('check streams line-based traces', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`matches the whole text: ${name}`, () => {
      for (const chunkBytes of [1, 2, 3, 5, 7, 4096]) assertSameAsWholeText(text, chunkBytes);
    });
  }

  it('gives the last-line hint to a truncated last line', () => {
    const file = 'trace.jsonl';
    const bytes = Buffer.from(CASES['truncated last line before blank lines'], 'utf8');
    const run = runStreamed(['check', '--format', 'json', file], file, () => reusingChunks(bytes, 3));
    const findings = JSON.parse(run.stdout).files[0].findings as { kind: string; message: string; location: { line: number } }[];
    const invalid = findings.filter((finding) => finding.kind === 'invalid-trace');
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].location.line, 2);
    assert.match(invalid[0].message, /It is the last line/);
  });

  it('drops a byte order mark', () => {
    const file = 'trace.jsonl';
    const withMark = CASES['byte order mark'];
    const withoutMark = withMark.slice(1);
    const expected = wholeTextOutputs(file, Buffer.from(withoutMark, 'utf8')).json;
    assert.equal(wholeTextOutputs(file, Buffer.from(withMark, 'utf8')).json, expected, 'whole text');
    for (const chunkBytes of [1, 2, 4096]) {
      const run = runStreamed(['check', '--format', 'json', file], file, () => reusingChunks(Buffer.from(withMark, 'utf8'), chunkBytes));
      assert.equal(run.stdout, expected, `chunks of ${chunkBytes} bytes`);
    }
    const kinds = (JSON.parse(expected).files[0].findings as { kind: string }[]).map((finding) => finding.kind);
    assert.ok(!kinds.includes('invalid-trace'), `findings: ${kinds.join(', ')}`);
  });

  it('places findings after a lone carriage return', () => {
    const file = 'trace.jsonl';
    const bytes = Buffer.from(CASES['lone carriage returns'], 'utf8');
    const run = runStreamed(['check', '--format', 'json', file], file, () => reusingChunks(bytes, 2));
    const findings = JSON.parse(run.stdout).files[0].findings as { kind: string; location: { line: number; endLine: number; endColumn: number } }[];
    const invalid = findings.find((finding) => finding.kind === 'invalid-trace');
    // The `\r` of the first line and the one in "not json\rat all" each start a line of their own.
    assert.equal(invalid?.location.line, 3);
    assert.equal(invalid?.location.endLine, 4);
    assert.equal(invalid?.location.endColumn, 7);
  });

  it('matches the whole text for generated traces', () => {
    const name = fc.constantFrom('a', 'b', 'é', '😀', 'агент', '工具');
    const call = fc.constantFrom('c1', 'c2', 'c3', 'c4');
    const time = fc.integer({ min: 1_777_629_600_000, max: 1_777_629_700_000 });
    const event = fc.oneof(
      fc.record({ ts: time, type: fc.constant('call.start'), call, tool: name, agent: name, input: fc.record({ q: name }) }),
      fc.record({ ts: time, type: fc.constant('call.end'), call, status: fc.constantFrom('ok', 'error', 'timeout') }),
      fc.record({ ts: time, type: fc.constant('wait.start'), wait: fc.constantFrom('w1', 'w2'), call, for: fc.oneof(fc.record({ call }), fc.record({ agent: name })) }),
      fc.record({ ts: time, type: fc.constantFrom('lock.acquire', 'lock.request', 'lock.release'), lock: fc.constantFrom('x', 'y'), call }),
      fc.record({ ts: time, type: fc.constant('heartbeat'), agent: name }),
    );
    // A line is an event, an event cut short, an event with a lone `\r` as JSON white space, or blank.
    const line = fc.oneof(
      { weight: 6, arbitrary: event.map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.tuple(event, fc.nat()).map(([value, cut]) => JSON.stringify(value).slice(0, 1 + (cut % 30))) },
      { weight: 1, arbitrary: event.map((value) => JSON.stringify(value).replace(',', ',\r')) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\u00a0', '\r') },
    );
    const trace = fc.record({
      bom: fc.boolean(),
      first: event.map((value) => JSON.stringify(value)),
      rest: fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }),
      finalBreak: fc.boolean(),
    });
    fc.assert(
      fc.property(trace, fc.integer({ min: 1, max: 7 }), (generated, chunkBytes) => {
        let text = `${generated.bom ? '\ufeff' : ''}${generated.first}\n`;
        for (const [content, lineBreak] of generated.rest) text += content + lineBreak;
        if (!generated.finalBreak) text = text.replace(/\r?\n$/, '');
        assertSameAsWholeText(text, chunkBytes);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the whole text in a process', () => {
    const file = path.join(FIXTURES, 'traces', 'native-stranded.jsonl');
    const child = spawnSync(process.execPath, ['--import', 'tsx', CLI_SOURCE, 'check', '--format', 'json', file], { encoding: 'utf8' });
    assert.equal(child.stderr, '');
    assert.equal(child.stdout, wholeTextOutputs(file, fs.readFileSync(file)).json);
  });

  it('never reads a line-based trace whole', () => {
    const file = path.join(FIXTURES, 'traces', 'native-deadlock.jsonl');
    const run = runStreamed(['check', file], file, () => readFileChunks(file, 16));
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.readFileCalls, []);
    assert.match(run.stdout, /deadlock/);
  });
});

describe('check reads other files whole', () => {
  for (const name of ['anthropic-orphaned.json', 'otlp-request-body.json']) {
    it(`matches the whole text: ${name}`, () => {
      const file = path.join(FIXTURES, 'traces', name);
      const bytes = fs.readFileSync(file);
      const expected = wholeTextOutputs(file, bytes);
      const run = runStreamed(['check', '--format', 'json', file], file, () => readFileChunks(file, 5));
      assert.equal(run.stdout, expected.json);
      assert.deepEqual(run.readFileCalls, []);
    });
  }

  it('reads lines under a plan $schema as a plan', () => {
    const file = 'steps.jsonl';
    // `check` looks for a `$schema` naming the plan schema in the first 4096 characters before
    // it looks for a trace, so these native events are read as a broken plan.
    const schema = 'https://example.test/agent-deadlock/plan.schema.json';
    const text = `${nativeLine({ type: 'call.start', call: 'c1', tool: 't' })}\n${nativeLine({ type: 'call.start', call: 'c2', tool: 't', $schema: schema })}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const run = runStreamed(['check', '--format', 'json', file], file, () => freshChunks(bytes, 3));
    assert.equal(JSON.parse(run.stdout).files[0].kind, 'plan');
    assert.equal(run.stdout, wholeTextOutputs(file, bytes).json);
  });
});

describe('check reports unreadable trace files', () => {
  it('names a read error midway', () => {
    const file = 'trace.jsonl';
    const first = Buffer.from(`${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n`, 'utf8');
    function* failing(): Generator<Uint8Array> {
      yield first;
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const run = runStreamed(['check', '--format', 'json', file], file, failing);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'agent-deadlock: cannot read trace.jsonl: input/output error.\n');
    assert.deepEqual(JSON.parse(run.stdout).files, [{ path: file, error: 'input/output error', findings: [] }]);
  });

  it('names a read error after the format is known', () => {
    const file = 'trace.jsonl';
    const lines = Buffer.from(`${nativeLine({ type: 'call.start', call: 'c1', tool: 'fetch' })}\n`.repeat(100), 'utf8');
    function* failing(): Generator<Uint8Array> {
      yield lines;
      throw Object.assign(new Error('ENXIO: no such device'), { code: 'ENXIO' });
    }
    const run = runStreamed(['check', file], file, failing);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'agent-deadlock: cannot read trace.jsonl: no such device.\n');
  });

  it('names a missing file', () => {
    const run = runStreamed(['check', 'missing.jsonl'], 'other.jsonl', () => []);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'agent-deadlock: cannot read missing.jsonl: file not found.\n');
  });

  it('names a folder', (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-folder-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    const run = runStreamed(['check', folder], folder, () => readFileChunks(folder));
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `agent-deadlock: cannot read ${folder}: is a folder, not a file.\n`);
  });
});
