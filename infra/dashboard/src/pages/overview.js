// @ts-check
// Overview: the ledger head, the serving version, the trainer and its lag, ingestion counters, and the verification
// badge (the audit route of the tamper-evidence work, when this server has it).
import { html } from 'htm/preact';
import { apiClient } from '../api.js';
import { href, short, when } from '../format.js';
import { ErrorNote, useApi } from '../ui.js';

/**
 * What every page gets from the shell.
 * @typedef {{
 *   status: import('../api.js').Status,
 *   may: Set<string>,
 *   tick: number,
 *   routes: Set<string>,
 *   id: string | undefined,
 *   params: URLSearchParams,
 * }} PageProps
 */

export const AUDIT_VERIFY_ROUTE = '/v1/audit/verify';

/** @param {PageProps} props */
export function OverviewPage({ status, tick, routes }) {
  const versions = useApi(() => apiClient.versions(), 'versions', tick);
  const serving =
    status.serving === null
      ? undefined
      : versions.data?.versions.find((v) => v.versionId === status.serving?.versionId);
  const lastChange = versions.data?.servingHistory.at(-1);
  // What was trained, whoever trained it: the lag above counts only from this server's own trainer cursor.
  const newest = versions.data?.versions.at(-1);
  return html`<h1 tabindex="-1">Overview</h1>
    <div class="cards">
      <section class="card" aria-labelledby="card-ledger">
        <h2 id="card-ledger">Ledger</h2>
        <dl>
          <dt>Head position</dt>
          <dd data-testid="head">${status.head}</dd>
          <dt>Model versions</dt>
          <dd>${status.versions}</dd>
        </dl>
        <p><a href="#/log">Browse the log</a></p>
      </section>
      <section class="card" aria-labelledby="card-serving">
        <h2 id="card-serving">Serving</h2>
        ${
          status.serving === null
            ? html`<p>No version is served yet.</p>`
            : html`<dl>
                <dt>Version</dt>
                <dd data-testid="serving-version">
                  <a href=${href(`versions/${status.serving.versionId}`)}>#${status.serving.ordinal}</a> <code>${short(status.serving.versionId)}</code>
                </dd>
                <dt>Edits</dt>
                <dd>${serving?.editIds.length ?? '…'}</dd>
                ${
                  lastChange === undefined
                    ? null
                    : html`<dt>Since</dt>
                        <dd>${when(lastChange.recordedAt)} by ${lastChange.changedBy}: “${lastChange.reason}”</dd>`
                }
              </dl>`
        }
      </section>
      <section class="card" aria-labelledby="card-trainer">
        <h2 id="card-trainer">Trainer</h2>
        <dl>
          <dt>State</dt>
          <dd>${status.trainer.running ? 'running' : 'not running in this server'}</dd>
          <dt>Cursor</dt>
          <dd>position ${status.trainer.cursor}</dd>
          <dt>Lag</dt>
          <dd data-testid="trainer-lag">
            ${status.trainer.pendingEdits} edit event(s) in no version yet
          </dd>
          <dt>Newest version</dt>
          <dd data-testid="newest-version">${newest === undefined ? (versions.data === undefined ? '…' : 'none yet') : `#${newest.ordinal}, edit set at position ${newest.position}`}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="card-ingestion">
        <h2 id="card-ingestion">Ingestion (since start)</h2>
        <dl>
          <dt>Accepted</dt>
          <dd>${status.ingestion.accepted}</dd>
          <dt>Duplicates</dt>
          <dd>${status.ingestion.duplicates}</dd>
          <dt>Rejected</dt>
          <dd>${status.ingestion.rejected}</dd>
          <dt>Dead letters dropped</dt>
          <dd>${status.ingestion.deadLettersDropped}</dd>
        </dl>
      </section>
      <${VerificationBadge} available=${routes.has(AUDIT_VERIFY_ROUTE)} tick=${tick} />
    </div>
    <${ErrorNote} error=${versions.error} />`;
}

/**
 * What GET /v1/audit/verify answers (the audit report of `editledger audit verify`), the part the badge shows.
 * @typedef {{ ok: boolean, chain: { verified: number }, signaturesChecked: boolean, checkedAt: string,
 *   firstProblem?: { position: number, what: string } }} AuditVerify
 */

/** @param {{ available: boolean, tick: number }} props */
function VerificationBadge({ available, tick }) {
  const result = useApi(
    async () => (available ? apiClient.get(AUDIT_VERIFY_ROUTE) : undefined),
    String(available),
    tick,
  );
  const report = /** @type {Partial<AuditVerify>} */ (result.data ?? {});
  return html`<section class="card" aria-labelledby="card-verify">
    <h2 id="card-verify">Verification</h2>
    ${
      !available
        ? html`<p data-testid="verify-badge" class="badge badge-unknown">not available</p>
            <p class="muted">This server has no ${AUDIT_VERIFY_ROUTE} route (chain and signature checks); use <code>npx editledger audit verify</code>.</p>`
        : result.data === undefined
          ? html`<p role="status">Checking…</p>`
          : html`<p data-testid="verify-badge" class=${`badge ${report.ok === true ? 'badge-active' : 'badge-retracted'}`}>${report.ok === true ? 'chain verified' : 'verification FAILED'}</p>
            <p class="muted" data-testid="verify-detail">${report.chain?.verified ?? '?'} events chained${report.signaturesChecked ? ', signatures checked' : ', signatures not checked (no public key)'}${report.checkedAt === undefined ? '' : `; checked ${when(report.checkedAt)}`}</p>
            ${report.firstProblem === undefined ? null : html`<p class="error">position ${report.firstProblem.position}: ${report.firstProblem.what}</p>`}`
    }
    <${ErrorNote} error=${result.error} />
  </section>`;
}
