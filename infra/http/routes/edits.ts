// Edit routes: submit one correction, import a batch (the shapes `edit import` accepts), retract, reinstate, the
// edit set at a position (paged by ledger position), one edit's history, and the event log (paged).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDataset } from '../../../domain/dataset-formats.ts';
import { pageEditSet, showEdit } from '../../../projections/edit-queries.ts';
import {
  DecisionResultSchema,
  EditIdParamsSchema,
  EditSetPageSchema,
  EditsQuerySchema,
  EventsPageSchema,
  EventsQuerySchema,
  ImportBodySchema,
  ImportQuerySchema,
  ImportResultSchema,
  ReasonBodySchema,
  SubmitEditBodySchema,
  SubmitEditResultSchema,
} from '../api-schemas.ts';
import { principalOfRequest } from '../guards.ts';
import type { IdempotencyCache } from '../idempotency.ts';
import { HttpProblem } from '../problem.ts';
import { actorOf, declareRoute } from '../route-declaration.ts';
import type { ApiServices } from '../services.ts';

export function editRoutes(app: FastifyInstance, services: ApiServices, idempotency: IdempotencyCache): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const context = (actor: string) => ({ actor, channel: 'http' });

  api.post('/v1/edits', {
    ...declareRoute('submit', 'edits', 'submit one correction', {
      body: SubmitEditBodySchema,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      200: SubmitEditResultSchema,
      201: SubmitEditResultSchema,
    }),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const submit = async () => {
        const result = await services.ledger.submitEdit({ ...request.body, submittedBy: actor }, context(actor));
        if (result.outcome === 'submitted')
          services.metrics.eventsAppended.inc(result.supersededEditId === undefined ? 1 : 2);
        return { status: result.outcome === 'submitted' ? 201 : 200, body: withoutUndefined(result) };
      };
      const { status, body } = await idempotency.run(request, actor, submit);
      // A replayed answer carries the status it was first given: 201 (submitted) or 200 (already recorded).
      return reply.code(status as 200 | 201).send(body as z.infer<typeof SubmitEditResultSchema>);
    },
  });

  api.post('/v1/edits/import', {
    ...declareRoute('submit', 'edits', 'submit a batch of corrections (JSON object, JSON array or JSONL)', {
      querystring: ImportQuerySchema,
      body: ImportBodySchema,
      200: ImportResultSchema,
    }),
    handler: async (request) => {
      const actor = actorOf(request);
      const records = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
      if (records.length === 0)
        throw new HttpProblem(400, 'invalid_field', 'is an empty array: nothing to record', 'body');
      const { requests } = parseDataset(JSON.stringify(records));
      const result = await idempotency.run(request, actor, async () => {
        const imported = await services.ledger.importEdits(
          requests,
          {
            system: request.query.system ?? principalOfRequest(request).name,
            submittedBy: actor,
            reason: request.query.reason ?? 'submitted through the API',
          },
          context(actor),
        );
        services.metrics.eventsAppended.inc(imported.submitted + imported.superseded);
        services.ingestion.accepted += imported.submitted;
        services.ingestion.duplicates += imported.duplicates;
        services.metrics.ingestion.inc({ outcome: 'submitted' }, imported.submitted);
        services.metrics.ingestion.inc({ outcome: 'duplicate' }, imported.duplicates);
        const { done: _done, ...counts } = imported;
        return { status: 200, body: counts };
      });
      return result.body as z.infer<typeof ImportResultSchema>;
    },
  });

  const decisions = {
    retract: { operation: 'retract', summary: 'retract an edit' },
    reinstate: { operation: 'retract', summary: 'make a retracted or superseded edit active again' },
    approve: { operation: 'approve', summary: 'approve a submitted edit (four-eyes review)' },
    reject: { operation: 'approve', summary: 'reject a submitted edit: it is never trained' },
  } as const;
  for (const action of ['retract', 'reinstate', 'approve', 'reject'] as const) {
    api.post(`/v1/edits/:editId/${action}`, {
      ...declareRoute(decisions[action].operation, 'edits', decisions[action].summary, {
        params: EditIdParamsSchema,
        body: ReasonBodySchema,
        200: DecisionResultSchema,
      }),
      handler: async (request) => {
        const actor = actorOf(request);
        const input = {
          editId: request.params.editId,
          reason: request.body.reason,
          by: actor,
          factKey: await services.edits.factKeyOf(request.params.editId),
        };
        const ledger = services.ledger;
        const decide = {
          retract: () => ledger.retractEdit(input, context(actor)),
          reinstate: () => ledger.reinstateEdit(input, context(actor)),
          approve: () => ledger.approveEdit(input, context(actor)),
          reject: () => ledger.rejectEdit(input, context(actor)),
        }[action];
        const result = await decide();
        return withoutUndefined(result);
      },
    });
  }

  api.get('/v1/edits', {
    ...declareRoute(
      'read',
      'edits',
      'the active edit set at a ledger position, paged by the position each edit was submitted at',
      {
        querystring: EditsQuerySchema,
        200: EditSetPageSchema,
      },
    ),
    handler: async (request) => {
      const set = await services.edits.editSetAt(request.query.at);
      return pageEditSet(set, request.query.after, request.query.limit) as z.infer<typeof EditSetPageSchema>;
    },
  });

  api.get('/v1/edits/:editId', {
    ...declareRoute('read', 'edits', "one edit's content, status and history", { params: EditIdParamsSchema }),
    handler: async (request) => {
      const factKey = await services.edits.factKeyOf(request.params.editId);
      return showEdit(services.store, () => factKey, request.params.editId);
    },
  });

  api.get('/v1/events', {
    ...declareRoute('read', 'log', 'the event log by position, paged', {
      querystring: EventsQuerySchema,
      200: EventsPageSchema,
    }),
    handler: async (request) => {
      const { after, limit, type } = request.query;
      const eventTypes = type?.split(',');
      const events = [];
      for await (const event of services.store.readAll({
        after,
        maxCount: limit + 1,
        ...(eventTypes !== undefined && { filter: { eventTypes } }),
      }))
        events.push(event);
      const page = events.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page,
        head: await services.store.headPosition(),
        ...(events.length > limit && last !== undefined && { nextAfter: last.position }),
      };
    },
  });
}

/** JSON has no undefined: drop such keys so responses match their schemas exactly. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
