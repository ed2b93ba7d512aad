// Requests Node's HTTP parser refuses before Fastify sees them (an unknown method, a Content-Length that is not a
// number, an unsupported Transfer-Encoding, headers over the size limit, a request that took too long): Fastify's
// default answer is its own JSON shape, not a problem. The fuzz test (tests/serve-fuzz.int.test.ts) found these;
// here they get the same application/problem+json body as every other error.
import type { Socket } from 'node:net';
import { problem } from './problem.ts';

const BY_PARSER_CODE: Record<string, readonly [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are larger than the limit'],
};
const MALFORMED = [400, 'malformed_request', 'the request is not well-formed HTTP/1.1'] as const;
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Fastify's clientErrorHandler: answer a problem, then drop the connection (its state is unknown). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = BY_PARSER_CODE[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}
