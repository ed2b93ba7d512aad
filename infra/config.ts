// Where editledger keeps its files, and which event store it talks to.
// Home directory precedence: `--home DIR` > EDITLEDGER_HOME > ./.editledger (relative to the working directory).
// Everything editledger writes lives under the home: the ledger, the read model, artifacts.
// The event store is the embedded SQLite file unless EDITLEDGER_STORE (or DATABASE_URL) is a postgres:// URL
// or EVENTSTORE_URL names an EventStoreDB/KurrentDB server.
import { resolve } from 'node:path';
import type { EventStoreConfig } from './eventstore/open.ts';

export const DEFAULT_HOME_DIR = '.editledger';

export interface EditledgerPaths {
  readonly home: string;
  /** The embedded event store (SQLite). */
  readonly ledgerDb: string;
  /** The persisted edit index (SQLite, rebuildable from the ledger at any time). */
  readonly readModelDb: string;
  /** Model weights and other content-addressed artifacts. */
  readonly artifactsDir: string;
}

export interface EditledgerConfig {
  readonly paths: EditledgerPaths;
  readonly eventStore: EventStoreConfig;
}

export interface ConfigSources {
  /** The value of `--home`, if given. */
  readonly home?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function resolveHome({ home, env, cwd }: ConfigSources): string {
  const chosen = home?.trim() || env.EDITLEDGER_HOME?.trim() || DEFAULT_HOME_DIR;
  return resolve(cwd, chosen);
}

export function pathsFor(home: string): EditledgerPaths {
  return {
    home,
    ledgerDb: resolve(home, 'ledger.db'),
    readModelDb: resolve(home, 'readmodel.db'),
    artifactsDir: resolve(home, 'artifacts'),
  };
}

export function loadConfig(sources: ConfigSources): EditledgerConfig {
  const paths = pathsFor(resolveHome(sources));
  const url = sources.env.EVENTSTORE_URL?.trim();
  // DATABASE_URL is often set for other purposes, so only a postgres URL there selects the store;
  // EDITLEDGER_STORE is ours, so anything else in it is a mistake worth stopping for.
  const isPostgres = (v: string | undefined): boolean => v !== undefined && /^postgres(ql)?:\/\//i.test(v);
  const chosen = sources.env.EDITLEDGER_STORE?.trim();
  if (chosen && !isPostgres(chosen))
    throw new Error(
      `EDITLEDGER_STORE must be a postgres:// or postgresql:// URL (unset for the embedded SQLite store), got ${/^[a-z][a-z0-9+.-]*:/i.exec(chosen)?.[0] ?? 'a value that is not a URL'} (the rest is not shown: it may hold a password)`,
    );
  const postgresUrl = [chosen, sources.env.DATABASE_URL?.trim()].find(isPostgres);
  if (postgresUrl) return { paths, eventStore: { sqlitePath: paths.ledgerDb, postgresUrl } };
  return {
    paths,
    eventStore: url ? { sqlitePath: paths.ledgerDb, eventstoreUrl: url } : { sqlitePath: paths.ledgerDb },
  };
}
