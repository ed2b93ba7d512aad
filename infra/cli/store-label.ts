// What the CLI prints for "the ledger lives here": the event store openEventStore picks from the same config
// (PostgreSQL, else EventStoreDB, else the embedded SQLite file), with any password in a server URL masked, since
// these lines end up in terminals, CI logs and bug reports.
import type { EventStoreConfig } from '../eventstore/open.ts';

const MASK = '***';

/** Names of query parameters whose values are secrets (libpq's password and sslpassword, tokens, keys). */
const SECRET_PARAM = /pass|secret|token|key/i;

/**
 * `url` with the password of its user info and the values of secret-looking query parameters replaced by ***.
 * Not parsed with URL: server lists ("esdb+discover://u:p@h1:2113,h2:2113", "postgres://u:p@h1,h2/db") are not
 * WHATWG URLs. The user info ends at the last "@", so an unencoded "@" in a password hides more, never less.
 */
export function redactUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  let rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  let userInfo = '';
  if (at !== -1) {
    const info = rest.slice(0, at);
    const colon = info.indexOf(':');
    userInfo = `${colon === -1 ? info : `${info.slice(0, colon)}:${MASK}`}@`;
    rest = rest.slice(at + 1);
  }
  const query = rest.indexOf('?');
  if (query !== -1) {
    const params = rest
      .slice(query + 1)
      .split('&')
      .map((p) => {
        const eq = p.indexOf('=');
        return eq !== -1 && SECRET_PARAM.test(p.slice(0, eq)) ? `${p.slice(0, eq + 1)}${MASK}` : p;
      });
    rest = `${rest.slice(0, query + 1)}${params.join('&')}`;
  }
  return `${scheme}${userInfo}${rest}`;
}

/**
 * e.g. "PostgreSQL at postgres://editledger:***@localhost:5432/editledger", "embedded SQLite /home/x/ledger.db";
 * `showPath` shortens the SQLite file's path (the demo prints it relative to the working directory).
 */
export function storeLabel(config: EventStoreConfig, showPath: (path: string) => string = (p) => p): string {
  const postgresUrl = config.postgresUrl?.trim();
  if (postgresUrl) return `PostgreSQL at ${redactUrl(postgresUrl)}`;
  const eventstoreUrl = config.eventstoreUrl?.trim();
  if (eventstoreUrl) return `EventStoreDB at ${redactUrl(eventstoreUrl)}`;
  return `embedded SQLite ${showPath(config.sqlitePath)}`;
}
