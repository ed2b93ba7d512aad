// The API's request and response shapes, built from the zod schemas that define the events and commands
// (domain/): the OpenAPI document served at /v1/openapi.json is generated from these, never written by hand.
import { z } from 'zod';
import { RoleSchema } from '../../domain/access.ts';
import { GovernanceSchema } from '../../domain/governance.ts';
import { SubmitEditDataSchema } from '../../domain/edit-commands.ts';
import { EditSubmittedDataSchema } from '../../domain/events/edit-events.ts';
import { LIMITS, requiredText } from '../../domain/events/fields.ts';
import { ModelVersionMaterializedDataSchema } from '../../domain/events/model-events.ts';

const position = z.coerce.number().int().nonnegative();
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const reason = requiredText(LIMITS.reason);

export const SubmitEditBodySchema = SubmitEditDataSchema.omit({ submittedBy: true }).meta({
  id: 'SubmitEdit',
  description: 'One correction. (source.system, source.ref) identifies it upstream: resending it appends nothing.',
});

export const SubmitEditResultSchema = z
  .object({
    editId: z.string(),
    factKey: z.string(),
    outcome: z.enum(['submitted', 'duplicate']),
    status: z.enum(['active', 'retracted', 'superseded']).optional(),
    supersededEditId: z.string().optional(),
    position: z.number().int(),
  })
  .meta({ id: 'SubmitEditResult' });

export const ImportQuerySchema = z.strictObject({
  system: requiredText(LIMITS.name)
    .optional()
    .describe('upstream system recorded in each edit (default: the token name)'),
  reason: reason.optional().describe('why these corrections are made (default: "submitted through the API")'),
});

export const ImportBodySchema = z
  .unknown()
  .describe(
    'corrections in the record shapes `edit import` accepts (ZsRE: src, alt, subject, rephrase, loc, loc_ans; CounterFact: prompt, target_new, subject, ...): one JSON object, a JSON array, or JSONL (application/x-ndjson)',
  );

export const ImportResultSchema = z
  .object({
    total: z.number().int(),
    submitted: z.number().int(),
    duplicates: z.number().int(),
    superseded: z.number().int(),
    position: z.number().int(),
  })
  .meta({ id: 'ImportResult' });

export const EditIdParamsSchema = z.strictObject({ editId: z.uuid({ error: 'must be a UUID' }) });
export const ReasonBodySchema = z.strictObject({ reason });

export const DecisionResultSchema = z
  .object({
    editId: z.string(),
    factKey: z.string(),
    position: z.number().int(),
    supersededEditId: z.string().optional(),
  })
  .meta({ id: 'EditDecisionResult' });

export const EditsQuerySchema = z.strictObject({
  at: position.optional().describe('ledger position (default: the head)'),
  after: position.default(0).describe('cursor: edits submitted after this position (nextAfter of the last page)'),
  limit: limit(1000, 100),
});

const ActiveEditSchema = EditSubmittedDataSchema.pick({
  editId: true,
  factKey: true,
  prompt: true,
  target: true,
  subject: true,
  rephrase: true,
  locality: true,
}).extend({ submittedAt: z.number().int() });

export const EditSetPageSchema = z
  .object({
    position: z.number().int(),
    editSetHash: z.string(),
    total: z.number().int(),
    edits: z.array(ActiveEditSchema),
    nextAfter: z.number().int().optional(),
  })
  .meta({ id: 'EditSetPage' });

export const EventsQuerySchema = z.strictObject({
  after: position.default(0),
  limit: limit(1000, 100),
  type: z
    .string()
    .regex(/^[A-Za-z]+(,[A-Za-z]+)*$/, { error: 'must be event type names separated by commas' })
    .optional(),
});

export const RecordedEventSchema = z
  .object({
    position: z.number().int(),
    stream: z.string(),
    revision: z.number().int(),
    id: z.string(),
    type: z.string(),
    storedAt: z.string().describe("the store's commit time (metadata.recordedAt is the decision time)"),
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'RecordedEvent' });

export const EventsPageSchema = z
  .object({ events: z.array(RecordedEventSchema), head: z.number().int(), nextAfter: z.number().int().optional() })
  .meta({ id: 'EventsPage' });

export const VersionSchema = ModelVersionMaterializedDataSchema.extend({
  ordinal: z.number().int(),
  policyHash: z.string(),
  recordedAtPosition: z.number().int(),
  recordedAt: z.string(),
  recordedBy: z.string(),
  serving: z.boolean(),
}).meta({ id: 'Version' });

export const VersionsSchema = z
  .object({
    versions: z.array(VersionSchema),
    serving: z.string().nullable(),
    pinned: z.boolean().describe('a human decision pinned the serving version (the trainer leaves it alone)'),
    governance: GovernanceSchema,
    servingHistory: z.array(
      z.object({
        versionId: z.string(),
        previousVersionId: z.string().nullable(),
        changedBy: z.string(),
        reason: z.string(),
        position: z.number().int(),
        recordedAt: z.string(),
        automatic: z.boolean().optional(),
        outsideEnvelope: z.boolean().optional(),
      }),
    ),
  })
  .meta({ id: 'Versions' });

