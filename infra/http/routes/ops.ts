// Operations routes: status (head, serving version, trainer lag, ingestion counters, the caller's role), the
// health and readiness probes, Prometheus metrics, and API tokens (admin).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { grantsOf } from '../../../domain/access.ts';
import {
  StatusSchema,
  TokenCreateBodySchema,
  TokenCreatedSchema,
  TokenInfoSchema,
  TokenParamsSchema,
} from '../api-schemas.ts';
import { principalOfRequest } from '../guards.ts';
import { HttpProblem } from '../problem.ts';
import { actorOf, declareRoute } from '../route-declaration.ts';
import type { ApiServices } from '../services.ts';
import { z } from 'zod';

export function opsRoutes(app: FastifyInstance, services: ApiServices): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/v1/status', {
    ...declareRoute('read', 'ops', 'ledger head, serving version, trainer lag, ingestion counters', {
      200: StatusSchema,
    }),
    handler: async (request) => {
      const principal = principalOfRequest(request);
      const model = (await services.models.materializer.readModels()).versions;
      const serving = model.serving === null ? undefined : model.byId.get(model.serving);
      const trainer = await services.trainer();
      services.metrics.trainerLag.set(trainer.pendingEdits);
      return {
        head: await services.store.headPosition(),
        serving: serving === undefined ? null : { versionId: serving.versionId, ordinal: serving.ordinal },
        versions: model.versions.length,
        trainer,
        ingestion: { ...services.ingestion },
        principal: { name: principal.name, role: principal.role, may: [...grantsOf(principal.role)] },
      };
    },
  });

  api.get('/healthz', {
    schema: { summary: 'liveness: the process answers', tags: ['ops'] },
    handler: async () => ({ status: 'ok' }),
  });

  api.get('/readyz', {
    schema: { summary: 'readiness: the ledger can be read and the server is not stopping', tags: ['ops'] },
    handler: async (_request, reply) => {
      if (!services.ready()) return reply.code(503).send({ status: 'not ready' });
      await services.store.headPosition();
      return { status: 'ready' };
    },
  });

  api.get('/metrics', {
    schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['ops'] },
    handler: async (_request, reply) => {
      const trainer = await services.trainer();
      services.metrics.trainerLag.set(trainer.pendingEdits);
      return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
    },
  });

  api.post('/v1/tokens', {
    ...declareRoute('tokens', 'tokens', 'create an API token (shown once)', {
      body: TokenCreateBodySchema,
      201: TokenCreatedSchema,
    }),
    handler: async (request, reply) => {
      const by = actorOf(request);
      return reply.code(201).send(services.tokens.create(request.body.name, request.body.role, by));
    },
  });

  api.get('/v1/tokens', {
    ...declareRoute('tokens', 'tokens', 'every API token (never their secrets)', {
      200: z.object({ tokens: z.array(TokenInfoSchema) }),
    }),
    handler: async () => ({ tokens: services.tokens.list() }),
  });

  api.delete('/v1/tokens/:idOrName', {
    ...declareRoute('tokens', 'tokens', 'revoke an API token', { params: TokenParamsSchema, 200: TokenInfoSchema }),
    handler: async (request) => {
      if (principalOfRequest(request).tokenId === request.params.idOrName)
        throw new HttpProblem(409, 'revoke_self', 'a token cannot revoke itself');
      return services.tokens.revoke(request.params.idOrName);
    },
  });
}
