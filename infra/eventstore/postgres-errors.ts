// How the PostgreSQL store reports driver and server errors: anything meaning "the server cannot be
// used right now" becomes an EventStoreUnavailableError naming the server (never its password) and
// what it means for the caller; the port's own errors and input errors pass through unchanged.

import { EventStoreUnavailableError } from './errors.ts';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
// SQLSTATEs for a server that is shutting down, starting up, or out of connections.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
// Messages the driver uses when a socket closes under it (these errors carry no code).
const DRIVER_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /not queryable/i];

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the connection itself failed (it must be discarded; the server may be down). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = codeOf(err);
  if (code !== undefined && (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')))
    return true;
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return DRIVER_MESSAGES.some((m) => m.test(err.message));
}

/** True when the request cannot have reached the server (connecting failed), so nothing it asked for happened. */
export function neverSent(err: unknown): boolean {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') return true;
  if (code === '57P03' || code === '53300') return true; // the server refused the connection: starting up, or full
  if (err instanceof AggregateError) return err.errors.every(neverSent);
  return err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message);
}

/** The URL without its password (and without query options, which may carry one too). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Wraps unavailability (and authentication/database-missing failures) in EventStoreUnavailableError. */
export function translatePgError(err: unknown, where: string, consequence?: string): unknown {
  if (!(err instanceof Error) || err instanceof EventStoreUnavailableError) return err;
  const code = codeOf(err);
  const detail = err instanceof AggregateError && err.message === '' ? err.errors.map(String).join('; ') : err.message;
  const suffix = consequence ? ` (${consequence})` : '';
  if (isConnectionError(err))
    return new EventStoreUnavailableError(`PostgreSQL event store at ${where} is unavailable: ${detail}${suffix}`, {
      cause: err,
    });
  if (code === '28P01' || code === '28000' || code === '3D000' || code === '42501')
    return new EventStoreUnavailableError(`PostgreSQL event store at ${where} cannot be used: ${detail}${suffix}`, {
      cause: err,
    });
  return err;
}
