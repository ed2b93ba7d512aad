// What every request passes before a route runs: the browser guards (no cross-origin requests, no DNS rebinding),
// the bytes-in-flight budget, the bearer token and its role, and the per-token rate limit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { may } from '../../domain/access.ts';
import type { Operation } from '../../domain/access.ts';
import type { Principal, TokenStore } from '../auth/token-store.ts';
import { HttpProblem } from './problem.ts';
import type { ServerOptions } from './server.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation the route performs (the role table decides who may); absent: a public route. */
    operation?: Operation;
  }
  interface FastifyRequest {
    principal?: Principal;
    bodyBudget?: number;
    /** performance.now() when the request arrived (server.ts onRequest), for the latency histogram. */
    startedAt: number;
    /** The matched route's URL pattern (or 'unmatched'), read once per request for hooks and metrics. */
    routeUrl: string;
  }
}

/** The token store and the limits of ServerOptions (server.ts documents them), with their defaults filled in. */
export type GuardOptions = { readonly tokens: TokenStore } & Required<
  Pick<ServerOptions, 'allowedHosts' | 'allowedOrigins' | 'maxBytesInFlight' | 'maxBodyBytes' | 'rateLimitPerSecond'>
>;

export class RequestGuards {
  private bytesInFlight = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: GuardOptions) {}

  get inFlightBytes(): number {
    return this.bytesInFlight;
  }

  /** onRequest: refuse what must never reach a route; `operation` is the route's (absent: a public route). */
  check(request: FastifyRequest, operation: Operation | undefined): void {
    this.checkBrowser(request);
    this.reserveBody(request);
    if (operation === undefined) return;
    const principal = this.authenticate(request);
    if (!may(principal.role, operation))
      throw new HttpProblem(403, 'forbidden', `the ${principal.role} role may not ${operation}`);
    this.rateLimit(principal);
    request.principal = principal;
  }

  /** onResponse: give the request's body budget back. */
  release(request: FastifyRequest): void {
    if (request.bodyBudget !== undefined) this.bytesInFlight -= request.bodyBudget;
    request.bodyBudget = undefined;
  }

  private checkBrowser(request: FastifyRequest): void {
    const host = (request.headers.host ?? '')
      .replace(/:\d+$/, '')
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase();
    if (this.options.allowedHosts.length > 0 && !this.options.allowedHosts.includes(host))
      throw new HttpProblem(403, 'host_not_allowed', `requests for host "${host}" are not served here`);
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const sameOrigin = origin === undefined || origin === `${request.protocol}://${request.headers.host}`;
    const allowed = origin !== undefined && this.options.allowedOrigins.includes(origin);
    if (!sameOrigin && !allowed)
      throw new HttpProblem(403, 'cross_origin', `cross-origin requests from ${origin} are refused`);
    if (site === 'cross-site' && !allowed)
      throw new HttpProblem(403, 'cross_origin', 'cross-site browser requests are refused');
  }

  private reserveBody(request: FastifyRequest): void {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const declared = Number(request.headers['content-length'] ?? this.options.maxBodyBytes);
    const size = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, this.options.maxBodyBytes) : 0;
    if (this.bytesInFlight + size > this.options.maxBytesInFlight)
      throw new HttpProblem(503, 'busy', 'too many request bytes in flight; retry shortly', undefined, {
        'retry-after': '1',
      });
    this.bytesInFlight += size;
    request.bodyBudget = size;
  }

  private authenticate(request: FastifyRequest): Principal {
    const header = request.headers.authorization;
    const challenge = { 'www-authenticate': 'Bearer realm="editledger"' };
    if (header === undefined)
      throw new HttpProblem(
        401,
        'unauthorized',
        'an API token is required (Authorization: Bearer <token>)',
        undefined,
        challenge,
      );
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match === null ? undefined : this.options.tokens.authenticate(match[1]!);
    if (principal === undefined)
      throw new HttpProblem(
        401,
        'unauthorized',
        'the API token is unknown, malformed or revoked',
        undefined,
        challenge,
      );
    return principal;
  }

  private rateLimit(principal: Principal): void {
    const rate = this.options.rateLimitPerSecond;
    if (rate <= 0) return;
    const now = Date.now();
    const burst = rate * 4;
    const bucket = this.buckets.get(principal.tokenId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(principal.tokenId, bucket);
      throw new HttpProblem(429, 'rate_limited', `more than ${rate} requests per second with this token`, undefined, {
        'retry-after': String(Math.ceil((1 - bucket.tokens) / rate)),
      });
    }
    bucket.tokens -= 1;
    this.buckets.set(principal.tokenId, bucket);
  }
}

export function principalOfRequest(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new HttpProblem(401, 'unauthorized', 'an API token is required');
  return request.principal;
}

export type { FastifyReply };
