// The compliance report as a pure fold: positioned ledger events plus a period [from, to) (by the events'
// metadata.recordedAt) -> a ComplianceReport (projections/compliance-report-schema.ts). The versions and serving
// history come from the versions read model, so the report and `editledger versions` can never disagree; the chain
// verification is done by the caller (it needs the store) and passed in.
import type { PositionedEvent } from '../domain/events.ts';
import { describeGovernance } from '../domain/governance.ts';
import type { ModelLifecycleEvent } from '../domain/model-lifecycle.ts';
import { foldVersions } from './versions.ts';
import type { ServingChange, VersionRecord, VersionsReadModel } from './versions.ts';
import type {
  ComplianceReport,
  ReportEdit,
  ReportMetrics,
  ReportServingChange,
  ReportVersion,
  Verification,
} from './compliance-report-schema.ts';
import { COMPLIANCE_ARTICLES } from './compliance-report-articles.ts';

export * from './compliance-report-schema.ts';

/** The erasure event of the data-subject issue; counted by type name so the report fills in when it lands. */
export const ERASURE_EVENT_TYPE = 'DataSubjectErased';

export interface ReportPeriod {
  /** Inclusive; absent: since the ledger began. */
  readonly from?: Date;
  /** Exclusive; absent: up to the head. */
  readonly to?: Date;
}

export interface ReportInputs {
  readonly period: ReportPeriod;
  readonly verification: Verification;
  readonly generatedAt: Date;
}

const METRIC_NAMES = [
  'reliability',
  'reliabilityBase',
  'generalization',
  'locality',
  'perplexity',
  'perplexityBase',
  'uneditedFactAccuracy',
  'uneditedFactAccuracyBase',
  'capability',
] as const satisfies ReadonlyArray<keyof ReportMetrics>;

const MODEL_TYPES: ReadonlySet<string> = new Set([
  'BaseModelRegistered',
  'TrainingPolicyRegistered',
  'ModelVersionMaterialized',
  'ServingVersionChanged',
  'ServingPinReleased',
]);

function inPeriod(at: string, period: ReportPeriod): boolean {
  const t = Date.parse(at);
  return (
    (period.from === undefined || t >= period.from.getTime()) && (period.to === undefined || t < period.to.getTime())
  );
}

/** Up to the period's end: an edit's history is told as it stood when the period closed. */
function beforeEnd(at: string, period: ReportPeriod): boolean {
  return period.to === undefined || Date.parse(at) < period.to.getTime();
}

function isModelEvent(p: PositionedEvent): p is PositionedEvent<ModelLifecycleEvent> {
  return MODEL_TYPES.has(p.event.type);
}

/** Every edit submitted in the period, with what happened to it up to the period's end. */
function foldEdits(events: readonly PositionedEvent[], period: ReportPeriod): ReportEdit[] {
  const edits = new Map<string, ReportEdit & { status: ReportEdit['status'] }>();
  const mark = (id: string, status: ReportEdit['status']) => {
    const edit = edits.get(id);
    if (edit) edit.status = status;
  };
  // Under four-eyes review (the governance in force at the period's end) an unapproved edit is not trained.
  let requireApproval = false;
  for (const { event, position } of events) {
    const at = event.metadata.recordedAt;
    if (!beforeEnd(at, period)) continue;
    switch (event.type) {
      case 'TrainingPolicyRegistered':
        requireApproval = event.data.governance?.requireApproval === true;
        break;
      case 'EditSubmitted': {
        if (!inPeriod(at, period)) break;
        const d = event.data;
        edits.set(d.editId, {
          editId: d.editId,
          factKey: d.factKey,
          ...(d.subject === undefined ? {} : { subject: d.subject }),
          prompt: d.prompt,
          target: d.target,
          submittedAt: at,
          position,
          source: { system: d.source.system, ref: d.source.ref },
          submittedBy: d.submittedBy,
          reason: d.reason,
          ...(d.evidenceUrl === undefined ? {} : { evidenceUrl: d.evidenceUrl }),
          status: 'active',
          approvals: [],
          supersededBy: [],
          supersedes: [],
          retractions: [],
          reinstatements: [],
        });
        break;
      }
      case 'EditApproved':
      case 'EditRejected': {
        const approved = event.type === 'EditApproved';
        const { by, reason } = event.data;
        edits
          .get(event.data.editId)
          ?.approvals.push({ decision: approved ? 'approved' : 'rejected', by, reason, at, position });
        if (!approved) mark(event.data.editId, 'rejected');
        break;
      }
      case 'EditRetracted':
        edits.get(event.data.editId)?.retractions.push({ by: event.data.by, reason: event.data.reason, at, position });
        mark(event.data.editId, 'retracted');
        break;
      case 'EditReinstated':
        edits
          .get(event.data.editId)
          ?.reinstatements.push({ by: event.data.by, reason: event.data.reason, at, position });
        mark(event.data.editId, 'active');
        break;
      case 'EditSuperseded':
        edits.get(event.data.oldEditId)?.supersededBy.push({ editId: event.data.newEditId, at, position });
        edits.get(event.data.newEditId)?.supersedes.push({ editId: event.data.oldEditId, at, position });
        mark(event.data.oldEditId, 'superseded');
        break;
      default:
        break;
    }
  }
  const pending = (e: ReportEdit) => e.status === 'active' && !e.approvals.some((a) => a.decision === 'approved');
  return [...edits.values()].map((e) => (requireApproval && pending(e) ? { ...e, status: 'pending' as const } : e));
}

