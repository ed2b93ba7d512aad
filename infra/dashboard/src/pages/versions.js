// @ts-check
// Versions: the timeline of materialized versions with their metrics (chart and table) and the periods each served.
import { html } from 'htm/preact';
import { apiClient } from '../api.js';
import { MetricsChart } from '../chart.js';
import { href, METRICS, pct, short, verdictText, when } from '../format.js';
import { DataTable, ErrorNote, Loading, useApi } from '../ui.js';

/** @param {import('./overview.js').PageProps} props */
export function VersionsPage({ tick }) {
  const { data, error } = useApi(() => apiClient.versions(), 'versions', tick);
  return html`<h1 tabindex="-1">Versions</h1>
    <${ErrorNote} error=${error} />
    ${
      data === undefined
        ? error === undefined && html`<${Loading} />`
        : data.versions.length === 0
          ? html`<p>No version has been materialized yet.</p>`
          : html`<${MetricsChart} versions=${data.versions} />
              <h2>Timeline</h2>
              ${data.pinned ? html`<p class="notice" role="note">The serving version is pinned by a human decision: the trainer does not move it (<code>npx editledger unpin</code> releases it).</p>` : null}
              <${DataTable}
                label="Versions table"
                testid="versions-table"
                columns=${['#', 'Version', 'Position', 'Edits', ...METRICS.map(([, label]) => label), 'Envelope', 'Built']}
              >
                ${[...data.versions].reverse().map(
                  (v) =>
                    html`<tr class=${v.serving ? 'serving-row' : ''}>
                      <th scope="row">
                        <a href=${href(`versions/${v.versionId}`)}>#${v.ordinal}</a>
                        ${v.serving ? html` <span class="badge badge-active">serving</span>` : null}
                      </th>
                      <td><code>${short(v.versionId)}</code></td>
                      <td>${v.position}</td>
                      <td>${v.editIds.length}</td>
                      ${METRICS.map(([key]) => html`<td>${pct(v.metrics[key])}</td>`)}
                      <td>${verdictText(v.verdict)}</td>
                      <td>${when(v.recordedAt)}</td>
                    </tr>`,
                )}
              </${DataTable}>
              <${ServingPeriods} versions=${data} />`
    }`;
}

/** Who served when: each serving change opens a period that the next one closes. */
/** @param {{ versions: import('../api.js').Versions }} props */
function ServingPeriods({ versions }) {
  const ordinal = new Map(versions.versions.map((v) => [v.versionId, v.ordinal]));
  const history = versions.servingHistory;
  return html`<h2>Serving periods</h2>
    ${
      history.length === 0
        ? html`<p>Nothing has been served yet.</p>`
        : html`<${DataTable} label="Serving periods" testid="serving-periods" columns=${['Version', 'From position', 'Until', 'Changed by', 'Reason']}>
              ${[...history].reverse().map((change) => {
                const next = history[history.indexOf(change) + 1];
                return html`<tr>
                  <th scope="row">
                    <a href=${href(`versions/${change.versionId}`)}>#${ordinal.get(change.versionId) ?? '?'}</a>
                  </th>
                  <td>${change.position} <span class="muted">(${when(change.recordedAt)})</span></td>
                  <td>${next === undefined ? html`<strong>now</strong>` : `position ${next.position}`}</td>
                  <td>${change.changedBy}</td>
                  <td>${change.reason}</td>
                </tr>`;
              })}
            </${DataTable}>`
    }`;
}
