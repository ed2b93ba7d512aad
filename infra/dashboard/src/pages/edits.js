// @ts-check
/* global location -- browser globals (the root ESLint config knows Node's only) */
// Edits: search by fact key, subject or text, upstream system and ref, filtered by status; and one edit with its
// history (and, for roles that may, retract or reinstate it with a reason).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { apiClient } from '../api.js';
import { href, short, when } from '../format.js';
import { DataTable, EditLinkCell, ErrorNote, Loading, ReasonForm, StatusBadge, useApi } from '../ui.js';

const FIELDS = /** @type {const} */ (['q', 'system', 'ref', 'status']);
/** What erased personal data reads as (domain/personal-data.ts ERASED). */
const ERASED = '[erased]';

/** @param {import('./overview.js').PageProps} props */
export function EditsPage({ params, tick }) {
  const current = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? '']));
  const [form, setForm] = useState(current);
  const key = JSON.stringify(current);
  // A link or the back button changed the query: the form shows it.
  useEffect(() => setForm(current), [key]);
  const { data, error } = useApi(
    () =>
      apiClient.search({
        q: current['q'],
        system: current['system'],
        ref: current['ref'],
        status: current['status'],
        limit: 100,
      }),
    key,
    tick,
  );
  /** @param {SubmitEvent} event */
  const submit = (event) => {
    event.preventDefault();
    location.hash = href('edits', form);
  };
  /** @param {string} field */
  const bind = (field) => ({
    id: `search-${field}`,
    name: field,
    value: form[field],
    onInput: (/** @type {InputEvent} */ e) =>
      setForm({ ...form, [field]: /** @type {HTMLInputElement} */ (e.currentTarget).value }),
  });
  return html`<h1 tabindex="-1">Edits</h1>
    <form class="search" role="search" onSubmit=${submit}>
      <div><label for="search-q">Fact key, subject or text</label><input type="search" ...${bind('q')} /></div>
      <div><label for="search-system">Source system</label><input ...${bind('system')} /></div>
      <div><label for="search-ref">Source ref</label><input ...${bind('ref')} /></div>
      <div>
        <label for="search-status">Status</label>
        <select ...${bind('status')} onChange=${bind('status').onInput}>
          <option value="">any</option>
          <option value="active">active</option>
          <option value="retracted">retracted</option>
          <option value="superseded">superseded</option>
          <option value="pending">pending approval</option>
          <option value="rejected">rejected</option>
          <option value="erased">erased</option>
        </select>
      </div>
      <div><button type="submit">Search</button></div>
    </form>
    <${ErrorNote} error=${error} />
    ${
      data === undefined
        ? error === undefined && html`<${Loading} />`
        : html`<p role="status" data-testid="search-count">
              ${data.total} edit(s) found${data.total > data.edits.length ? `, the newest ${data.edits.length} shown` : ''}.
            </p>
            <${DataTable} label="Search results" testid="search-results" columns=${['Edit', 'Fact key', 'Correction', 'Status', 'Source', 'Position']}>
              ${data.edits.map(
                (e) =>
                  html`<tr>
                    <${EditLinkCell} editId=${e.editId} />
                    <td>
                      <code>${e.factKey}</code
                      >${e.subject ? html`<br /><span class="muted">${e.subject}</span>` : null}
                    </td>
                    <td>${e.prompt} → <strong>${e.target}</strong></td>
                    <td><${StatusBadge} status=${e.status} /></td>
                    <td>${e.source.system} / ${e.source.ref}</td>
                    <td>${e.submittedAt}</td>
                  </tr>`,
              )}
            </${DataTable}>`
    }`;
}

