// @ts-check
/* global location -- browser globals (the root ESLint config knows Node's only) */
// Log: the events by ledger position, a page at a time, filtered by type; each row opens to its data and metadata.
// Erased personal data (the governance work) is stored as the marker "[erased]" and shows as such, data unchanged.
import { html } from 'htm/preact';
import { apiClient } from '../api.js';
import { href, short, when } from '../format.js';
import { DataTable, ErrorNote, Loading, useApi } from '../ui.js';

export const EVENT_TYPES = [
  'EditSubmitted',
  'EditRetracted',
  'EditSuperseded',
  'EditReinstated',
  'BaseModelRegistered',
  'TrainingPolicyRegistered',
  'ModelVersionMaterialized',
  'ServingVersionChanged',
  'EditApproved',
  'EditRejected',
  'ServingPinReleased',
  'DataSubjectErased',
  'AuditCheckpointSigned',
];
const PAGE_SIZE = 25;

/** One line about an event's data, for the table. @param {string} type @param {unknown} data */
function summary(type, data) {
  const d = /** @type {Record<string, unknown>} */ (data ?? {});
  const text = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  switch (type) {
    case 'EditSubmitted':
      return `${text(d['factKey'])}: ${text(d['prompt'])} → ${text(d['target'])}`;
    case 'EditRetracted':
    case 'EditReinstated':
      return `${short(text(d['editId']))}: ${text(d['reason'])}`;
    case 'EditSuperseded':
      return `${short(text(d['oldEditId']))} by ${short(text(d['newEditId']))}`;
    case 'ModelVersionMaterialized':
      return `${short(text(d['versionId']))}: ${Array.isArray(d['editIds']) ? d['editIds'].length : '?'} edits at position ${text(d['position'])}`;
    case 'DataSubjectErased':
      // Counts only: the event names the subject by a pseudonymous key id, and that is all it should show.
      return `${Array.isArray(d['erasedEditIds']) ? d['erasedEditIds'].length : '?'} edit(s) erased, ${Array.isArray(d['retiredVersionIds']) ? d['retiredVersionIds'].length : '?'} version(s) retired: ${text(d['reason'])}`;
    case 'ServingVersionChanged':
      return `${short(text(d['versionId']))} (was ${d['previousVersionId'] === null ? 'nothing' : short(text(d['previousVersionId']))}): ${text(d['reason'])}`;
    default:
      return text(d['name'] ?? d['baseModelId'] ?? '');
  }
}

/** @param {import('./overview.js').PageProps} props */
export function LogPage({ params, tick }) {
  const after = Number(params.get('after') ?? 0) || 0;
  const type = params.get('type') ?? '';
  const { data, error } = useApi(
    () => apiClient.events({ after, limit: PAGE_SIZE, ...(type !== '' && { type }) }),
    `${after}/${type}`,
    tick,
  );
  const go = (/** @type {Record<string, string | number | undefined>} */ next) => {
    location.hash = href('log', { after, type, ...next });
  };
  return html`<h1 tabindex="-1">Log</h1>
    <div class="toolbar">
      <label for="log-type">Event type</label>
      <select
        id="log-type"
        value=${type}
        onChange=${(/** @type {Event} */ e) =>
          go({ type: /** @type {HTMLSelectElement} */ (e.currentTarget).value, after: 0 })}
      >
        <option value="">all types</option>
        ${EVENT_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
      </select>
      <nav aria-label="Log pages" class="pager">
        <button type="button" disabled=${after === 0} onClick=${() => go({ after: 0 })}>First</button>
        <button type="button" disabled=${after === 0} onClick=${() => go({ after: Math.max(0, after - PAGE_SIZE) })}>
          Previous
        </button>
        <button type="button" disabled=${data?.nextAfter === undefined} onClick=${() => go({ after: data?.nextAfter })}>
          Next
        </button>
        <button
          type="button"
          disabled=${data === undefined}
          onClick=${() => go({ after: Math.max(0, (data?.head ?? 0) - PAGE_SIZE) })}
        >
          Latest
        </button>
      </nav>
    </div>
    <${ErrorNote} error=${error} />
    ${
      data === undefined
        ? error === undefined && html`<${Loading} />`
        : html`<p role="status" class="muted" data-testid="log-range">
              ${
                data.events.length === 0
                  ? `No events after position ${after}.`
                  : `Positions ${data.events[0]?.position}–${data.events.at(-1)?.position} of ${data.head}`
              }${type === '' ? '' : `, type ${type}`}
            </p>
            <${DataTable} label="Events" testid="log-table" columns=${['Position', 'Type', 'When', 'Actor', 'What']}>
                                ${data.events.map(
                                  (e) =>
                                    html`<tr data-type=${e.type}>
                                      <th scope="row">${e.position}</th>
                                      <td>${e.type}</td>
                                      <td>
                                        ${when(typeof e.metadata['recordedAt'] === 'string' ? e.metadata['recordedAt'] : e.storedAt)}
                                      </td>
                                      <td>${typeof e.metadata['actor'] === 'string' ? e.metadata['actor'] : ''}</td>
                                      <td>
                                        <details>
                                          <summary>${summary(e.type, e.data)}</summary>
                                          <pre>
              ${JSON.stringify({ stream: e.stream, revision: e.revision, id: e.id, data: e.data, metadata: e.metadata }, null, 2)}</pre>
                                        </details>
                                      </td>
                                    </tr>`,
                                )}
            </${DataTable}>`
    }`;
}
