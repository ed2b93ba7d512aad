// Model routes: versions, one version, the diff of two, promote, roll back, materialize and verify as jobs (202 +
// a job resource; progress by polling or Server-Sent Events), and generate with a version.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { diffVersions, resolveVersionRef } from '../../../projections/versions.ts';
import type { VersionRecord, VersionsReadModel } from '../../../projections/versions.ts';
import { promoteVersion, releasePin, rollback, verifyVersion } from '../../../trainer/consumer/model-use-cases.ts';
import type { RollbackTarget } from '../../../trainer/consumer/model-use-cases.ts';
import {
  DiffParamsSchema,
  DiffSchema,
  GenerateBodySchema,
  GenerateResultSchema,
  JobParamsSchema,
  JobSchema,
  MaterializeBodySchema,
  PromoteBodySchema,
  PromoteResultSchema,
  ReleasePinBodySchema,
  RollbackBodySchema,
  VerifyBodySchema,
  VersionRefParamsSchema,
  VersionSchema,
  VersionsSchema,
} from '../api-schemas.ts';
import { HttpProblem } from '../problem.ts';
import { acceptedJob, actorOf, declareRoute } from '../route-declaration.ts';
import type { ApiServices } from '../services.ts';
import { openEventStream } from '../event-stream.ts';

type Version = z.infer<typeof VersionSchema>;

function versionView(version: VersionRecord, model: VersionsReadModel): Version {
  return { ...version, serving: model.serving === version.versionId };
}