export const VersionRefParamsSchema = z.strictObject({
  ref: z.string().min(1).max(80).describe('a version id, a unique prefix of one, or #N (URL-encoded: %23N)'),
});
export const DiffParamsSchema = z.strictObject({
  from: VersionRefParamsSchema.shape.ref,
  to: VersionRefParamsSchema.shape.ref,
});

const DiffEditSchema = z.object({ editId: z.string(), factKey: z.string(), prompt: z.string(), target: z.string() });
export const DiffSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    added: z.array(DiffEditSchema),
    removed: z.array(DiffEditSchema),
    unchanged: z.number().int(),
    sameBase: z.boolean(),
    samePolicy: z.boolean(),
    metrics: z.array(
      z.object({
        name: z.string(),
        from: z.number().optional(),
        to: z.number().optional(),
        delta: z.number().optional(),
      }),
    ),
  })
  .meta({ id: 'VersionDiff' });

const acceptOutsideEnvelope = z
  .boolean()
  .optional()
  .describe('serve it although it is outside the change envelope (recorded and flagged in reports)');
export const PromoteBodySchema = z.strictObject({
  version: VersionRefParamsSchema.shape.ref,
  reason,
  acceptOutsideEnvelope,
});
export const ReleasePinBodySchema = z.strictObject({ reason });
export const PromoteResultSchema = z
  .object({ versionId: z.string(), ordinal: z.number().int(), changed: z.boolean(), artifactRebuilt: z.boolean() })
  .meta({ id: 'PromoteResult' });

export const RollbackBodySchema = z
  .strictObject({
    toVersion: VersionRefParamsSchema.shape.ref.optional(),
    toPosition: z.number().int().nonnegative().optional(),
    reason,
    acceptOutsideEnvelope,
  })
  .refine((b) => (b.toVersion === undefined) !== (b.toPosition === undefined), {
    error: 'give exactly one of toVersion or toPosition',
    path: ['toVersion'],
  });

export const MaterializeBodySchema = z.strictObject({
  position: z.number().int().nonnegative().optional().describe('the edit set at this position (default: the head)'),
  promoteReason: reason.optional().describe('serve the version once built, with this reason'),
});
export const VerifyBodySchema = z.strictObject({ version: VersionRefParamsSchema.shape.ref });

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['materialize', 'verify', 'rollback', 'erase']),
    state: z.enum(['queued', 'running', 'succeeded', 'failed']),
    createdAt: z.string(),
    createdBy: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    progress: z
      .object({
        phase: z.string(),
        epoch: z.number().int().optional(),
        epochs: z.number().int().optional(),
        loss: z.number().optional(),
        etaMs: z.number().optional(),
      })
      .optional(),
    result: z.unknown().optional(),
    error: z.object({ code: z.string(), detail: z.string(), field: z.string().optional() }).optional(),
  })
  .meta({ id: 'Job' });
export const JobParamsSchema = z.strictObject({
  jobId: z.string().regex(/^[0-9a-f-]{36}$/, { error: 'must be a job id' }),
});

export const GenerateBodySchema = z.strictObject({
  prompts: z.array(requiredText(LIMITS.prompt)).min(1).max(16),
  version: VersionRefParamsSchema.shape.ref.optional().describe('default: the serving version'),
  maxTokens: z.number().int().min(0).max(256).default(32),
  temperature: z.number().min(0).max(10).default(0),
  seed: z.number().int().nonnegative().default(0),
});
export const GenerateResultSchema = z
  .object({
    versionId: z.string(),
    completions: z.array(z.object({ prompt: z.string(), completion: z.string(), finishReason: z.string() })),
  })
  .meta({ id: 'GenerateResult' });

export const StatusSchema = z
  .object({
    head: z.number().int(),
    serving: z.object({ versionId: z.string(), ordinal: z.number().int() }).nullable(),
    versions: z.number().int(),
    trainer: z.object({
      running: z.boolean(),
      cursor: z.number().int().describe('the last ledger position the trainer finished with'),
      pendingEdits: z
        .number()
        .int()
        .describe("edit events in no version yet (after the newest version's edit set and the trainer's cursor)"),
    }),
    ingestion: z.object({
      accepted: z.number().int(),
      rejected: z.number().int(),
      duplicates: z.number().int(),
      deadLettersDropped: z.number().int(),
    }),
    principal: z.object({ name: z.string(), role: RoleSchema, may: z.array(z.string()) }),
  })
  .meta({ id: 'Status' });

export const TokenCreateBodySchema = z.strictObject({ name: requiredText(64), role: RoleSchema });
export const TokenInfoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: RoleSchema,
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'TokenInfo' });
export const TokenCreatedSchema = z.object({ token: z.string(), info: TokenInfoSchema });
export const TokenParamsSchema = z.strictObject({ idOrName: z.string().min(1).max(64) });
