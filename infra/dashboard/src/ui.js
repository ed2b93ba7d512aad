// @ts-check
/* global AbortController -- browser globals (the root ESLint config knows Node's only) */
// Pieces every page uses: loading data (again on every live ledger event), error notes, the reason form that every
// write asks for, and a job followed live over its Server-Sent Events.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, readEvents } from './api.js';
import { href, short } from './format.js';

/**
 * Load with `loader` for the query named `key`, again on every live `tick` (a new ledger event). A tick keeps the
 * previous data on screen while reloading (no blank page on a live update); a new key never shows another query's.
 * @template T
 * @param {() => Promise<T>} loader
 * @param {string} key
 * @param {number} tick
 * @returns {{ data: T | undefined, error: Error | undefined }}
 */
export function useApi(loader, key, tick) {
  const [state, setState] = useState(
    /** @type {{ key: string | undefined, data: T | undefined, error: Error | undefined }} */ ({
      key: undefined,
      data: undefined,
      error: undefined,
    }),
  );
  useEffect(() => {
    let current = true;
    loader().then(
      (data) => current && setState({ key, data, error: undefined }),
      (/** @type {unknown} */ error) =>
        current &&
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: /** @type {Error} */ (error) })),
    );
    return () => {
      current = false;
    };
  }, [key, tick]);
  return state.key === key ? state : { data: undefined, error: undefined };
}

/** @param {{ error: Error | undefined }} props */
export function ErrorNote({ error }) {
  if (error === undefined) return null;
  const status = error instanceof ApiError ? ` (HTTP ${error.status}, ${error.code})` : '';
  return html`<p class="error" role="alert">${error.message}${status}</p>`;
}

export function Loading() {
  return html`<p class="muted" role="status">Loading…</p>`;
}

/** @param {{ status: string }} props */
export function StatusBadge({ status }) {
  return html`<span class=${`badge badge-${status}`}>${status}</span>`;
}

/**
 * A data table as every page shows one: scrollable on its own (focusable, a labelled region) with a header row of
 * column names; the rows are the children.
 * @param {{ label: string, testid?: string, columns: readonly string[], children?: import('preact').ComponentChildren }} props
 */
export function DataTable({ label, testid, columns, children }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>
    <table data-testid=${testid}>
      <thead>
        <tr>
          ${columns.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${children}
      </tbody>
    </table>
  </div>`;
}

/** A row's header cell naming an edit: its short id, linking to its page. @param {{ editId: string }} props */
export function EditLinkCell({ editId }) {
  return html`<th scope="row">
    <a href=${href(`edits/${editId}`)}><code>${short(editId)}</code></a>
  </th>`;
}

/**
 * A write with its reason: the ledger records why every decision was made.
 * @param {{ id: string, label: string, action: string, onSubmit: (reason: string) => Promise<void>, danger?: boolean }} props
 */
export function ReasonForm({ id, label, action, onSubmit, danger = false }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(/** @type {Error | undefined} */ (undefined));
  const [busy, setBusy] = useState(false);
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setError(new Error('reason: say why (it is recorded in the ledger)'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(reason.trim());
      setReason('');
    } catch (e) {
      setError(/** @type {Error} */ (e));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="action" onSubmit=${submit} aria-labelledby=${`${id}-legend`}>
    <p id=${`${id}-legend`} class="action-title">${label}</p>
    <label for=${`${id}-reason`}>Reason</label>
    <input
      id=${`${id}-reason`}
      name="reason"
      value=${reason}
      required
      maxlength="2000"
      onInput=${(/** @type {InputEvent} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    />
    <button type="submit" class=${danger ? 'danger' : ''} disabled=${busy}>${action}</button>
    <${ErrorNote} error=${error} />
  </form>`;
}

/** @typedef {import('./api.js').Job} Job */

/**
 * A job's progress, live: its SSE stream sends the job on every change until it finishes.
 * @param {{ job: Job, onDone?: (job: Job) => void }} props
 */
export function JobPanel({ job, onDone }) {
  const [current, setCurrent] = useState(job);
  const [error, setError] = useState(/** @type {Error | undefined} */ (undefined));
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const controller = new AbortController();
    /** @type {Job | undefined} */
    let last;
    // Once the job has finished the server ends the stream itself: leaving the page then aborts nothing.
    let finished = false;
    readEvents(
      `/v1/jobs/${job.id}/events`,
      (_event, data) => {
        last = /** @type {Job} */ (data);
        finished = last.state === 'succeeded' || last.state === 'failed';
        setCurrent(last);
      },
      controller.signal,
    ).then(
      () => last !== undefined && done.current?.(last),
      (/** @type {unknown} */ e) => {
        if (!controller.signal.aborted) setError(/** @type {Error} */ (e));
      },
    );
    return () => {
      if (!finished) controller.abort();
    };
  }, [job.id]);
  const p = current.progress;
  const finished = current.state === 'succeeded' || current.state === 'failed';
  return html`<div class="job" role="status" aria-live="polite" data-job-state=${current.state}>
    <p>
      <strong>${current.kind}</strong> job: <span class=${`badge badge-${current.state}`}>${current.state}</span>
      ${p !== undefined && !finished ? ` — ${p.phase}` : ''}
      ${p?.loss !== undefined && !finished ? `, loss ${p.loss.toFixed(4)}` : ''}
    </p>
    ${
      p?.epoch !== undefined && p.epochs !== undefined && !finished
        ? html`<progress max=${p.epochs} value=${p.epoch} aria-label="epochs done">${p.epoch}/${p.epochs}</progress>`
        : null
    }
    ${current.state === 'succeeded' ? html`<${JobResult} job=${current} />` : null}
    ${current.error !== undefined ? html`<p class="error">${current.error.code}: ${current.error.detail}</p>` : null}
    <${ErrorNote} error=${error} />
  </div>`;
}

/** @param {{ job: Job }} props */
function JobResult({ job }) {
  const result = /** @type {Record<string, unknown>} */ (job.result ?? {});
  if (job.kind === 'verify')
    return html`<p class=${result['identical'] === true ? 'ok' : 'error'}>
      ${result['identical'] === true ? 'Bit-identical rebuild' : 'The rebuild DIFFERS from the recorded artifact'}
    </p>`;
  if (job.kind === 'rollback')
    return html`<p class="ok">
      Now serving version #${typeof result['ordinal'] === 'number' ? result['ordinal'] : '?'}
    </p>`;
  return html`<p class="ok">Done</p>`;
}