/** Every serving change of the ledger, classified; rollbacks are human moves back to an earlier version. */
function classifyServing(model: VersionsReadModel): ReportServingChange[] {
  return model.servingHistory.map((change: ServingChange) => {
    const ordinal = model.byId.get(change.versionId)?.ordinal ?? null;
    const previous = change.previousVersionId === null ? undefined : model.byId.get(change.previousVersionId);
    const automatic = change.automatic === true;
    return {
      at: change.recordedAt,
      position: change.position,
      versionId: change.versionId,
      ordinal,
      previousVersionId: change.previousVersionId,
      changedBy: change.changedBy,
      reason: change.reason,
      automatic,
      rollback: !automatic && previous !== undefined && ordinal !== null && ordinal < previous.ordinal,
      outsideEnvelope: change.outsideEnvelope === true,
    };
  });
}

function toReportVersion(v: VersionRecord, history: readonly ServingChange[]): ReportVersion {
  const metrics: ReportMetrics = {};
  for (const name of METRIC_NAMES) if (v.metrics[name] !== undefined) metrics[name] = v.metrics[name];
  const served = history.flatMap((change, i) => {
    if (change.versionId !== v.versionId) return [];
    const next = history[i + 1];
    return [
      {
        from: change.recordedAt,
        to: next?.recordedAt ?? null,
        fromPosition: change.position,
        toPosition: next?.position ?? null,
      },
    ];
  });
  return {
    ordinal: v.ordinal,
    versionId: v.versionId,
    recordedAt: v.recordedAt,
    recordedAtPosition: v.recordedAtPosition,
    recordedBy: v.recordedBy,
    editSetPosition: v.position,
    editCount: v.editIds.length,
    editIds: [...v.editIds],
    baseModelId: v.baseModelId,
    baseHash: v.baseHash,
    policy: { ...v.policy },
    policyHash: v.policyHash,
    backend: v.backend,
    artifactSha256: v.artifactSha256,
    metrics,
    verdict:
      v.verdict === undefined
        ? null
        : {
            within: v.verdict.within,
            // A metric the version lacks fails as NaN, which JSON cannot carry: null says "missing".
            failing: v.verdict.failing.map((f) => ({ ...f, value: Number.isFinite(f.value) ? f.value : null })),
            envelopeHash: v.verdict.envelopeHash,
          },
    served,
  };
}

/** A period [from, to) overlaps the report period. */
function servedDuring(period: ReportPeriod, served: ReportVersion['served']): boolean {
  return served.some(
    (s) =>
      (period.to === undefined || Date.parse(s.from) < period.to.getTime()) &&
      (period.from === undefined || s.to === null || Date.parse(s.to) > period.from.getTime()),
  );
}

