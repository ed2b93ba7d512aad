// @ts-check
/* global location -- browser globals (the root ESLint config knows Node's only) */
// One version: what defines it (base, edit set, policy), its artifact hashes, its metrics against the base, its
// edit set, the diff against any other version, and, by role, promote / roll back / verify (jobs followed live).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiClient } from '../api.js';
import { BASE_PAIRS, href, METRICS, num, pct, short, verdictText, when } from '../format.js';
import { DataTable, EditLinkCell, ErrorNote, JobPanel, Loading, ReasonForm, useApi } from '../ui.js';
import { VersionDiff } from './diff.js';

/** @param {import('./overview.js').PageProps} props */
export function VersionPage({ id = '', tick, may, params }) {
  const version = useApi(() => apiClient.version(id), id, tick);
  const all = useApi(() => apiClient.versions(), 'versions', tick);
  const v = version.data;
  if (v === undefined)
    return html`<h1 tabindex="-1">Version</h1>
      ${version.error === undefined ? html`<${Loading} />` : html`<${ErrorNote} error=${version.error} />`}`;
  const compare = params.get('compare') ?? '';
  const others = (all.data?.versions ?? []).filter((o) => o.versionId !== v.versionId);
  return html`<h1 tabindex="-1">Version #${v.ordinal} ${v.serving ? html`<span class="badge badge-active">serving</span>` : null}</h1>
    <${Actions} version=${v} may=${may} />
    <section aria-labelledby="what">
      <h2 id="what">What it is</h2>
      <dl class="facts" data-testid="version-facts">
        <dt>Version id</dt>
        <dd><code>${v.versionId}</code></dd>
        <dt>Edit set</dt>
        <dd>${v.editIds.length} edits at ledger position ${v.position}; hash <code>${v.editSetHash}</code></dd>
        <dt>Training set hash</dt>
        <dd><code>${v.trainingSetHash}</code></dd>
        <dt>Base model</dt>
        <dd>${v.baseModelId}, weights <code>${v.baseHash}</code></dd>
        <dt>Policy</dt>
        <dd>LocFT-BF on layer ${v.policy.layer} ${v.policy.module}, Adam lr ${v.policy.lr}, batch ${v.policy.batchSize}, ≤ ${v.policy.epochs} epochs, seed ${v.policy.seed}; hash <code>${v.policyHash}</code></dd>
        <dt>Artifact sha256</dt>
        <dd><code data-testid="artifact-sha">${v.artifactSha256}</code></dd>
        <dt>Artifact</dt>
        <dd><code>${v.artifactUri}</code> (backend ${v.backend})</dd>
        <dt>Change envelope</dt>
        <dd data-testid="version-verdict">${verdictText(v.verdict)}</dd>
        <dt>Recorded</dt>
        <dd>position ${v.recordedAtPosition}, ${when(v.recordedAt)} by ${v.recordedBy}, trained in ${(v.durationMs / 1000).toFixed(1)} s</dd>
      </dl>
    </section>
    <${Metrics} metrics=${v.metrics} />
    <section aria-labelledby="compare-h">
      <h2 id="compare-h">Diff against another version</h2>
      <label for="compare">Compare with</label>
      <select
        id="compare"
        value=${compare}
        onChange=${(/** @type {Event} */ e) => {
          const other = /** @type {HTMLSelectElement} */ (e.currentTarget).value;
          location.hash = href(`versions/${v.versionId}`, { compare: other });
        }}
      >
        <option value="">choose a version</option>
        ${others.map((o) => html`<option value=${o.versionId}>#${o.ordinal} ${short(o.versionId)}</option>`)}
      </select>
      ${compare === '' ? null : html`<${VersionDiff} from=${compare} to=${v.versionId} tick=${tick} />`}
    </section>
    <${EditSet} position=${v.position} count=${v.editIds.length} tick=${tick} />`;
}

/** @param {{ metrics: Record<string, number> }} props */
function Metrics({ metrics }) {
  const rest = Object.keys(metrics)
    .filter((k) => !k.endsWith('Base') && !METRICS.some(([m]) => m === k) && !BASE_PAIRS.some(([m]) => m === k))
    .sort();
  return html`<section aria-labelledby="metrics-h">
    <h2 id="metrics-h">Metrics against the base</h2>
    <${DataTable} label="Metrics" testid="version-metrics" columns=${['Metric', 'This version', 'Base model']}>
      ${METRICS.map(
        ([key, label]) =>
          html`<tr>
            <th scope="row">${label}</th>
            <td>${pct(metrics[key])}</td>
            <td>
              ${key === 'reliability' ? pct(metrics['reliabilityBase']) : key === 'capability' ? '100% (by definition)' : '—'}
            </td>
          </tr>`,
      )}
      ${BASE_PAIRS.filter(([key]) => key !== 'reliability' && metrics[key] !== undefined).map(
        ([key, label]) =>
          html`<tr>
            <th scope="row">${label}</th>
            <td>${num(metrics[key])}</td>
            <td>${num(metrics[`${key}Base`])}</td>
          </tr>`,
      )}
      ${rest.map(
        (key) =>
          html`<tr>
            <th scope="row">${key}</th>
            <td>${num(metrics[key])}</td>
            <td>—</td>
          </tr>`,
      )}
    </${DataTable}>
  </section>`;
}

/** What the token's role may do with this version; the API checks the same table. */
/** @param {{ version: import('../api.js').Version, may: Set<string> }} props */
function Actions({ version, may }) {
  const [job, setJob] = useState(/** @type {import('../api.js').Job | undefined} */ (undefined));
  const [note, setNote] = useState('');
  if (!may.has('serve') && !may.has('materialize')) return null;
  const ref = version.versionId;
  return html`<section class="actions" aria-labelledby="actions-h">
    <h2 id="actions-h">Actions</h2>
    ${
      may.has('serve') && !version.serving
        ? html`<${ReasonForm}
              id="promote"
              label=${`Serve version #${version.ordinal}`}
              action="Promote"
              onSubmit=${async (/** @type {string} */ reason) => {
                await apiClient.promote(ref, reason);
                setNote(`Version #${version.ordinal} is now served.`);
              }}
            />
            <${ReasonForm}
              id="rollback"
              label=${`Roll back to version #${version.ordinal}`}
              action="Roll back"
              danger=${true}
              onSubmit=${async (/** @type {string} */ reason) => setJob(await apiClient.rollback(ref, reason))}
            />`
        : null
    }
    ${
      may.has('materialize')
        ? html`<div class="action">
            <p class="action-title">Rebuild from the ledger and compare bit for bit</p>
            <button type="button" onClick=${async () => setJob(await apiClient.verify(ref))}>Verify</button>
          </div>`
        : null
    }
    ${note === '' ? null : html`<p class="ok" role="status">${note}</p>`}
    ${job === undefined ? null : html`<${JobPanel} key=${job.id} job=${job} />`}
  </section>`;
}

/** @param {{ position: number, count: number, tick: number }} props */
function EditSet({ position, count, tick }) {
  const limit = 200;
  const { data, error } = useApi(() => apiClient.editSet(position, limit), String(position), tick);
  return html`<section aria-labelledby="editset-h">
    <h2 id="editset-h">Edit set (${count})</h2>
    <${ErrorNote} error=${error} />
    ${
      data === undefined
        ? error === undefined && html`<${Loading} />`
        : html`<${DataTable} label="Edit set" testid="edit-set" columns=${['Edit', 'Fact key', 'Correction']}>
              ${data.edits.map(
                (e) =>
                  html`<tr>
                    <${EditLinkCell} editId=${e.editId} />
                    <td><code>${e.factKey}</code></td>
                    <td>${e.prompt} → <strong>${e.target}</strong></td>
                  </tr>`,
              )}
            </${DataTable}>
            ${data.total > data.edits.length ? html`<p class="muted">The first ${data.edits.length} of ${data.total} shown.</p>` : null}`
    }
  </section>`;
}
