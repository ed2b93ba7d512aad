// Edit search (the dashboard's Edits page): GET /v1/edits/search?q=&status=&system=&ref=&limit=. The edit index
// answers "what is active at P" but keeps neither the upstream source nor why an edit ended, so this route folds the
// fact streams' edit events itself (projections/edit-search.ts), once, and then only the events after its
// cursor on each request: a search costs the new events plus a scan of the summaries in memory.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EDIT_EVENT_TYPES, parseRecordedEvent } from '../../../domain/events.ts';
import { LIMITS } from '../../../domain/events/fields.ts';
import type { EventStore } from '../../../domain/ports/event-store.ts';
import { EditSearchFold } from '../../../projections/edit-search.ts';
import { ProblemSchema } from '../problem.ts';
import type { ApiServices } from '../services.ts';

/** Recorded when a data subject's edits are erased: the index drops their content (projections/edit-search.ts). */
const ERASURE_EVENT = 'DataSubjectErased';
const STATUSES = ['active', 'retracted', 'superseded', 'erased'] as const;
/** The filter also takes the four-eyes review state: pending approval (governance requireApproval) or rejected. */
const FILTERS = [...STATUSES, 'pending', 'rejected'] as const;

export const EditSearchQuerySchema = z.strictObject({
  q: z.string().max(LIMITS.prompt).optional().describe('substring of the fact key, subject, prompt, target or id'),
  status: z.enum(FILTERS).optional(),
  system: z.string().min(1).max(LIMITS.name).optional().describe('the upstream system, exactly'),
  ref: z.string().min(1).max(LIMITS.ref).optional().describe('the upstream ref, exactly'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const EditSearchResultSchema = z
  .object({
    head: z.number().int(),
    total: z.number().int(),
    edits: z.array(
      z.object({
        editId: z.string(),
        factKey: z.string(),
        subject: z.string().optional(),
        prompt: z.string(),
        target: z.string(),
        source: z.object({ system: z.string(), ref: z.string() }),
        submittedBy: z.string(),
        submittedAt: z.number().int(),
        status: z.enum(STATUSES),
        review: z.enum(['approved', 'rejected']).optional(),
      }),
    ),
  })
  .meta({ id: 'EditSearchResult' });

/** The fold plus its catch-up, one at a time (two requests must not fold the same events twice). */
class SearchIndex {
  private readonly fold = new EditSearchFold();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  /** Fold every edit event up to the head as it is now; resolves with that head. */
  async catchUp(): Promise<number> {
    const run = this.tail.then(async () => {
      const head = await this.store.headPosition();
      // The edit events of the fact streams, and the erasures (model-lifecycle stream) that end some of them.
      const filter = { eventTypes: [...EDIT_EVENT_TYPES, ERASURE_EVENT] };
      for await (const recorded of this.store.readAll({ after: this.fold.cursor, filter })) {
        if (recorded.position > head) break; // the next request takes it
        this.fold.apply(parseRecordedEvent(recorded));
      }
      // Everything <= head was committed before the read began, so no edit event up to it was missed.
      this.fold.cursor = Math.max(this.fold.cursor, head);
      return head;
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  get results(): EditSearchFold {
    return this.fold;
  }
}

export function searchRoutes(app: FastifyInstance, services: ApiServices): void {
  const index = new SearchIndex(services.store);
  app.withTypeProvider<ZodTypeProvider>().get('/v1/edits/search', {
    config: { operation: 'read' },
    schema: {
      summary: 'search edits by fact key, subject, text, upstream system and ref; filter by status',
      tags: ['edits'],
      querystring: EditSearchQuerySchema,
      response: { 200: EditSearchResultSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
    },
    handler: async (request) => {
      const head = await index.catchUp();
      const { q, status, system, ref, limit } = request.query;
      const approvalRequired =
        status === 'pending' && (await services.models.materializer.readModels()).versions.governance.requireApproval;
      const found = index.results.search({
        limit,
        approvalRequired,
        ...(q !== undefined && { q }),
        ...(status !== undefined && { status }),
        ...(system !== undefined && { system }),
        ...(ref !== undefined && { ref }),
      });
      return { head, total: found.total, edits: [...found.edits] };
    },
  });
}
