// The HTTP ingestion adapter (node:http, embedded, no network beyond the listening socket):
//   POST /corrections   body: one correction (a JSON object), a JSON array of them, or JSONL, with the record
//                       shapes `edit import` accepts (ZsRE or CounterFact keys)
//     202 {recorded: [{index, editId, factKey, ref}], errors: [{index, field, message}], submitted, duplicates, ...}
//         once every valid item is durably in the ledger (bad items are reported and dead-lettered)
//     400 the same shape when no item was valid, or {error, field} when the body itself is unusable
//     503 the ledger could not be written, or the server is stopping: nothing acknowledged, send it again (safe:
//         a correction that is already recorded appends nothing)
//   GET /health         200 {status: "ok", channel, pending}, 503 while stopping
// Each request is one batch of the ingestion loop; its response is the batch's acknowledgement.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidFieldError } from '../../domain/errors.ts';
import type { IngestBatch, IngestionSource, IngestMessage, IngestReport } from '../../domain/ports/ingestion.ts';
import { decodeUtf8 } from './correction-message.ts';
import { BatchHandoff, deferred } from './handoff.ts';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** How long stop() lets in-flight requests finish before closing their connections. */
const STOP_GRACE_MS = 30_000;

export interface HttpSourceOptions {
  /** Default 127.0.0.1: reachable from this machine only. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port (see `url`). */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly log?: (line: string) => void;
  /**
   * Checks the caller's Authorization header: the actor to record, or the HTTP status to refuse with (401 no or
   * bad token, 403 a role that may not submit). `editledger ingest http` always passes the API token check.
   */
  readonly authorize?: (authorization: string | undefined) => { actor: string } | { status: 401 | 403; error: string };
}

/** Content types a correction batch may come as; text/plain (what a no-cors browser POST sends) is refused. */
const ACCEPTED_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/jsonl']);

type Outcome =
  { readonly kind: 'committed'; readonly report: IngestReport } | { readonly kind: 'released'; readonly error: Error };

class BodyTooLargeError extends Error {}

