// Errors as RFC 9457 problem details (application/problem+json). The error taxonomy's kind maps to a status here,
// once; a thrown value that is not an EditledgerError is a 500 whose body says nothing about the internals.
import { z } from 'zod';
import { EditledgerError } from '../../domain/errors.ts';
import type { ErrorKind } from '../../domain/errors.ts';

export const HTTP_STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export const ProblemSchema = z
  .object({
    type: z.string().describe('a URI naming the problem type (about:blank or urn:editledger:<code>)'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().describe('stable machine-readable code, e.g. edit_not_found, invalid_field, unauthorized'),
    field: z.string().optional().describe('the path of the field at fault, for bad input'),
    instance: z.string().optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof ProblemSchema>;

/** The error responses every authenticated route may give, for its OpenAPI description. */
export const PROBLEM_RESPONSES = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A problem for an error the server raises itself (auth, limits, routing). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function problem(status: number, code: string, detail: string, field?: string): Problem {
  return {
    type: `urn:editledger:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(field !== undefined && { field }),
  };
}

/** The problem for any thrown value; `internal` errors keep their message out of the response. */
export function problemOf(error: unknown): Problem {
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, error.field);
  if (error instanceof EditledgerError) {
    const status = HTTP_STATUS_BY_KIND[error.kind];
    const detail = error.kind === 'internal' ? 'an internal error occurred; see the server log' : error.message;
    return problem(status, error.code, detail, error.field);
  }
  return problem(500, 'internal', 'an internal error occurred; see the server log');
}