/** @param {import('./overview.js').PageProps} props */
export function EditPage({ id = '', tick, may }) {
  const { data, error } = useApi(() => apiClient.edit(id), id, tick);
  if (data === undefined)
    return html`<h1 tabindex="-1">Edit</h1>
      ${error === undefined ? html`<${Loading} />` : html`<${ErrorNote} error=${error} />`}`;
  const s = data.submitted;
  const action = data.status === 'active' ? 'retract' : 'reinstate';
  // Erased content (the data subject's key is destroyed) reads as the marker; such an edit can never come back.
  const erased = s.prompt === ERASED && s.target === ERASED;
  return html`<h1 tabindex="-1">Edit <code>${short(data.editId)}</code> <${StatusBadge} status=${data.status} /></h1>
    <dl class="facts" data-testid="edit-facts">
      <dt>Fact key</dt>
      <dd><code>${data.factKey}</code></dd>
      ${
        s.subject === undefined
          ? null
          : html`<dt>Subject</dt>
              <dd>${s.subject}</dd>`
      }
      <dt>Correction</dt>
      <dd>${s.prompt} → <strong>${s.target}</strong></dd>
      <dt>Source</dt>
      <dd>${s.source.system} / ${s.source.ref}</dd>
      <dt>Submitted by</dt>
      <dd>${s.submittedBy} at position ${data.submittedAt}: “${s.reason}”</dd>
      ${
        s.evidenceUrl === undefined
          ? null
          : html`<dt>Evidence</dt>
              <dd><a href=${s.evidenceUrl} rel="noreferrer">${s.evidenceUrl}</a></dd>`
      }
      <dt>Paraphrases</dt>
      <dd>${s.rephrase.length === 0 ? '—' : s.rephrase.join(' · ')}</dd>
      <dt>Locality probes</dt>
      <dd>${s.locality.length === 0 ? '—' : s.locality.map((l) => l.prompt).join(' · ')}</dd>
      ${
        data.supersededBy === undefined
          ? null
          : html`<dt>Superseded by</dt>
              <dd>
                <a href=${href(`edits/${data.supersededBy}`)}><code>${short(data.supersededBy)}</code></a>
              </dd>`
      }
      <dt>Review</dt>
      <dd data-testid="edit-review">${data.review === undefined ? 'none recorded (needed only where governance requires approval)' : `${data.review.decision} by ${data.review.by} at position ${data.review.position}: “${data.review.reason}”`}</dd>
      <dt>Model versions trained with it</dt>
      <dd>
        ${data.modelVersions.length === 0 ? 'none yet' : data.modelVersions.map((v) => html`<a href=${href(`versions/${v}`)}><code>${short(v)}</code></a> `)}
      </dd>
    </dl>
    ${erased ? html`<p class="notice" role="note" data-testid="edit-erased">This edit's content was erased with its data subject's key: it reads ${ERASED} and can never be reinstated.</p>` : null}
    ${
      may.has('retract') && !erased
        ? html`<${ReasonForm}
            key=${action}
            id=${action}
            label=${action === 'retract' ? 'Retract this edit' : 'Make this edit active again'}
            action=${action === 'retract' ? 'Retract' : 'Reinstate'}
            danger=${action === 'retract'}
            onSubmit=${async (/** @type {string} */ reason) => {
              await apiClient.decide(data.editId, action, reason);
            }}
          />`
        : null
    }
    ${may.has('approve') && data.review === undefined && data.status === 'active' ? html`<${ReviewForms} editId=${data.editId} />` : null}
    <h2>History</h2>
    <${DataTable} label="History" testid="edit-history" columns=${['Position', 'Event', 'When', 'Actor', 'What']}>
      ${data.history.map(
        (h) =>
          html`<tr>
            <th scope="row"><a href=${href('log', { after: h.position - 1 })}>${h.position}</a></th>
            <td>${h.type}</td>
            <td>${when(h.at)}</td>
            <td>${h.actor}</td>
            <td>${h.summary}</td>
          </tr>`,
      )}
    </${DataTable}>`;
}

/** Four-eyes review (governance requireApproval): an approver approves or rejects a submitted edit, with a reason. */
/** @param {{ editId: string }} props */
function ReviewForms({ editId }) {
  return html`<div class="actions">
    <h2>Review</h2>
    <${ReasonForm} id="approve" label="Approve this edit for training" action="Approve" onSubmit=${async (
      /** @type {string} */ reason,
    ) => {
      await apiClient.decide(editId, 'approve', reason);
    }} />
    <${ReasonForm} id="reject" label="Reject this edit (it is never trained)" action="Reject" danger=${true} onSubmit=${async (
      /** @type {string} */ reason,
    ) => {
      await apiClient.decide(editId, 'reject', reason);
    }} />
  </div>`;
}
