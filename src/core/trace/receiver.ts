/**
 * An OTLP/HTTP trace receiver: `POST /v1/traces` with a JSON `ExportTraceServiceRequest`,
 * optionally gzip-compressed. It listens on the loopback interface only. Protobuf bodies get
 * 415 with a message that explains how to switch the exporter to JSON, because reading protobuf
 * would need the OTLP .proto definitions and a protobuf runtime. Invalid requests get the
 * OTLP error response (a JSON `google.rpc.Status`) and are logged; the server keeps running.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { isRecord } from './jsonLines';

export const DEFAULT_OTLP_PORT = 4318;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const OTLP_TRACES_PATH = '/v1/traces';

/** The host the receiver binds to. It is fixed: the receiver is never reachable from other machines. */
export const LOOPBACK_HOST = '127.0.0.1';

export interface ReceiverLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface OtlpReceiverOptions {
  /** TCP port; 0 picks a free one. Default 4318, the OTLP/HTTP port. */
  port?: number;
  /** Largest accepted body in bytes, before and after decompression. Default 8 MiB. */
  maxBodyBytes?: number;
  logger: ReceiverLogger;
  /** Called with each accepted `ExportTraceServiceRequest`. */
  onTraces(request: { resourceSpans: unknown[] }): void;
}

/** google.rpc.Code values used in OTLP error responses. */
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const NOT_FOUND = 5;

export class OtlpReceiver {
  private server: http.Server | undefined;
  private readonly maxBody: number;
  accepted = 0;
  rejected = 0;

  constructor(private readonly options: OtlpReceiverOptions) {
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  get running(): boolean {
    return this.server?.listening === true;
  }

  /** Starts listening on 127.0.0.1. Rejects when the port is taken or not allowed. */
  start(): Promise<number> {
    if (this.server) return Promise.resolve(this.port ?? 0);
    const server = http.createServer((request, response) => this.handle(request, response));
    server.requestTimeout = 30_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.server = undefined;
        reject(new Error(`The OTLP receiver could not listen on ${LOOPBACK_HOST}:${this.options.port ?? DEFAULT_OTLP_PORT}: ${error.message}`));
      };
      server.once('error', onError);
      server.listen(this.options.port ?? DEFAULT_OTLP_PORT, LOOPBACK_HOST, () => {
        server.off('error', onError);
        server.on('error', (error) => this.options.logger.warn(`OTLP receiver error: ${error.message}`));
        this.options.logger.info(`OTLP receiver listening on http://${LOOPBACK_HOST}:${this.port}${OTLP_TRACES_PATH}`);
        resolve(this.port ?? 0);
      });
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => {
        this.options.logger.info('OTLP receiver stopped.');
        resolve();
      });
      server.closeAllConnections();
    });
  }

  private reject(response: http.ServerResponse, status: number, code: number, reason: string, request: http.IncomingMessage): void {
    this.rejected++;
    this.options.logger.warn(`OTLP receiver rejected ${request.method ?? '?'} ${request.url ?? '?'} with ${status}: ${reason}`);
    const body = JSON.stringify({ code, message: reason });
    if (response.headersSent) return;
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const path = (request.url ?? '').split('?')[0];
    if (path !== OTLP_TRACES_PATH) {
      request.resume();
      this.reject(response, 404, NOT_FOUND, `Only POST ${OTLP_TRACES_PATH} is served; ${path} is not.`, request);
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('Allow', 'POST');
      this.reject(response, 405, UNIMPLEMENTED, `Method ${request.method} is not allowed; send traces with POST.`, request);
      return;
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json') {
      request.resume();
      const hint =
        contentType === 'application/x-protobuf'
          ? 'OTLP protobuf is not supported; set the exporter protocol to http/json (OTEL_EXPORTER_OTLP_PROTOCOL=http/json).'
          : `Content-Type ${contentType || '(none)'} is not supported; send application/json.`;
      this.reject(response, 415, INVALID_ARGUMENT, hint, request);
      return;
    }
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') {
      request.resume();
      this.reject(response, 415, INVALID_ARGUMENT, `Content-Encoding ${encoding} is not supported; send identity or gzip.`, request);
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBody) {
      response.setHeader('Connection', 'close');
      this.reject(response, 413, RESOURCE_EXHAUSTED, `The body has ${declared} bytes, more than the limit of ${this.maxBody}.`, request);
      // Drain without keeping the body, so the client can read the response. The connection then closes.
      request.resume();
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > this.maxBody) {
        tooLarge = true;
        chunks.length = 0;
        response.setHeader('Connection', 'close');
        this.reject(response, 413, RESOURCE_EXHAUSTED, `The body is larger than the limit of ${this.maxBody} bytes.`, request);
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      // The client went away or the body was cut off, so no response can be sent.
    });
    request.on('end', () => {
      if (tooLarge) return;
      let body = Buffer.concat(chunks);
      if (encoding === 'gzip') {
        try {
          body = zlib.gunzipSync(body, { maxOutputLength: this.maxBody });
        } catch (error) {
          this.reject(response, 400, INVALID_ARGUMENT, `The gzip body could not be decompressed within ${this.maxBody} bytes: ${(error as Error).message}`, request);
          return;
        }
      }
      this.accept(body.toString('utf8'), request, response);
    });
  }

  private accept(text: string, request: http.IncomingMessage, response: http.ServerResponse): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.reject(response, 400, INVALID_ARGUMENT, `The body is not valid JSON: ${(error as Error).message}`, request);
      return;
    }
    if (!isRecord(value) || !Array.isArray(value.resourceSpans)) {
      this.reject(response, 400, INVALID_ARGUMENT, 'The body is not an ExportTraceServiceRequest: it needs a "resourceSpans" array.', request);
      return;
    }
    try {
      this.options.onTraces(value as { resourceSpans: unknown[] });
    } catch (error) {
      this.reject(response, 400, INVALID_ARGUMENT, `The spans could not be read: ${(error as Error).message}`, request);
      return;
    }
    this.accepted++;
    const body = '{}';
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    response.end(body);
  }
}
