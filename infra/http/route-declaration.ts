// How an API route declares itself, once for every route file: the operation the role table checks (guards.ts),
// the OpenAPI summary and tag, the request schemas, and the success responses; every route that declares responses
// may also answer with the problem+json errors of PROBLEM_RESPONSES, so those are added here, not in each route.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { principalOf } from '../../domain/access.ts';
import type { Operation } from '../../domain/access.ts';
import { principalOfRequest } from './guards.ts';
import type { Job } from './jobs.ts';
import { PROBLEM_RESPONSES } from './problem.ts';

/** The request parts a route validates, and its success responses keyed by their status (200, 201, 202). */
export interface RouteSchemas {
  readonly params?: ZodType;
  readonly querystring?: ZodType;
  readonly body?: ZodType;
  readonly headers?: ZodType;
  readonly [status: number]: ZodType;
}

const REQUEST_PARTS = ['params', 'querystring', 'body', 'headers'] as const;
type RequestPart = (typeof REQUEST_PARTS)[number];
type Responses<S> = { [K in keyof S as K extends number ? K : never]: S[K] };
type WithProblems<S> = keyof Responses<S> extends never
  ? unknown
  : { response: Responses<S> & typeof PROBLEM_RESPONSES };

export interface DeclaredRoute<S extends RouteSchemas> {
  config: { operation: Operation };
  schema: Pick<S, Extract<keyof S, RequestPart>> & { summary: string; tags: string[] } & WithProblems<S>;
}

/** The `config` and `schema` of a route; spread into the route options next to its handler. */
export function declareRoute<const S extends RouteSchemas = Record<never, never>>(
  operation: Operation,
  tag: string,
  summary: string,
  schemas?: S,
): DeclaredRoute<S> {
  const request: Record<string, ZodType> = {};
  const response: Record<string, ZodType> = {};
  for (const [key, value] of Object.entries(schemas ?? {}) as [string, ZodType][]) {
    if (/^\d{3}$/.test(key)) response[key] = value;
    else if ((REQUEST_PARTS as readonly string[]).includes(key)) request[key] = value;
    else throw new TypeError(`declareRoute(${summary}): "${key}" is neither a request part nor a status code`);
  }
  const schema = {
    summary,
    tags: [tag],
    ...request,
    ...(Object.keys(response).length > 0 && { response: { ...response, ...PROBLEM_RESPONSES } }),
  };
  return { config: { operation }, schema } as unknown as DeclaredRoute<S>;
}

/** Who is calling, as the ledger records an actor. */
export function actorOf(request: FastifyRequest): string {
  return principalOf(principalOfRequest(request).name);
}

/** 202 Accepted with the job resource and where to follow it. */
export function acceptedJob(reply: FastifyReply, job: Job): FastifyReply {
  return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
}
