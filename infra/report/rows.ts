// The report's tables, built once for every format: which columns, in which order, with which words. A renderer only
// decides how a cell looks (Markdown shows the text alone; HTML marks ids as monospace and flags as red), so the
// Markdown and HTML reports cannot drift apart in what they say.
import type { ComplianceReport } from '../../projections/compliance-report.ts';
import {
  againstBase,
  approvalsText,
  historyText,
  pct,
  servedText,
  shortId,
  summaryRows,
  verdictText,
} from './format.ts';

/**
 * How the HTML report marks a cell: `mono` an id or hash, `flag` a fact a reviewer must see (red), `ok` a passed
 * check (green), `unflagged` a flag column's cell with nothing raised.
 */
export type Mark = 'mono' | 'flag' | 'ok' | 'unflagged';
export interface Cell {
  readonly text: string;
  readonly mark?: Mark;
}
export interface ReportTable {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly Cell[]>;
}

const plain = (text: string): Cell => ({ text });
const mono = (text: string): Cell => ({ text, mark: 'mono' });
const flagged = (on: boolean, text: string): Cell => (on ? { text, mark: 'flag' } : { text: '-', mark: 'unflagged' });

export function summaryTable(report: ComplianceReport): ReportTable {
  return { headers: ['Record', 'Count'], rows: summaryRows(report).map((row) => row.map(plain)) };
}

export function editsTable(report: ComplianceReport): ReportTable {
  return {
    headers: [
      'Edit',
      'Submitted',
      'Fact',
      'Prompt',
      'Target',
      'Source',
      'Submitter',
      'Reason',
      'Evidence',
      'Status',
      'Approvals',
      'History',
    ],
    rows: report.edits.map((e) => [
      mono(shortId(e.editId)),
      plain(e.submittedAt),
      plain(e.factKey),
      plain(e.prompt),
      plain(e.target),
      plain(`${e.source.system}:${e.source.ref}`),
      plain(e.submittedBy),
      plain(e.reason),
      plain(e.evidenceUrl ?? '-'),
      e.status === 'active' ? plain(e.status) : { text: e.status, mark: 'flag' },
      plain(approvalsText(e)),
      plain(historyText(e)),
    ]),
  };
}

/** Metrics against the base, the envelope verdict and the serving periods; `withShortId` adds an Id column. */
export function versionMetricsTable(report: ComplianceReport, withShortId: boolean): ReportTable {
  const id = withShortId ? ['Id'] : [];
  return {
    headers: [
      'Version',
      ...id,
      'Recorded',
      'Edits',
      'Reliability',
      'Generalization',
      'Locality',
      'Perplexity',
      'Unedited facts',
      'Capability',
      'Envelope',
      'Served',
    ],
    rows: report.versions.map((v) => [
      plain(`#${v.ordinal}`),
      ...(withShortId ? [plain(shortId(v.versionId))] : []),
      plain(v.recordedAt),
      plain(String(v.editCount)),
      plain(againstBase(v.metrics.reliability, v.metrics.reliabilityBase)),
      plain(pct(v.metrics.generalization)),
      plain(pct(v.metrics.locality)),
      plain(againstBase(v.metrics.perplexity, v.metrics.perplexityBase)),
      plain(againstBase(v.metrics.uneditedFactAccuracy, v.metrics.uneditedFactAccuracyBase)),
      plain(pct(v.metrics.capability)),
      { text: verdictText(v), mark: v.verdict !== null && !v.verdict.within ? 'flag' : 'ok' },
      plain(servedText(v)),
    ]),
  };
}

/**
 * What a version was made from. `full` ids (the HTML report, meant to be checked against artifacts) add the version
 * id and list whole edit ids; otherwise edit ids are shortened (the version id is already in the metrics table).
 */
export function versionIdentityTable(report: ComplianceReport, ids: 'full' | 'short'): ReportTable {
  const full = ids === 'full';
  return {
    headers: [
      'Version',
      ...(full ? ['Version id'] : []),
      'Base hash',
      'Policy hash',
      'Policy',
      'Artifact sha256',
      'Edit ids',
    ],
    rows: report.versions.map((v) => [
      plain(`#${v.ordinal}`),
      ...(full ? [mono(v.versionId)] : []),
      mono(v.baseHash),
      mono(v.policyHash),
      plain(
        Object.entries(v.policy)
          .map(([k, x]) => `${k}=${String(x)}`)
          .join(' '),
      ),
      mono(v.artifactSha256),
      mono((full ? v.editIds : v.editIds.map(shortId)).join(' ')),
    ]),
  };
}

export function servingChangesTable(report: ComplianceReport): ReportTable {
  return {
    headers: ['At', 'Position', 'Version', 'From', 'By', 'Reason', 'Decision', 'Rollback', 'Outside envelope'],
    rows: report.servingChanges.map((c) => [
      plain(c.at),
      plain(String(c.position)),
      c.ordinal === null ? mono(shortId(c.versionId)) : plain(`#${c.ordinal} ${shortId(c.versionId)}`),
      c.previousVersionId === null ? plain('-') : mono(shortId(c.previousVersionId)),
      plain(c.changedBy),
      plain(c.reason),
      plain(c.automatic ? 'automatic' : 'human'),
      flagged(c.rollback, 'ROLLBACK'),
      flagged(c.outsideEnvelope, 'OUTSIDE'),
    ]),
  };
}

export function pinReleasesTable(report: ComplianceReport): ReportTable {
  return {
    headers: ['At', 'Position', 'Version', 'By', 'Reason'],
    rows: report.pinReleases.map((r) => [
      plain(r.at),
      plain(String(r.position)),
      mono(shortId(r.versionId)),
      plain(r.by),
      plain(r.reason),
    ]),
  };
}

export function articlesTable(report: ComplianceReport): ReportTable {
  return {
    headers: ['Provision', 'What it asks', 'Where this report shows it'],
    rows: report.articles.map((a) => [a.article, a.asks, a.where].map(plain)),
  };
}
