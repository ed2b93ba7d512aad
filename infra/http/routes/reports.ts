// Compliance reports over HTTP (issue 13): GET /v1/reports?from=&to=&format=html|json|md for approvers, auditors and
// admins (operation 'report'), and the published JSON Schema of the JSON format at GET /v1/reports/schema.json. The
// report is the CLI's (same fold, same renderers), read through the service's store.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidFieldError } from '../../../domain/errors.ts';
import { buildComplianceReport, complianceReportJsonSchema } from '../../../projections/compliance-report.ts';
import { readLedgerEvents, verificationOf } from '../../report/load.ts';
import { parseReportPeriod } from '../../report/period.ts';
import { REPORT_CONTENT_TYPES, REPORT_FORMATS, renderReport } from '../../report/render.ts';
import { HttpProblem, ProblemSchema } from '../problem.ts';
import type { ApiServices } from '../services.ts';

export const ReportQuerySchema = z.strictObject({
  from: z.string().max(64).optional().describe('start of the period, inclusive: YYYY-MM-DD or an ISO timestamp'),
  to: z.string().max(64).optional().describe('end of the period, exclusive: YYYY-MM-DD or an ISO timestamp'),
  format: z.enum(REPORT_FORMATS).default('json'),
});

export function reportRoutes(app: FastifyInstance, services: ApiServices): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/v1/reports', {
    config: { operation: 'report' },
    schema: {
      summary: 'the compliance report of a period, as JSON (the published schema), HTML (prints to PDF) or Markdown',
      tags: ['reports'],
      querystring: ReportQuerySchema,
      response: {
        200: z.string().describe('the report in the format asked for'),
        400: ProblemSchema,
        401: ProblemSchema,
        403: ProblemSchema,
      },
    },
    handler: async (request, reply) => {
      const { from, to, format } = request.query;
      let period;
      try {
        period = parseReportPeriod(from, to, { from: 'query.from', to: 'query.to' });
      } catch (error) {
        if (error instanceof InvalidFieldError) throw new HttpProblem(400, 'invalid_field', error.message, error.field);
        throw error;
      }
      const events = await readLedgerEvents(services.store);
      // The service's own audit: the home's public key (when `audit keygen` made one), its checkpoint file, and the
      // chain scope of the store in use — the same report as GET /v1/audit/verify.
      const verification = verificationOf(await services.audit());
      const report = buildComplianceReport(events, { period, verification, generatedAt: new Date() });
      // The body is already the document: sent as is, not JSON-encoded again by the schema's serializer.
      return reply
        .type(REPORT_CONTENT_TYPES[format])
        .serializer((payload: unknown) => String(payload))
        .send(renderReport(report, format));
    },
  });
  typed.get('/v1/reports/schema.json', {
    schema: { summary: 'the JSON Schema of the compliance report (generated from its zod schema)', tags: ['reports'] },
    handler: async (_request, reply) =>
      reply.type('application/schema+json').send(JSON.stringify(complianceReportJsonSchema(), null, 2)),
  });
}
