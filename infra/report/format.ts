// Formatting shared by the report renderers (markdown and HTML): the same words for the same facts in both.
import type { ComplianceReport, ReportEdit, ReportVersion, Verification } from '../../projections/compliance-report.ts';

export function pct(value: number | undefined): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}

export function num(value: number | undefined, digits = 3): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

/** Edit ids (UUIDs) by their first group, version ids (sha256) by 12 hex characters. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) : id.slice(0, 12);
}

/** "1.000 (base 0.000)": a metric against its base value. */
export function againstBase(value: number | undefined, base: number | undefined, digits = 3): string {
  return base === undefined ? num(value, digits) : `${num(value, digits)} (base ${num(base, digits)})`;
}

export function verdictText(v: ReportVersion): string {
  if (v.verdict === null) return 'no envelope declared';
  if (v.verdict.within) return 'within';
  const failing = v.verdict.failing
    .map(
      (f) => `${f.metric} ${f.value === null ? 'missing' : num(f.value, 4)} ${f.rule === 'min' ? '<' : '>'} ${f.bound}`,
    )
    .join(', ');
  return `OUTSIDE: ${failing}`;
}

export function servedText(v: ReportVersion): string {
  if (v.served.length === 0) return 'never served';
  return v.served
    .map((s) => `[${s.from} (#${s.fromPosition}), ${s.to === null ? 'now' : `${s.to} (#${s.toPosition})`})`)
    .join('; ');
}

export function verificationText(v: Verification): string {
  if (v.status === 'not_available') return `not available: ${v.detail}`;
  const head = `chain ${v.status === 'intact' ? 'intact' : 'BROKEN'}: ${v.verifiedEvents} events verified, head position ${v.headPosition}`;
  const problem =
    v.firstProblem === undefined
      ? ''
      : `; first problem at position ${v.firstProblem.position}: ${v.firstProblem.what}`;
  return `${head}${problem}; ${v.checkpoints} signed checkpoint(s); signatures: ${v.signatures}`;
}

export function approvalsText(e: ReportEdit): string {
  if (e.approvals.length === 0) return '-';
  return e.approvals.map((a) => `${a.decision} by ${a.by} at ${a.at}: ${a.reason}`).join('; ');
}

export function historyText(e: ReportEdit): string {
  const parts = [
    ...e.supersedes.map((s) => `supersedes ${shortId(s.editId)} at ${s.at}`),
    ...e.supersededBy.map((s) => `superseded by ${shortId(s.editId)} at ${s.at}`),
    ...e.retractions.map((r) => `retracted by ${r.by} at ${r.at}: ${r.reason}`),
    ...e.reinstatements.map((r) => `reinstated by ${r.by} at ${r.at}: ${r.reason}`),
  ];
  return parts.length === 0 ? '-' : parts.join('; ');
}

export function periodText(report: ComplianceReport): string {
  return `${report.period.from ?? 'the beginning of the ledger'} to ${report.period.to ?? 'the head'}`;
}

/** The summary as (label, value) rows, in one order for every format. */
export function summaryRows(report: ComplianceReport): Array<[string, string]> {
  const s = report.summary;
  return [
    ['Edits submitted', String(s.editsSubmitted)],
    ['Edits retracted', String(s.editsRetracted)],
    ['Edits superseded', String(s.editsSuperseded)],
    ['Edits reinstated', String(s.editsReinstated)],
    ['Edits approved', String(s.editsApproved)],
    ['Edits rejected', String(s.editsRejected)],
    ['Model versions', String(s.versions)],
    ['Versions outside the envelope', String(s.versionsOutsideEnvelope)],
    ['Serving changes', String(s.servingChanges)],
    ['Rollbacks', String(s.rollbacks)],
    ['Erasures', String(s.erasures)],
  ];
}

export const SECTION_TITLES = {
  summary: 'Summary',
  governance: 'Governance',
  edits: 'Edits',
  versions: 'Model versions',
  serving: 'Serving changes',
  erasures: 'Erasures',
  verification: 'Verification',
  retention: 'Retention',
  articles: 'EU AI Act mapping',
} as const;
