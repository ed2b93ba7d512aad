// @ts-check
/* global location, addEventListener, removeEventListener, setTimeout, clearTimeout -- browser globals (the root ESLint config knows Node's only) */
// The shell: sign in with an API token, the navigation, the live connection to the ledger (one SSE stream; every
// appended event bumps `tick`, and the pages reload what they show), and the page for the current hash route.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiClient, availableRoutes, readEvents, storedToken, storeToken } from './api.js';
import { parseRoute } from './format.js';
import { EditPage, EditsPage } from './pages/edits.js';
import { LogPage } from './pages/log.js';
import { OverviewPage } from './pages/overview.js';
import { ReportsPage } from './pages/reports.js';
import { VersionPage } from './pages/version.js';
import { VersionsPage } from './pages/versions.js';
import { ErrorNote } from './ui.js';

const PAGES = /** @type {const} */ ([
  ['overview', 'Overview'],
  ['versions', 'Versions'],
  ['edits', 'Edits'],
  ['log', 'Log'],
  ['reports', 'Reports'],
]);

/** @typedef {{ position: number, type: string, stream: string, storedAt: string }} LiveEvent */
const THROTTLE_MS = 400;

function useHashRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}

/** Follow the ledger while signed in; reconnect (resuming after the last position seen) if the stream drops. */
function useLive(/** @type {boolean} */ active) {
  const [live, setLive] = useState(
    /** @type {{ tick: number, last?: LiveEvent, connected: boolean }} */ ({
      tick: 0,
      connected: false,
    }),
  );
  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    /** @type {string | undefined} */
    let lastId;
    // A burst of events (an import of thousands) is one reload, not one per event: ticks at most every 400 ms.
    /** @type {LiveEvent | undefined} */
    let latest;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let flush;
    const onLedgerEvent = (/** @type {LiveEvent} */ event) => {
      latest = event;
      flush ??= setTimeout(() => {
        flush = undefined;
        setLive((l) => ({ tick: l.tick + 1, last: latest, connected: true }));
      }, THROTTLE_MS);
    };
    const connect = async () => {
      while (!controller.signal.aborted) {
        try {
          await readEvents(
            '/v1/events/stream',
            (event, data, id) => {
              if (id !== undefined) lastId = id;
              if (event === 'ready') setLive((l) => ({ ...l, connected: true }));
              if (event === 'ledger') onLedgerEvent(/** @type {LiveEvent} */ (data));
            },
            controller.signal,
            lastId === undefined ? {} : { 'last-event-id': lastId },
          );
        } catch {
          // dropped or aborted: retry below unless signed out
        }
        setLive((l) => ({ ...l, connected: false }));
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    };
    void connect();
    return () => {
      controller.abort();
      clearTimeout(flush);
    };
  }, [active]);
  return live;
}

/** @param {{ onSignedIn: (status: import('./api.js').Status) => void }} props */
function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(/** @type {Error | undefined} */ (undefined));
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    storeToken(token.trim());
    try {
      onSignedIn(await apiClient.status());
    } catch (e) {
      storeToken('');
      const refused = e instanceof ApiError && e.status === 401;
      setError(
        refused ? new Error('That token was refused: it is unknown, malformed or revoked.') : /** @type {Error} */ (e),
      );
    }
  };
  return html`<main id="main" class="signin">
    <h1>editledger audit dashboard</h1>
    <p>Sign in with an API token (<code>npx editledger token create --name me --role auditor</code>). It stays in this tab only.</p>
    <form onSubmit=${submit}>
      <label for="token">API token</label>
      <input
        id="token"
        type="password"
        autocomplete="off"
        required
        value=${token}
        onInput=${(/** @type {InputEvent} */ e) => setToken(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
      />
      <button type="submit">Sign in</button>
    </form>
    <${ErrorNote} error=${error} />
  </main>`;
}

export function App() {
  const route = useHashRoute();
  const [status, setStatus] = useState(/** @type {import('./api.js').Status | undefined} */ (undefined));
  const [routes, setRoutes] = useState(/** @type {Set<string>} */ (new Set()));
  const [error, setError] = useState(/** @type {Error | undefined} */ (undefined));
  const live = useLive(status !== undefined);
  const main = useRef(/** @type {HTMLElement | null} */ (null));

  useEffect(() => {
    void availableRoutes().then(setRoutes);
    if (storedToken() !== '')
      apiClient.status().then(setStatus, (/** @type {Error} */ e) => {
        storeToken('');
        setError(e);
      });
  }, []);
  // The status (head, serving, trainer, counters) follows the ledger.
  useEffect(() => {
    if (status !== undefined && live.tick > 0) apiClient.status().then(setStatus, setError);
  }, [live.tick]);
  // A new page: move focus to its heading, so screen readers announce it and Tab starts there.
  useEffect(() => {
    main.current?.querySelector('h1')?.focus();
  }, [route.page, route.id]);

  if (status === undefined)
    return html`<${SignIn} onSignedIn=${setStatus} />${error ? html`<${ErrorNote} error=${error} />` : null}`;

  const may = new Set(status.principal.may);
  const props = { status, may, tick: live.tick, routes, id: route.id, params: route.params };
  const signOut = () => {
    storeToken('');
    setStatus(undefined);
    location.hash = '';
  };
  return html`<a
      class="skip"
      href="#main"
      onClick=${(/** @type {Event} */ e) => {
        e.preventDefault();
        main.current?.querySelector('h1')?.focus();
      }}
      >Skip to content</a
    >
    <header class="top">
      <p class="brand">editledger</p>
      <nav aria-label="Pages">
        <ul>
          ${PAGES.map(
            ([page, label]) =>
              html`<li>
                <a href=${`#/${page}`} aria-current=${route.page === page ? 'page' : undefined}>${label}</a>
              </li>`,
          )}
        </ul>
      </nav>
      <p class="who">
        <span data-testid="principal">${status.principal.name}</span>
        <span class="badge" data-testid="role">${status.principal.role}</span>
        <span class="serving" data-testid="serving-pointer">
          serving ${status.serving === null ? 'nothing' : `#${status.serving.ordinal}`}
        </span>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </p>
    </header>
    <p class="live" role="status" aria-live="polite" data-connected=${String(live.connected)}>
      ${live.connected ? 'Live' : 'Connecting…'}${live.last ? ` — last event #${live.last.position} ${live.last.type}` : ''}
    </p>
    <main id="main" ref=${main}>${page(route.page, props)}</main>`;
}

/** @param {string} name @param {import('./pages/overview.js').PageProps} props */
function page(name, props) {
  switch (name) {
    case 'overview':
      return html`<${OverviewPage} ...${props} />`;
    case 'versions':
      return props.id === undefined ? html`<${VersionsPage} ...${props} />` : html`<${VersionPage} ...${props} />`;
    case 'edits':
      return props.id === undefined ? html`<${EditsPage} ...${props} />` : html`<${EditPage} ...${props} />`;
    case 'log':
      return html`<${LogPage} ...${props} />`;
    case 'reports':
      return html`<${ReportsPage} ...${props} />`;
    default:
      return html`<h1 tabindex="-1">Not found</h1>
        <p>No page “${name}”. <a href="#/overview">Overview</a></p>`;
  }
}
