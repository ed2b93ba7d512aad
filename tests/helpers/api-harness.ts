// The API server as `editledger serve` wires it (createApiServices over a model session, buildServer), in the
// test's own process so a test can read the ledger directly; and a raw HTTP/1.1 client over a TCP socket, so what
// a test sends (bad UTF-8, duplicate or absurd headers) is exactly what the server's parser sees.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { TokenStore } from '../../infra/auth/token-store.ts';
import { createApiServices } from '../../infra/cli/commands/serve.ts';
import { withModels } from '../../infra/cli/model-session.ts';
import { buildServer, LOOPBACK_HOSTS } from '../../infra/http/server.ts';
import type { ServerOptions } from '../../infra/http/server.ts';
import type { ApiServices } from '../../infra/http/services.ts';

export interface Harness {
  readonly port: number;
  readonly services: ApiServices;
  readonly admin: string;
  /** What the server logged as internal errors (5xx): none is expected. */
  readonly internalErrors: readonly string[];
  readonly close: () => Promise<void>;
}

const sink = () =>
  new Writable({
    write: (_chunk, _encoding, done) => done(),
  });

/** The serve process's wiring, in this process: the session stays open until close(). */
export async function startInProcessServer(home: string, options: ServerOptions = {}): Promise<Harness> {
  const admin = TokenStore.open(home).create('harness-admin', 'admin', 'test').token;
  const io = { stdout: sink(), stderr: sink(), env: { ...process.env, EDITLEDGER_HOME: home }, cwd: process.cwd() };
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let ready: (value: { app: FastifyInstance; services: ApiServices }) => void = () => {};
  const started = new Promise<{ app: FastifyInstance; services: ApiServices }>((resolve) => (ready = resolve));
  const errors: string[] = [];
  const session = withModels(
    io,
    home,
    { actor: 'serve', channel: 'http', progress: false, echoLog: false },
    async (s) => {
      const { services, setReady } = await createApiServices(s, {
        trainer: false,
        everyEdits: 1_000_000,
        idleMs: 3_600_000,
        promote: false,
        log: () => {},
      });
      const app = await buildServer(services, {
        rateLimitPerSecond: 0,
        allowedHosts: LOOPBACK_HOSTS,
        log: (line) => errors.push(line),
        ...options,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      setReady(true);
      ready({ app, services });
      await released;
      await app.close();
    },
  );
  const { app, services } = await Promise.race([
    started,
    session.then(() => Promise.reject(new Error('the session ended before the server started'))),
  ]);
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    services,
    admin,
    internalErrors: errors,
    close: async () => {
      release();
      await session;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP/1.1 over a socket.

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseResponse(data: Buffer): RawResponse {
  // Interim 1xx answers (100 Continue for an Expect header) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 13).toString('latin1')))
    data = data.subarray(data.indexOf('\r\n\r\n') + 4);
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${data.length} bytes: ${data.toString().slice(0, 200)}`);
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = data.subarray(end + 4);
  const body = headers.get('transfer-encoding') === 'chunked' ? decodeChunked(rest) : rest;
  return { status, headers, body: body.toString('utf8') };
}

export interface RawRequest {
  readonly label: string;
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  /** Send Host yourself (or leave it out): the default is the loopback address. */
  readonly noHost?: boolean;
}

export function sendRaw(port: number, c: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${c.label}: no response in 15 s`));
    }, 15_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      // An early answer (413 before the body is read) may be followed by a reset: the answer still counts.
      if (data.length > 0) {
        try {
          resolve(parseResponse(data));
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      } else reject(error ?? new Error(`${c.label}: the connection closed with no response`));
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish());
    const lines = [`${c.method} ${c.target} HTTP/1.1`];
    if (c.noHost !== true) lines.push(`Host: 127.0.0.1:${port}`);
    lines.push('Connection: close', ...c.headers.map(([name, value]) => `${name}: ${value}`));
    const hasLength = c.headers.some(([name]) => name.toLowerCase() === 'content-length');
    if (c.body !== undefined && !hasLength) lines.push(`Content-Length: ${c.body.length}`);
    socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
    if (c.body !== undefined) socket.write(c.body, () => undefined);
    // No half-close: Node's server aborts a request whose client sent FIN before the answer. Connection: close
    // makes the server end the socket once it has answered.
  });
}
