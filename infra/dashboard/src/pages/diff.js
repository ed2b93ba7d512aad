// @ts-check
// The diff of two versions: edits added and removed going from `from` to `to`, and how every metric moved.
import { html } from 'htm/preact';
import { apiClient } from '../api.js';
import { href, num, short, signedPoints } from '../format.js';
import { DataTable, ErrorNote, Loading, useApi } from '../ui.js';

/** Metrics on [0, 1] read as percentage points; perplexity, loss and counts (edits, epochs) as plain numbers. */
const UNBOUNDED = /^(perplexity|epochs|finalLoss|steps|edits)/;

/** @param {{ from: string, to: string, tick: number }} props */
export function VersionDiff({ from, to, tick }) {
  const { data, error } = useApi(() => apiClient.diff(from, to), `${from}/${to}`, tick);
  if (data === undefined) return error === undefined ? html`<${Loading} />` : html`<${ErrorNote} error=${error} />`;
  return html`<div class="diff" data-testid="diff">
    <p>From <a href=${href(`versions/${data.from}`)}><code>${short(data.from)}</code></a> to <a href=${href(`versions/${data.to}`)}><code>${short(data.to)}</code></a>: <strong>${data.added.length}</strong> added, <strong>${data.removed.length}</strong> removed, ${data.unchanged} unchanged; ${data.sameBase ? 'same base' : 'different base'}, ${data.samePolicy ? 'same policy' : 'different policy'}.</p>
    <${EditList} title="Added" testid="diff-added" edits=${data.added} />
    <${EditList} title="Removed" testid="diff-removed" edits=${data.removed} />
    <h3>Metric changes</h3>
    <${DataTable} label="Metric changes" columns=${['Metric', 'From', 'To', 'Change']}>
      ${data.metrics.map(
        (m) =>
          html`<tr>
            <th scope="row">${m.name}</th>
            <td>${num(m.from)}</td>
            <td>${num(m.to)}</td>
            <td class=${m.delta === undefined || m.delta === 0 ? '' : m.delta > 0 ? 'up' : 'down'}>
              ${UNBOUNDED.test(m.name) ? (m.delta === undefined ? '—' : num(m.delta)) : signedPoints(m.delta)}
            </td>
          </tr>`,
      )}
    </${DataTable}>
  </div>`;
}

/** @param {{ title: string, testid: string, edits: import('../api.js').Diff['added'] }} props */
function EditList({ title, testid, edits }) {
  return html`<h3>${title} (${edits.length})</h3>
    ${
      edits.length === 0
        ? html`<p class="muted">none</p>`
        : html`<ul data-testid=${testid}>
            ${edits.map(
              (e) =>
                html`<li>
                  <a href=${href(`edits/${e.editId}`)}><code>${short(e.editId)}</code></a> <code>${e.factKey}</code>: ${e.prompt} → <strong>${e.target}</strong>
                </li>`,
            )}
          </ul>`
    }`;
}
