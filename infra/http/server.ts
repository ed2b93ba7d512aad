// The HTTP API of `editledger serve` (Fastify 5 + zod type provider): routes under /v1 that call the same use
// cases as the CLI, RFC 9457 problem details for every error, the OpenAPI 3.1 document generated from the zod
// schemas at /v1/openapi.json and interactive docs at /docs (swagger-ui from the npm package: works offline).
//
// Why Fastify: body limits, request timeouts and content-type parsing are built in and strict (413/415 without
// reading a body it refuses), @fastify/swagger-ui serves its assets from node_modules (no CDN), and hooks give one
// place for authentication, roles and the bytes-in-flight budget.
import { erasureRoutes } from './routes/erasure.ts';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { clientErrorHandler } from './client-error.ts';
import { RequestGuards } from './guards.ts';
import { IdempotencyCache } from './idempotency.ts';
import { HttpProblem, problem, problemOf } from './problem.ts';
import type { Problem } from './problem.ts';
import { dashboardRoutes } from '../dashboard/assets.ts';
import { editRoutes } from './routes/edits.ts';
import { liveRoutes } from './routes/live.ts';
import { modelRoutes } from './routes/models.ts';
import { opsRoutes } from './routes/ops.ts';
import { auditRoutes } from './routes/audit.ts';
import { searchRoutes } from './routes/search.ts';
import { reportRoutes } from './routes/reports.ts';
import type { ApiServices } from './services.ts';

export interface ServerOptions {
  readonly maxBodyBytes?: number;
  /** The budget for request body bytes being processed at once. */
  readonly maxBytesInFlight?: number;
  readonly requestTimeoutMs?: number;
  /** Requests per second per token (token bucket with a burst of 4x); 0: no limit. */
  readonly rateLimitPerSecond?: number;
  /** Host names answered (DNS-rebinding guard); default: loopback names when bound to loopback, else any. */
  readonly allowedHosts?: readonly string[];
  /** Origins allowed to call the API from a browser (CORS); empty: none (same-origin only). */
  readonly allowedOrigins?: readonly string[];
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Where internal errors are logged (never the request body or a token). */
  readonly log?: (line: string) => void;
  readonly version?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** Fastify's own errors (body too large, bad content type, malformed JSON) as problems. */
function frameworkProblem(error: FastifyError): Problem | undefined {
  const status = error.statusCode;
  if (status === undefined || status >= 500) return undefined;
  const codes: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_field',
    FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_field',
  };
  const code = codes[error.code] ?? (status === 415 ? 'unsupported_media_type' : 'bad_request');
  const field = code === 'invalid_field' ? 'body' : undefined;
  const detail =
    status === 415
      ? 'send application/json (or application/x-ndjson for batches of corrections)'
      : status === 400 && error.message.length < 300
        ? error.message
        : undefined;
  return problem(status, code, detail ?? TITLES_BY_CODE[code] ?? 'bad request', field);
}
const TITLES_BY_CODE: Record<string, string> = { body_too_large: 'the request body is larger than the limit' };

/** JSONL bodies: one JSON value per non-blank line; a bad line is a 400 naming it. */
function parseJsonLines(body: string): unknown[] {
  const records: unknown[] = [];
  for (const [index, line] of body.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      throw new HttpProblem(400, 'invalid_field', `line ${index + 1} is not valid JSON`, `body.${index}`);
    }
  }
  return records;
}

