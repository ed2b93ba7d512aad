// `POST /v1/erasures`: erasure of a data subject (GDPR Art. 17), the same use case as `editledger erase`, run as a
// job in the service's own process (so its read model and key caches drop the erased data at once). Admin only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIMITS, requiredText } from '../../../domain/events/fields.ts';
import { JobSchema } from '../api-schemas.ts';
import { HttpProblem } from '../problem.ts';
import { acceptedJob, actorOf, declareRoute } from '../route-declaration.ts';
import type { ApiServices } from '../services.ts';

const EraseBodySchema = z.strictObject({
  dataSubject: requiredText(LIMITS.name).describe('the data subject, as given when their edits were submitted'),
  reason: requiredText(LIMITS.reason).describe('why (kept in the ledger), e.g. the request reference'),
});

export function erasureRoutes(app: FastifyInstance, services: ApiServices): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post('/v1/erasures', {
    ...declareRoute(
      'erase',
      'audit',
      'erase a data subject: retract their edits, serve a version without them, retire the versions built from them, destroy their key (a job)',
      {
        body: EraseBodySchema,
        202: JobSchema,
      },
    ),
    handler: async (request, reply) => {
      const erase = services.erase;
      if (erase === undefined) throw new HttpProblem(503, 'unavailable', 'erasure is not available in this service');
      const actor = actorOf(request);
      const job = services.jobs.submit('erase', actor, () => erase(request.body, actor));
      return acceptedJob(reply, job);
    },
  });
}