/** Split a request body into messages: a JSON array -> its items, any other JSON value -> one, else JSONL lines. */
export function splitBody(body: Buffer, requestId: number): IngestMessage[] {
  const decoded = decodeUtf8(body);
  if (decoded === undefined) throw new InvalidFieldError('body', 'is not valid UTF-8');
  const text = (decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded).trim();
  if (text === '')
    throw new InvalidFieldError(
      'body',
      'is empty: send one correction (a JSON object), a JSON array of them, or JSONL',
    );
  const message = (payload: string, index: number): IngestMessage => ({
    key: undefined,
    offset: `${requestId}:${index}`,
    payload: Buffer.from(payload, 'utf8'),
  });
  let value: unknown;
  let isJson = true;
  try {
    value = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (isJson && Array.isArray(value)) {
    if (value.length === 0) throw new InvalidFieldError('body', 'is an empty array: nothing to record');
    return value.map((item, index) => message(JSON.stringify(item), index));
  }
  if (isJson) return [message(text, 0)];
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line, index) => message(line, index));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () =>
      tooLarge ? reject(new BodyTooLargeError(`body: larger than ${limit} bytes`)) : resolve(Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** The response to a committed batch: per-item results with their index in the request. */
export function reportBody(report: IngestReport): Record<string, unknown> {
  const recorded: unknown[] = [];
  const errors: unknown[] = [];
  report.items.forEach((item, index) => {
    if (item.status === 'recorded') recorded.push({ index, editId: item.editId, factKey: item.factKey, ref: item.ref });
    else errors.push({ index, field: item.field, message: item.message });
  });
  const { submitted, duplicates, superseded, rejected, position } = report;
  return { recorded, errors, submitted, duplicates, superseded, rejected, position };
}

export class HttpIngestionSource implements IngestionSource {
  readonly channel = 'http';
  private readonly handoff = new BatchHandoff();
  private readonly maxBodyBytes: number;
  private readonly log: (line: string) => void;
  private readonly authorize: HttpSourceOptions['authorize'];
  private requestIds = 0;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    options: HttpSourceOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.log = options.log ?? (() => undefined);
    this.authorize = options.authorize;
  }

  /** Start listening; resolves once the socket is bound (so `url` is known). */
  static async listen(options: HttpSourceOptions = {}): Promise<HttpIngestionSource> {
    const server = createServer();
    const source = new HttpIngestionSource(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      source.handle(request, response).catch((error: unknown) => {
        source.log(`http: request failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) send(response, 500, { error: 'internal error' });
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return source;
  }

  /** e.g. http://127.0.0.1:8080 */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  next(): Promise<IngestBatch | undefined> {
    return this.handoff.next();
  }

  /** Refuse new requests (503), let the ones already taken in finish, close the socket. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.handoff.close();
      const force = setTimeout(() => this.server.closeAllConnections(), STOP_GRACE_MS);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.stopping;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const closing: Record<string, string> = this.stopping === undefined ? {} : { connection: 'close' };
    response.on('finish', () => {
      if (this.stopping !== undefined) this.server.closeIdleConnections();
    });
    if (path === '/health') {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return send(response, 405, { error: 'method: use GET' }, { allow: 'GET, HEAD' });
      request.resume();
      if (this.stopping !== undefined)
        return send(response, 503, { status: 'stopping', channel: this.channel }, closing);
      return send(response, 200, { status: 'ok', channel: this.channel, pending: this.handoff.pending });
    }
    if (path !== '/corrections') {
      request.resume();
      return send(
        response,
        404,
        { error: `no route ${request.method ?? ''} ${path}: use POST /corrections or GET /health` },
        closing,
      );
    }
    if (request.method !== 'POST') {
      request.resume();
      return send(response, 405, { error: 'method: use POST' }, { allow: 'POST', ...closing });
    }

    // Before the body is read: who is calling, from where, with what.
    let actor: string | undefined;
    if (this.authorize !== undefined) {
      const verdict = this.authorize(request.headers.authorization);
      if ('status' in verdict) {
        request.resume();
        return send(
          response,
          verdict.status,
          { error: verdict.error },
          {
            ...(verdict.status === 401 && { 'www-authenticate': 'Bearer realm="editledger"' }),
            ...closing,
          },
        );
      }
      actor = verdict.actor;
    }
    if (request.headers.origin !== undefined || request.headers['sec-fetch-site'] === 'cross-site') {
      request.resume();
      return send(response, 403, { error: 'cross-origin browser requests are refused' }, closing);
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED_TYPES.has(type)) {
      request.resume();
      return send(
        response,
        415,
        { error: 'content-type: send application/json or application/x-ndjson', field: 'content-type' },
        closing,
      );
    }

    let body: Buffer;
    try {
      body = await readBody(request, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return send(response, 413, { error: error.message, field: 'body' }, { connection: 'close' });
      throw error;
    }
    if (this.stopping !== undefined) {
      return send(
        response,
        503,
        { error: 'the server is stopping: nothing was recorded, send it again later' },
        { 'retry-after': '1', ...closing },
      );
    }
    const requestId = ++this.requestIds;
    let messages: IngestMessage[];
    try {
      messages = splitBody(body, requestId);
    } catch (error) {
      if (error instanceof InvalidFieldError)
        return send(response, 400, { error: error.message, field: error.field }, closing);
      throw error;
    }

    const outcome = deferred<Outcome>();
    const batch: IngestBatch = {
      messages,
      ...(actor !== undefined && { actor }),
      commit: async (report) => outcome.resolve({ kind: 'committed', report }),
      release: async (error) => outcome.resolve({ kind: 'released', error }),
    };
    if (!this.handoff.push(batch)) {
      return send(
        response,
        503,
        { error: 'the server is stopping: nothing was recorded, send it again later' },
        { 'retry-after': '1', ...closing },
      );
    }
    const settled = await outcome.promise;
    const after: Record<string, string> = this.stopping === undefined ? {} : { connection: 'close' };
    if (settled.kind === 'released') {
      return send(
        response,
        503,
        {
          error: `the ledger could not record this request (${settled.error.message}): nothing acknowledged, send it again (safe: corrections already recorded are not duplicated)`,
        },
        { 'retry-after': '1', ...after },
      );
    }
    const anyRecorded = settled.report.items.some((item) => item.status === 'recorded');
    send(response, anyRecorded ? 202 : 400, reportBody(settled.report), after);
  }
}
