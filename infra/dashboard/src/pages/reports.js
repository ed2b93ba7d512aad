// @ts-check
/* global fetch, document -- browser globals (the root ESLint config knows Node's only) */
// Reports: generate and download the compliance report for a period (GET /v1/reports?from=&to=&format=, the
// governance work), when this server has that route. Without it the page says so rather than offer a dead button.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { storedToken } from '../api.js';
import { ErrorNote } from '../ui.js';

export const REPORTS_ROUTE = '/v1/reports';
const FORMATS = /** @type {const} */ (['html', 'json', 'md']);

/** @param {import('./overview.js').PageProps} props */
export function ReportsPage({ routes, may }) {
  return html`<h1 tabindex="-1">Reports</h1>
    ${
      !routes.has(REPORTS_ROUTE)
        ? html`<p class="notice" role="note" data-testid="reports-unavailable">
            Compliance reports are not available on this server yet: it has no <code>${REPORTS_ROUTE}</code> route (the governance and report work). Until then the same facts are in the Log, Versions and Edits pages and in <code>npx editledger log --json</code>.
          </p>`
        : may.has('report')
          ? html`<${ReportForm} />`
          : html`<p class="notice" role="note">Your role may not generate reports.</p>`
    }`;
}

function ReportForm() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [format, setFormat] = useState(/** @type {(typeof FORMATS)[number]} */ ('html'));
  const [error, setError] = useState(/** @type {Error | undefined} */ (undefined));
  const [done, setDone] = useState('');
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    setError(undefined);
    try {
      // A download needs the bytes with the bearer token: fetch them, then hand the browser a blob URL.
      const query = new URLSearchParams({ format, ...(from !== '' && { from }), ...(to !== '' && { to }) });
      const response = await fetch(`${REPORTS_ROUTE}?${query}`, {
        headers: { authorization: `Bearer ${storedToken()}` },
      });
      if (!response.ok) throw new Error(`the report was refused (HTTP ${response.status})`);
      const blob = await response.blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `editledger-report.${format}`;
      link.click();
      URL.revokeObjectURL(link.href);
      setDone(`Downloaded editledger-report.${format} (${blob.size} bytes).`);
    } catch (e) {
      setError(/** @type {Error} */ (e));
    }
  };
  /** @param {(v: string) => void} set */
  const onInput = (set) => (/** @type {InputEvent} */ e) =>
    set(/** @type {HTMLInputElement} */ (e.currentTarget).value);
  return html`<form class="search" onSubmit=${submit}>
      <div>
        <label for="report-from">From</label
        ><input id="report-from" type="date" value=${from} onInput=${onInput(setFrom)} />
      </div>
      <div>
        <label for="report-to">To</label><input id="report-to" type="date" value=${to} onInput=${onInput(setTo)} />
      </div>
      <div>
        <label for="report-format">Format</label>
        <select
          id="report-format"
          value=${format}
          onChange=${onInput((v) => setFormat(/** @type {(typeof FORMATS)[number]} */ (v)))}
        >
          ${FORMATS.map((f) => html`<option value=${f}>${f}</option>`)}
        </select>
      </div>
      <div><button type="submit">Generate and download</button></div>
    </form>
    ${done === '' ? null : html`<p class="ok" role="status">${done}</p>`}
    <${ErrorNote} error=${error} />`;
}