export async function buildServer(services: ApiServices, options: ServerOptions = {}): Promise<FastifyInstance> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const fastifyOptions: FastifyServerOptions = {
    logger: false,
    bodyLimit: maxBodyBytes,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.requestTimeoutMs ?? 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Deep nesting, __proto__ keys: refused by the parser rather than handled by the routes.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // What Node's HTTP parser refuses (bad method, bad Content-Length, huge headers) is a problem too.
    clientErrorHandler,
  };
  // TLS changes Fastify's server type parameters only; the routes see the same instance interface.
  const app =
    options.https === undefined
      ? Fastify(fastifyOptions)
      : (Fastify({ ...fastifyOptions, https: { ...options.https } } as FastifyServerOptions) as FastifyInstance);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Only JSON and JSONL: text/plain (what a no-cors browser POST can send) is refused with 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) => {
    const text = (body as string).replace(/^\uFEFF/, '');
    if (text.trim() === '') return done(new HttpProblem(400, 'invalid_field', 'is empty', 'body'));
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new HttpProblem(400, 'invalid_field', `is not valid JSON (${(error as Error).message.slice(0, 200)})`, 'body'),
      );
    }
  });
  for (const type of ['application/x-ndjson', 'application/jsonl'])
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) => {
      try {
        done(null, parseJsonLines(body as string));
      } catch (error) {
        done(error as Error);
      }
    });

  const guards = new RequestGuards({
    tokens: services.tokens,
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    maxBytesInFlight: options.maxBytesInFlight ?? 64 * 1024 * 1024,
    maxBodyBytes,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
  });
  // Callback hooks, not async ones: they run on every request, and a promise per hook per request is measurable
  // (bench:api). request.routeOptions builds a new object on each read, so it is read once, here.
  app.decorateRequest('startedAt', 0);
  app.decorateRequest('routeUrl', 'unmatched');
  app.addHook('onRequest', (request, _reply, done) => {
    request.startedAt = performance.now();
    const route = request.routeOptions;
    request.routeUrl = route.url ?? 'unmatched';
    if (!services.ready() && request.method !== 'GET')
      return done(
        new HttpProblem(503, 'not_ready', 'the server is starting or stopping; retry shortly', undefined, {
          'retry-after': '1',
        }),
      );
    try {
      guards.check(request, route.config.operation);
    } catch (error) {
      return done(error as Error);
    }
    services.metrics.inFlightBytes.set(guards.inFlightBytes);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    guards.release(request);
    services.metrics.inFlightBytes.set(guards.inFlightBytes);
    const route = request.routeUrl;
    const method = request.method;
    services.metrics.requests.inc({ method, route, status: String(reply.statusCode) });
    if (request.startedAt > 0)
      services.metrics.latency.observe({ method, route }, (performance.now() - request.startedAt) / 1000);
    if (route.startsWith('/v1/edits') && method === 'POST' && reply.statusCode === 400) {
      services.ingestion.rejected += 1;
      services.metrics.ingestion.inc({ outcome: 'rejected' });
    }
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let body: Problem;
    let headers: Readonly<Record<string, string>> = {};
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const where = error.validationContext ?? 'body';
      const path = (first?.instancePath ?? '').split('/').filter((p) => p !== '');
      const field = [where === 'querystring' ? 'query' : where, ...path].join('.');
      body = problem(400, 'invalid_field', `${field}: ${first?.message ?? 'invalid'}`, field);
    } else if (error instanceof HttpProblem) {
      body = problemOf(error);
      headers = error.headers;
    } else {
      body = frameworkProblem(error) ?? problemOf(error);
    }
    if (body.status >= 500)
      options.log?.(`${request.method} ${request.routeOptions.url ?? request.url}: ${error.stack ?? error.message}`);
    void reply
      .code(body.status)
      .headers(headers)
      .type('application/problem+json')
      .send(JSON.stringify({ ...body, instance: request.url.split('?')[0] }));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          ...problem(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
          instance: request.url.split('?')[0],
        }),
      );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'editledger',
        version: options.version ?? '0.1.0',
        description:
          'The event-sourced ledger of model edits: submit corrections, materialize and serve model versions, audit them. Every write needs a bearer token whose role allows it.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  const idempotency = new IdempotencyCache();
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  editRoutes(app, services, idempotency);
  modelRoutes(app, services);
  opsRoutes(app, services);
  auditRoutes(app, services);
  liveRoutes(app, services);
  searchRoutes(app, services);
  reportRoutes(app, services);
  erasureRoutes(app, services);
  dashboardRoutes(app);
  return app;
}
