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

/** The request parts a route validates, and its success responses by status. */
export interface RouteSchemas {
  readonly params?: ZodType;
  readonly querystring?: ZodType;
  readonly body?: ZodType;
  readonly headers?: ZodType;
  readonly response?: Readonly<Record<number, ZodType>>;
}

type WithProblems<S extends RouteSchemas> = S extends { readonly response: infer R }
  ? { response: R & typeof PROBLEM_RESPONSES }
  : unknown;

export interface DeclaredRoute<S extends RouteSchemas> {
  config: { operation: Operation };
  schema: Omit<S, 'response'> & { summary: string; tags: string[] } & WithProblems<S>;
}

/** The `config` and `schema` of a route; spread into the route options next to its handler. */
export function declareRoute<const S extends RouteSchemas = Record<never, never>>(
  operation: Operation,
  tag: string,
  summary: string,
  schemas?: S,
): DeclaredRoute<S> {
  const { response, ...request } = schemas ?? {};
  const schema = {
    summary,
    tags: [tag],
    ...request,
    ...(response !== undefined && { response: { ...response, ...PROBLEM_RESPONSES } }),
  };
  return { config: { operation }, schema } as DeclaredRoute<S>;
}

/** Who is calling, as the ledger records an actor. */
export function actorOf(request: FastifyRequest): string {
  return principalOf(principalOfRequest(request).name);
}

/** 202 Accepted with the job resource and where to follow it. */
export function acceptedJob(reply: FastifyReply, job: Job): FastifyReply {
  return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
}
