// @ts-check
// How the dashboard writes ids, numbers and times: one place, so every page reads the same.

/** The four metrics the paper reports per version, in its order. */
export const METRICS = /** @type {const} */ ([
  ['reliability', 'Reliability'],
  ['generalization', 'Generalization'],
  ['locality', 'Locality'],
  ['capability', 'Capability'],
]);

/** Metrics that have a base-model counterpart named `<name>Base`. */
export const BASE_PAIRS = /** @type {const} */ ([
  ['reliability', 'Reliability'],
  ['perplexity', 'Perplexity'],
  ['uneditedFactAccuracy', 'Unedited fact accuracy'],
]);

/**
 * A version's verdict against the declared change envelope (governance), in words.
 * @param {import('./api.js').Version['verdict']} verdict
 */
export function verdictText(verdict) {
  if (verdict === undefined) return 'no envelope declared';
  if (verdict.within) return 'within the envelope';
  return `outside: ${verdict.failing.map((c) => `${c.metric} ${c.rule === 'min' ? '<' : '>'} ${c.bound}`).join(', ')}`;
}

/** @param {string} id */
export function short(id) {
  return id.length > 12 ? id.slice(0, 12) : id;
}

/** @param {number | null | undefined} value */
export function pct(value) {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** @param {number | null | undefined} value */
export function num(value) {
  if (value === null || value === undefined) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4).replace(/\.?0+$/, '');
}

/** A signed change, in percentage points for [0, 1] metrics. @param {number | undefined} delta */
export function signedPoints(delta) {
  if (delta === undefined) return '—';
  const points = delta * 100;
  return `${points > 0 ? '+' : ''}${points.toFixed(1)} pt`;
}

/** @param {string} iso */
export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

/** The hash route: '#/versions/abc?compare=x' -> { page: 'versions', id: 'abc', params }. @param {string} hash */
export function parseRoute(hash) {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'overview', ...rest] = path.split('/').filter((p) => p !== '');
  const id = rest.length === 0 ? undefined : decodeURIComponent(rest.join('/'));
  return { page, id, params: new URLSearchParams(search) };
}

/** @param {string} path @param {Record<string, string | number | undefined>} [params] */
export function href(path, params = {}) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  const search = new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
  return `#/${path}${search === '' ? '' : `?${search}`}`;
}
