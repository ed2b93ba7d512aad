// @ts-check
/* global sessionStorage, fetch -- browser globals (the root ESLint config knows Node's only) */
// The dashboard's API client: every call sends the API token (kept in sessionStorage: gone when the tab closes) as a
// bearer token, and an error answer (RFC 9457 problem details) becomes an ApiError naming its status and code.
// Response types come from the server's own zod schemas (type-only imports: nothing of the server is bundled).

/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').StatusSchema>} Status */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').VersionSchema>} Version */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').VersionsSchema>} Versions */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').DiffSchema>} Diff */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').JobSchema>} Job */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').EventsPageSchema>} EventsPage */
/** @typedef {import('zod').infer<typeof import('../../http/api-schemas.ts').EditSetPageSchema>} EditSetPage */
/** @typedef {{ head: number, total: number, edits: import('../../../projections/edit-search.ts').EditSummary[] }} SearchResult */
/** @typedef {import('../../../projections/edit-history.ts').EditDetails} EditDetails */
/** @typedef {{ status: number, code: string, title: string, detail?: string, field?: string }} Problem */

const TOKEN_KEY = 'editledger.token';

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** @param {string} token */
export function storeToken(token) {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export class ApiError extends Error {
  /** @param {number} status @param {Partial<Problem>} problem */
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? 'http_error';
    this.field = problem.field;
  }
}

/** @param {string} method @param {string} path @param {unknown} [body] @returns {Promise<unknown>} */
async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', authorization: `Bearer ${storedToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  /** @type {unknown} */
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, /** @type {Partial<Problem>} */ (parsed ?? {}));
  return parsed;
}

/** A version reference as a path segment: '#2' must travel as %232. @param {string} ref */
const ref = (ref) => encodeURIComponent(ref);

/** @param {Record<string, string | number | undefined>} params */
function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`;
}

export const apiClient = {
  status: async () => /** @type {Status} */ (await request('GET', '/v1/status')),
  versions: async () => /** @type {Versions} */ (await request('GET', '/v1/versions')),
  /** @param {string} id */
  version: async (id) => /** @type {Version} */ (await request('GET', `/v1/versions/${ref(id)}`)),
  /** @param {string} from @param {string} to */
  diff: async (from, to) => /** @type {Diff} */ (await request('GET', `/v1/versions/${ref(from)}/diff/${ref(to)}`)),
  /** @param {number} at @param {number} limit */
  editSet: async (at, limit) => /** @type {EditSetPage} */ (await request('GET', `/v1/edits${query({ at, limit })}`)),
  /** @param {string} id */
  edit: async (id) => /** @type {EditDetails} */ (await request('GET', `/v1/edits/${encodeURIComponent(id)}`)),
  /** @param {{ q?: string, status?: string, system?: string, ref?: string, limit?: number }} params */
  search: async (params) => /** @type {SearchResult} */ (await request('GET', `/v1/edits/search${query(params)}`)),
  /** @param {{ after?: number, limit?: number, type?: string }} params */
  events: async (params) => /** @type {EventsPage} */ (await request('GET', `/v1/events${query(params)}`)),
  /** @param {string} version @param {string} reason */
  promote: async (version, reason) => await request('POST', '/v1/serving/promote', { version, reason }),
  /** @param {string} toVersion @param {string} reason */
  rollback: async (toVersion, reason) =>
    /** @type {Job} */ (await request('POST', '/v1/serving/rollback', { toVersion, reason })),
  /** @param {string} version */
  verify: async (version) => /** @type {Job} */ (await request('POST', '/v1/jobs/verify', { version })),
  /** @param {string} editId @param {'retract' | 'reinstate' | 'approve' | 'reject'} action @param {string} reason */
  decide: async (editId, action, reason) =>
    await request('POST', `/v1/edits/${encodeURIComponent(editId)}/${action}`, { reason }),
  /** @param {string} path */
  get: async (path) => await request('GET', path),
  /** @param {string} path @param {unknown} body */
  post: async (path, body) => await request('POST', path, body),
};

/** The API's route paths, from its OpenAPI document (public): which optional routes this server has. */
export async function availableRoutes() {
  const response = await fetch('/v1/openapi.json', { headers: { accept: 'application/json' } });
  if (!response.ok) return new Set();
  /** @type {unknown} */
  const body = await response.json();
  const doc = /** @type {{ paths?: Record<string, unknown> }} */ (body);
  return new Set(Object.keys(doc.paths ?? {}));
}

/**
 * Server-Sent Events with the token (EventSource cannot send an Authorization header): calls `onMessage` per
 * message until the server ends the stream; rejects with an AbortError when `signal` aborts.
 * @param {string} path
 * @param {(event: string, data: unknown, id: string | undefined) => void} onMessage
 * @param {AbortSignal} signal
 * @param {Record<string, string>} [extraHeaders]
 */
export async function readEvents(path, onMessage, signal, extraHeaders = {}) {
  const response = await fetch(path, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${storedToken()}`, ...extraHeaders },
    signal,
  });
  if (!response.ok || response.body === null) throw new ApiError(response.status, {});
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      /** @type {string | undefined} */
      let id;
      const data = [];
      for (const line of frame.split('\n')) {
        if (line === '' || line.startsWith(':')) continue; // comments keep the connection alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') id = text;
      }
      if (data.length > 0) onMessage(event, JSON.parse(data.join('\n')), id);
    }
  }
}
