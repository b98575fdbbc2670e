import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { IncrementalTraceAnalyzer } from '../../../src/core/trace/live';
import { OtlpReceiver } from '../../../src/core/trace/receiver';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');

interface Reply {
  status: number;
  body: string;
}

function post(port: number, body: Buffer | string, headers: Record<string, string>, requestPath = '/v1/traces', method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('OtlpReceiver', () => {
  const warnings: string[] = [];
  const analyzer = new IncrementalTraceAnalyzer();
  let receiver: OtlpReceiver;
  let port: number;

  before(async () => {
    receiver = new OtlpReceiver({
      port: 0,
      maxBodyBytes: 64 * 1024,
      logger: { info: () => {}, warn: (message) => warnings.push(message) },
      onTraces: (request) => analyzer.append(`${JSON.stringify(request)}\n`),
    });
    port = await receiver.start();
  });

  after(async () => {
    await receiver.stop();
  });

  it('listens on the loopback interface only', () => {
    assert.ok(port > 0);
    assert.equal(receiver.running, true);
    const address = (receiver as unknown as { server: http.Server }).server.address();
    assert.equal(typeof address === 'object' && address?.address, '127.0.0.1');
  });

  it('accepts a JSON export request and passes its spans on', async () => {
    const line = fs.readFileSync(path.join(FIXTURES, 'otlp-unfinished-parent.jsonl'), 'utf8').split('\n')[1];
    const reply = await post(port, line, { 'Content-Type': 'application/json' });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), {});
    assert.equal(analyzer.builder.calls.get('call_b')?.status, 'timeout');
  });

  it('accepts a gzip-compressed body', async () => {
    const line = fs.readFileSync(path.join(FIXTURES, 'otlp-unfinished-parent.jsonl'), 'utf8').split('\n')[0];
    const reply = await post(port, zlib.gzipSync(line), { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' });
    assert.equal(reply.status, 200);
    assert.equal(analyzer.builder.calls.get('call_a')?.status, 'ok');
  });

  it('rejects malformed JSON with an OTLP Status and keeps running', async () => {
    const before = warnings.length;
    const reply = await post(port, '{"resourceSpans": [', { 'Content-Type': 'application/json' });
    assert.equal(reply.status, 400);
    const status = JSON.parse(reply.body);
    assert.equal(status.code, 3);
    assert.match(status.message, /not valid JSON/);
    assert.equal(warnings.length, before + 1);
    assert.match(warnings.at(-1) ?? '', /rejected POST \/v1\/traces with 400/);

    const wrongShape = await post(port, '{"spans": []}', { 'Content-Type': 'application/json' });
    assert.equal(wrongShape.status, 400);
    assert.match(JSON.parse(wrongShape.body).message, /resourceSpans/);
    assert.equal(receiver.running, true);
  });

  it('rejects oversized bodies, declared or streamed', async () => {
    const big = `{"resourceSpans":[],"pad":"${'x'.repeat(100 * 1024)}"}`;
    const declared = await post(port, big, { 'Content-Type': 'application/json' });
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.body).code, 8);

    const streamed = await new Promise<Reply>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('error', reject);
      for (let i = 0; i < 10; i++) request.write('x'.repeat(16 * 1024));
      request.end();
    });
    assert.equal(streamed.status, 413);
    assert.match(JSON.parse(streamed.body).message, /larger than the limit/);

    const after = await post(port, '{"resourceSpans":[]}', { 'Content-Type': 'application/json' });
    assert.equal(after.status, 200);
  });

  it('answers protobuf with 415 and how to switch to JSON', async () => {
    const reply = await post(port, Buffer.from([10, 0]), { 'Content-Type': 'application/x-protobuf' });
    assert.equal(reply.status, 415);
    assert.match(JSON.parse(reply.body).message, /http\/json/);
  });

  it('rejects other paths and methods', async () => {
    assert.equal((await post(port, '{}', { 'Content-Type': 'application/json' }, '/v1/metrics')).status, 404);
    assert.equal((await post(port, '', {}, '/v1/traces', 'GET')).status, 405);
  });

  it('reports a taken port as an error', async () => {
    const second = new OtlpReceiver({ port, logger: { info: () => {}, warn: () => {} }, onTraces: () => {} });
    await assert.rejects(second.start(), /could not listen on 127\.0\.0\.1/);
  });
});
