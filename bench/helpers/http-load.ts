// A lean HTTP/1.1 load generator for bench:api: keep-alive TCP connections, one request in flight on each, the request
// bytes written by hand and the response read just far enough to know its status and where it ends. node:http costs
// the client ~0.2 ms of CPU per request; on a 2-core machine that is CPU taken from the server being measured, so the
// bench would measure its own client. This one costs a fraction of that (the table shows it: "client CPU").
//
// It speaks only what the bench needs: Content-Length bodies both ways (Fastify replies with Content-Length for
// JSON), no chunked responses (refused with an error, not misread), no pipelining.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface LoadRequest {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadResult {
  readonly status: number;
  readonly body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection; `send` resolves with the response of one request at a time. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: LoadResult) => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(head: string, body: Buffer): Promise<LoadResult> {
    if (this.waiting !== undefined) throw new Error('one request at a time per connection');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(body.length === 0 ? head : Buffer.concat([Buffer.from(head), body]));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length === null) return this.fail(new Error(`response without Content-Length: ${head.slice(0, 200)}`));
    const total = end + HEADER_END.length + Number(length[1]);
    if (this.buffered.length < total) return;
    const body = this.buffered.subarray(end + HEADER_END.length, total).toString('utf8');
    this.buffered = this.buffered.subarray(total);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ status, body });
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}

/** `connections` keep-alive connections to one server; `request` uses a free one (callers keep <= connections). */
export class LoadClient {
  private readonly idle: Connection[] = [];

  private constructor(
    private readonly host: string,
    private readonly all: readonly Connection[],
  ) {
    this.idle.push(...all);
  }

  static async open(url: string, connections: number): Promise<LoadClient> {
    const { hostname, port, protocol } = new URL(url);
    if (protocol !== 'http:') throw new Error(`LoadClient speaks plain HTTP only, not ${protocol}`);
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const opened = await Promise.all(Array.from({ length: connections }, () => Connection.open(host, Number(port))));
    return new LoadClient(`${hostname}:${port}`, opened);
  }

  async request(request: LoadRequest): Promise<LoadResult> {
    const connection = this.idle.pop();
    if (connection === undefined) throw new Error('more requests in flight than connections');
    const body = Buffer.from(request.body ?? '');
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
    for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
    if (request.method === 'POST') head += `content-length: ${body.length}\r\n`;
    try {
      return await connection.send(`${head}\r\n`, body);
    } finally {
      this.idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }
}