function editsPerDay(events: readonly PositionedEvent[], period: ReportPeriod): ComplianceReport['editsPerDay'] {
  const days = new Map<string, { submitted: number; retracted: number }>();
  for (const { event } of events) {
    if (event.type !== 'EditSubmitted' && event.type !== 'EditRetracted') continue;
    if (!inPeriod(event.metadata.recordedAt, period)) continue;
    const day = event.metadata.recordedAt.slice(0, 10);
    const entry = days.get(day) ?? { submitted: 0, retracted: 0 };
    if (event.type === 'EditSubmitted') entry.submitted += 1;
    else entry.retracted += 1;
    days.set(day, entry);
  }
  return [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, ...counts }));
}

export function buildComplianceReport(events: readonly PositionedEvent[], inputs: ReportInputs): ComplianceReport {
  const { period } = inputs;
  const model = foldVersions(events.filter(isModelEvent).map(({ event, position }) => ({ event, position })));
  const periodEvents = events.filter((p) => inPeriod(p.event.metadata.recordedAt, period));
  const countOf = (type: string) => periodEvents.filter((p) => (p.event.type as string) === type).length;

  const allVersions = model.versions.map((v) => toReportVersion(v, model.servingHistory));
  const versions = allVersions.filter((v) => inPeriod(v.recordedAt, period) || servedDuring(period, v.served));
  const servingChanges = classifyServing(model).filter((c) => inPeriod(c.at, period));
  const erasureDates = periodEvents
    .filter((p) => (p.event.type as string) === ERASURE_EVENT_TYPE)
    .map((p) => p.event.metadata.recordedAt);
  const oldest = events.reduce<string | null>(
    (min, p) => (min === null || p.event.metadata.recordedAt < min ? p.event.metadata.recordedAt : min),
    null,
  );
  const g = model.governance;

  return {
    schemaVersion: 1,
    generatedAt: inputs.generatedAt.toISOString(),
    period: { from: period.from?.toISOString() ?? null, to: period.to?.toISOString() ?? null },
    ledger: {
      headPosition: events.reduce((max, p) => Math.max(max, p.position), 0),
      events: events.length,
      eventsInPeriod: periodEvents.length,
    },
    governance: {
      description: describeGovernance(g),
      autoPromote: g.autoPromote,
      requireApproval: g.requireApproval,
      envelope: Object.fromEntries(Object.entries(g.envelope).filter((e): e is [string, number] => e[1] !== undefined)),
    },
    summary: {
      editsSubmitted: countOf('EditSubmitted'),
      editsRetracted: countOf('EditRetracted'),
      editsSuperseded: countOf('EditSuperseded'),
      editsReinstated: countOf('EditReinstated'),
      editsApproved: countOf('EditApproved'),
      editsRejected: countOf('EditRejected'),
      versions: allVersions.filter((v) => inPeriod(v.recordedAt, period)).length,
      servingChanges: servingChanges.length,
      rollbacks: servingChanges.filter((c) => c.rollback).length,
      versionsOutsideEnvelope: allVersions.filter((v) => inPeriod(v.recordedAt, period) && v.verdict?.within === false)
        .length,
      erasures: erasureDates.length,
    },
    edits: foldEdits(events, period),
    editsPerDay: editsPerDay(events, period),
    versions,
    servingChanges,
    pinReleases: model.pinReleases
      .filter((r) => inPeriod(r.recordedAt, period))
      .map((r) => ({
        versionId: r.versionId,
        by: r.releasedBy,
        reason: r.reason,
        at: r.recordedAt,
        position: r.position,
      })),
    erasures: { count: erasureDates.length, dates: erasureDates },
    verification: inputs.verification,
    retention: {
      policy: 'append-only',
      deletesEvents: false,
      oldestEventAt: oldest,
      statement:
        oldest === null
          ? 'The ledger is append-only and never deletes events; it holds no events yet.'
          : `The ledger is append-only and never deletes events: every event since ${oldest.slice(0, 10)} is retained, with no expiry (Art. 19 asks for at least six months).`,
    },
    articles: COMPLIANCE_ARTICLES.map((a) => ({ ...a })),
  };
}
