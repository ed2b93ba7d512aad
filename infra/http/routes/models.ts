// Model routes: versions, one version, the diff of two, promote, roll back, materialize and verify as jobs (202 +
// a job resource; progress by polling or Server-Sent Events), and generate with a version.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Job } from '../jobs.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../../domain/access.ts';
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
import { principalOfRequest } from '../guards.ts';
import { HttpProblem, PROBLEM_RESPONSES } from '../problem.ts';
import type { ApiServices } from '../services.ts';
import { openEventStream } from '../event-stream.ts';

const errors = PROBLEM_RESPONSES;
type Version = z.infer<typeof VersionSchema>;

/** 202 Accepted with the job resource and where to follow it. */
function acceptedJob(reply: FastifyReply, job: Job): FastifyReply {
  return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
}

function versionView(version: VersionRecord, model: VersionsReadModel): Version {
  return { ...version, serving: model.serving === version.versionId };
}

export function modelRoutes(app: FastifyInstance, services: ApiServices): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { models, jobs } = services;
  const versions = async () => (await models.materializer.readModels()).versions;

  api.get('/v1/versions', {
    config: { operation: 'read' },
    schema: {
      summary: 'every materialized model version',
      tags: ['versions'],
      response: { 200: VersionsSchema, ...errors },
    },
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
    config: { operation: 'read' },
    schema: {
      summary: 'one model version',
      tags: ['versions'],
      params: VersionRefParamsSchema,
      response: { 200: VersionSchema, ...errors },
    },
    handler: async (request) => {
      const model = await versions();
      return versionView(resolveVersionRef(model, request.params.ref), model);
    },
  });

  api.get('/v1/versions/:from/diff/:to', {
    config: { operation: 'read' },
    schema: {
      summary: 'edits added and removed between two versions, and how their metrics moved',
      tags: ['versions'],
      params: DiffParamsSchema,
      response: { 200: DiffSchema, ...errors },
    },
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
    config: { operation: 'serve' },
    schema: {
      summary: 'serve a version',
      tags: ['serving'],
      body: PromoteBodySchema,
      response: { 200: PromoteResultSchema, ...errors },
    },
    handler: async (request) => {
      const actor = principalOf(principalOfRequest(request).name);
      const { version, reason, acceptOutsideEnvelope } = request.body;
      return promoteVersion(models, version, reason, actor, { acceptOutsideEnvelope });
    },
  });

  api.post('/v1/serving/release-pin', {
    config: { operation: 'serve' },
    schema: {
      summary: 'let the trainer consumer serve new versions again after a manual promote or rollback',
      tags: ['serving'],
      body: ReleasePinBodySchema,
      response: { 200: z.object({ released: z.boolean() }), ...errors },
    },
    handler: async (request) => {
      const actor = principalOf(principalOfRequest(request).name);
      return releasePin(models, request.body.reason, actor);
    },
  });

  api.post('/v1/serving/rollback', {
    config: { operation: 'serve' },
    schema: {
      summary:
        'serve an earlier version (at once) or the edit set at an earlier position (a job when it must be built)',
      tags: ['serving'],
      body: RollbackBodySchema,
      response: { 200: JobSchema, 202: JobSchema, ...errors },
    },
    handler: async (request, reply) => {
      const actor = principalOf(principalOfRequest(request).name);
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
    config: { operation: 'materialize' },
    schema: {
      summary: 'materialize the edit set at a position (default: the head) as a model version',
      tags: ['jobs'],
      body: MaterializeBodySchema,
      response: { 202: JobSchema, ...errors },
    },
    handler: async (request, reply) => {
      const actor = principalOf(principalOfRequest(request).name);
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
    config: { operation: 'materialize' },
    schema: {
      summary: 'rebuild a version from the ledger and check it is bit-identical',
      tags: ['jobs'],
      body: VerifyBodySchema,
      response: { 202: JobSchema, ...errors },
    },
    handler: async (request, reply) => {
      const actor = principalOf(principalOfRequest(request).name);
      resolveVersionRef(await versions(), request.body.version); // 404 before queueing
      const job = jobs.submit('verify', actor, () => verifyVersion(models, request.body.version));
      return acceptedJob(reply, job);
    },
  });

  api.get('/v1/jobs', {
    config: { operation: 'read' },
    schema: { summary: 'recent jobs, newest first', tags: ['jobs'] },
    handler: async () => ({ jobs: jobs.list() }),
  });

  api.get('/v1/jobs/:jobId', {
    config: { operation: 'read' },
    schema: { summary: 'one job', tags: ['jobs'], params: JobParamsSchema, response: { 200: JobSchema, ...errors } },
    handler: async (request) => jobs.get(request.params.jobId),
  });

  api.get('/v1/jobs/:jobId/events', {
    config: { operation: 'read' },
    schema: {
      summary: "a job's progress as Server-Sent Events (event: job, data: the job), until it finishes",
      tags: ['jobs'],
      params: JobParamsSchema,
    },
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
    config: { operation: 'read' },
    schema: {
      summary: 'generate continuations with a version (default: the serving one)',
      tags: ['versions'],
      body: GenerateBodySchema,
      response: { 200: GenerateResultSchema, ...errors },
    },
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