export function modelRoutes(app: FastifyInstance, services: ApiServices): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { models, jobs } = services;
  const versions = async () => (await models.materializer.readModels()).versions;

  api.get('/v1/versions', {
    ...declareRoute('read', 'versions', 'every materialized model version', { 200: VersionsSchema }),
    handler: async () => {
      const model = await versions();
      return {
        versions: model.versions.map((v) => versionView(v, model)),
        serving: model.serving,
        servingHistory: [...model.servingHistory],
        pinned: model.pinned,
        governance: model.governance,
      };
    },
  });

  api.get('/v1/versions/:ref', {
    ...declareRoute('read', 'versions', 'one model version', { params: VersionRefParamsSchema, 200: VersionSchema }),
    handler: async (request) => {
      const model = await versions();
      return versionView(resolveVersionRef(model, request.params.ref), model);
    },
  });

  api.get('/v1/versions/:from/diff/:to', {
    ...declareRoute('read', 'versions', 'edits added and removed between two versions, and how their metrics moved', {
      params: DiffParamsSchema,
      200: DiffSchema,
    }),
    handler: async (request) => {
      const model = await versions();
      const from = resolveVersionRef(model, request.params.from);
      const to = resolveVersionRef(model, request.params.to);
      const diff = diffVersions(from, to);
      const describe = async (position: number, ids: readonly string[]) => {
        const set = new Map((await services.edits.editSetAt(position)).edits.map((e) => [e.editId, e]));
        return ids.map((editId) => {
          const edit = set.get(editId);
          return { editId, factKey: edit?.factKey ?? '', prompt: edit?.prompt ?? '', target: edit?.target ?? '' };
        });
      };
      return {
        from: from.versionId,
        to: to.versionId,
        added: await describe(to.position, diff.added),
        removed: await describe(from.position, diff.removed),
        unchanged: diff.unchanged,
        sameBase: diff.sameBase,
        samePolicy: diff.samePolicy,
        metrics: diff.metrics.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined))),
      } as z.infer<typeof DiffSchema>;
    },
  });

  api.post('/v1/serving/promote', {
    ...declareRoute('serve', 'serving', 'serve a version', { body: PromoteBodySchema, 200: PromoteResultSchema }),
    handler: async (request) => {
      const actor = actorOf(request);
      const { version, reason, acceptOutsideEnvelope } = request.body;
      return promoteVersion(models, version, reason, actor, { acceptOutsideEnvelope });
    },
  });

  api.post('/v1/serving/release-pin', {
    ...declareRoute(
      'serve',
      'serving',
      'let the trainer consumer serve new versions again after a manual promote or rollback',
      {
        body: ReleasePinBodySchema,
        200: z.object({ released: z.boolean() }),
      },
    ),
    handler: async (request) => {
      const actor = actorOf(request);
      return releasePin(models, request.body.reason, actor);
    },
  });

  api.post('/v1/serving/rollback', {
    ...declareRoute(
      'serve',
      'serving',
      'serve an earlier version (at once) or the edit set at an earlier position (a job when it must be built)',
      {
        body: RollbackBodySchema,
        200: JobSchema,
        202: JobSchema,
      },
    ),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { toVersion, toPosition, reason, acceptOutsideEnvelope } = request.body;
      let target: RollbackTarget;
      if (toVersion !== undefined) {
        resolveVersionRef(await versions(), toVersion); // 404 before queueing
        target = { version: toVersion };
      } else {
        if (toPosition! > (await services.store.headPosition()))
          throw new HttpProblem(400, 'invalid_field', `${toPosition} is beyond the ledger head`, 'toPosition');
        target = { position: toPosition! };
      }
      const job = jobs.submit('rollback', actor, () =>
        rollback(models, target, reason, actor, { acceptOutsideEnvelope }),
      );
      return acceptedJob(reply, job);
    },
  });

  api.post('/v1/jobs/materialize', {
    ...declareRoute(
      'materialize',
      'jobs',
      'materialize the edit set at a position (default: the head) as a model version',
      {
        body: MaterializeBodySchema,
        202: JobSchema,
      },
    ),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const head = await services.store.headPosition();
      const { position, promoteReason } = request.body;
      if (position !== undefined && position > head)
        throw new HttpProblem(400, 'invalid_field', `${position} is beyond the ledger head ${head}`, 'position');
      const job = jobs.submit('materialize', actor, async () => {
        const result = await models.materializer.materialize({
          ...(position !== undefined && { position }),
          ...(promoteReason !== undefined && { promoteReason }),
          actor,
        });
        if (result.outcome === 'materialized') {
          services.metrics.versionsMaterialized.inc();
          await services.signHead?.();
        }
        return {
          outcome: result.outcome,
          versionId: result.version.versionId,
          ordinal: result.version.ordinal,
          position: result.position,
          promoted: result.promoted,
          seconds: result.durationMs / 1000,
        };
      });
      return acceptedJob(reply, job);
    },
  });

  api.post('/v1/jobs/verify', {
    ...declareRoute('materialize', 'jobs', 'rebuild a version from the ledger and check it is bit-identical', {
      body: VerifyBodySchema,
      202: JobSchema,
    }),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      resolveVersionRef(await versions(), request.body.version); // 404 before queueing
      const job = jobs.submit('verify', actor, () => verifyVersion(models, request.body.version));
      return acceptedJob(reply, job);
    },
  });

  api.get('/v1/jobs', {
    ...declareRoute('read', 'jobs', 'recent jobs, newest first'),
    handler: async () => ({ jobs: jobs.list() }),
  });

  api.get('/v1/jobs/:jobId', {
    ...declareRoute('read', 'jobs', 'one job', { params: JobParamsSchema, 200: JobSchema }),
    handler: async (request) => jobs.get(request.params.jobId),
  });

  api.get('/v1/jobs/:jobId/events', {
    ...declareRoute(
      'read',
      'jobs',
      "a job's progress as Server-Sent Events (event: job, data: the job), until it finishes",
      {
        params: JobParamsSchema,
      },
    ),
    handler: async (request, reply) => {
      jobs.get(request.params.jobId); // 404 before the stream starts
      const raw = openEventStream(reply);
      let stop = () => {};
      stop = jobs.watch(request.params.jobId, (job) => {
        raw.write(`event: job\ndata: ${JSON.stringify(job)}\n\n`);
        if (job.state === 'succeeded' || job.state === 'failed') {
          queueMicrotask(() => stop());
          raw.end();
        }
      });
      request.raw.on('close', () => stop());
    },
  });

  api.post('/v1/generate', {
    ...declareRoute('read', 'versions', 'generate continuations with a version (default: the serving one)', {
      body: GenerateBodySchema,
      200: GenerateResultSchema,
    }),
    handler: async (request) => {
      const model = await versions();
      const ref = request.body.version ?? model.serving;
      if (ref === null) throw new HttpProblem(409, 'nothing_served', 'no version is served yet; name one in "version"');
      const version = resolveVersionRef(model, ref);
      const completions = await services.generate(version, request.body);
      return { versionId: version.versionId, completions };
    },
  });
}
