// The compliance report's shape: one zod schema that is the single source of truth for the fold's output, the JSON
// format (validated before it is written) and the published JSON Schema (docs/compliance-report.schema.json).
import { z } from 'zod';

const timestamp = z.string().describe('ISO-8601 timestamp (the event metadata.recordedAt)');
const position = z.number().int().nonnegative();

const DecisionSchema = z.strictObject({
  by: z.string(),
  reason: z.string(),
  at: timestamp,
  position,
});

export const ReportEditSchema = z.strictObject({
  editId: z.string(),
  factKey: z.string(),
  subject: z.string().optional(),
  prompt: z.string(),
  target: z.string(),
  submittedAt: timestamp,
  position,
  source: z.strictObject({ system: z.string(), ref: z.string() }),
  submittedBy: z.string(),
  reason: z.string(),
  evidenceUrl: z.string().optional(),
  /** As of the period's end. */
  status: z.enum(['active', 'pending', 'rejected', 'retracted', 'superseded']),
  /** Four-eyes decisions (EditApproved / EditRejected). */
  approvals: z.array(DecisionSchema.extend({ decision: z.enum(['approved', 'rejected']) })),
  supersededBy: z.array(z.strictObject({ editId: z.string(), at: timestamp, position })),
  supersedes: z.array(z.strictObject({ editId: z.string(), at: timestamp, position })),
  retractions: z.array(DecisionSchema),
  reinstatements: z.array(DecisionSchema),
});
export type ReportEdit = z.infer<typeof ReportEditSchema>;

/** The metrics an auditor compares against the base; every one optional (older versions lack some). */
export const ReportMetricsSchema = z.strictObject({
  reliability: z.number().optional(),
  reliabilityBase: z.number().optional(),
  generalization: z.number().optional(),
  locality: z.number().optional(),
  perplexity: z.number().optional(),
  perplexityBase: z.number().optional(),
  uneditedFactAccuracy: z.number().optional(),
  uneditedFactAccuracyBase: z.number().optional(),
  capability: z.number().optional(),
});
export type ReportMetrics = z.infer<typeof ReportMetricsSchema>;

export const ServedPeriodSchema = z.strictObject({
  from: timestamp,
  /** null: still served at the end of the ledger. */
  to: timestamp.nullable(),
  fromPosition: position,
  toPosition: position.nullable(),
});

export const ReportVersionSchema = z.strictObject({
  ordinal: z.number().int().positive(),
  versionId: z.string(),
  recordedAt: timestamp,
  recordedAtPosition: position,
  recordedBy: z.string(),
  /** The ledger position whose edit set was trained. */
  editSetPosition: position,
  editCount: z.number().int().nonnegative(),
  editIds: z.array(z.string()),
  baseModelId: z.string(),
  baseHash: z.string(),
  policy: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  policyHash: z.string(),
  backend: z.string(),
  artifactSha256: z.string(),
  metrics: ReportMetricsSchema,
  /** null: no envelope was declared when it was recorded. */
  verdict: z
    .strictObject({
      within: z.boolean(),
      failing: z.array(
        z.strictObject({ metric: z.string(), value: z.number().nullable(), bound: z.number(), rule: z.string() }),
      ),
      envelopeHash: z.string(),
    })
    .nullable(),
  served: z.array(ServedPeriodSchema),
});
export type ReportVersion = z.infer<typeof ReportVersionSchema>;

export const ReportServingChangeSchema = z.strictObject({
  at: timestamp,
  position,
  versionId: z.string(),
  ordinal: z.number().int().positive().nullable(),
  previousVersionId: z.string().nullable(),
  changedBy: z.string(),
  reason: z.string(),
  /** The trainer consumer moved it (false: a human decision). */
  automatic: z.boolean(),
  /** A human decision to serve a version recorded before the one served. */
  rollback: z.boolean(),
  outsideEnvelope: z.boolean(),
});
export type ReportServingChange = z.infer<typeof ReportServingChangeSchema>;

export const VerificationSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('not_available'), detail: z.string() }),
  z.strictObject({
    status: z.enum(['intact', 'broken']),
    verifiedEvents: z.number().int().nonnegative(),
    headPosition: position,
    firstProblem: z.strictObject({ position, what: z.string() }).optional(),
    checkpoints: z.number().int().nonnegative(),
    /** e.g. "checked with key ab12..." or "no public key given". */
    signatures: z.string(),
    warnings: z.array(z.string()),
  }),
]);
export type Verification = z.infer<typeof VerificationSchema>;

const count = z.number().int().nonnegative();

export const ComplianceReportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    generatedAt: timestamp,
    period: z.strictObject({ from: timestamp.nullable(), to: timestamp.nullable() }),
    ledger: z.strictObject({ headPosition: position, events: count, eventsInPeriod: count }),
    governance: z.strictObject({
      description: z.string(),
      autoPromote: z.string(),
      requireApproval: z.boolean(),
      envelope: z.record(z.string(), z.number()),
    }),
    summary: z.strictObject({
      editsSubmitted: count,
      editsRetracted: count,
      editsSuperseded: count,
      editsReinstated: count,
      editsApproved: count,
      editsRejected: count,
      versions: count,
      servingChanges: count,
      rollbacks: count,
      versionsOutsideEnvelope: count,
      erasures: count,
    }),
    edits: z.array(ReportEditSchema),
    editsPerDay: z.array(z.strictObject({ day: z.string(), submitted: count, retracted: count })),
    versions: z.array(ReportVersionSchema),
    servingChanges: z.array(ReportServingChangeSchema),
    pinReleases: z.array(DecisionSchema.extend({ versionId: z.string() })),
    /** Counts and dates only: what was erased is, by design, not repeated here. */
    erasures: z.strictObject({ count, dates: z.array(timestamp) }),
    verification: VerificationSchema,
    retention: z.strictObject({
      policy: z.literal('append-only'),
      deletesEvents: z.literal(false),
      oldestEventAt: timestamp.nullable(),
      statement: z.string(),
    }),
    articles: z.array(z.strictObject({ article: z.string(), asks: z.string(), where: z.string() })),
  })
  .meta({ id: 'ComplianceReport', title: 'editledger compliance report' });
export type ComplianceReport = z.infer<typeof ComplianceReportSchema>;

/** The published JSON Schema (docs/compliance-report.schema.json is this, committed). */
export function complianceReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ComplianceReportSchema);
}
