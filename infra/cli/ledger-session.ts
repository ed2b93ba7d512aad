// Opening what a ledger command needs (config, event store, edit index) and always closing it again.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { SqliteEventStore } from '../eventstore/sqlite-event-store.ts';
import { loadConfig } from '../config.ts';
import type { EditledgerConfig } from '../config.ts';
import { openEventStore } from '../eventstore/open.ts';
import { EditIndex } from '../readmodel/edit-index.ts';
import type { DataSubjectKeys } from '../../domain/ports/data-subject-keys.ts';
import { SealingEventStore } from '../eventstore/sealing-event-store.ts';
import { dataSubjectKeysPath, SqliteDataSubjectKeys } from '../keys/data-subject-key-store.ts';
import type { CliIO } from './command.ts';
import { createProgressBar } from './format.ts';
import type { ProgressBar } from './format.ts';

const CATCH_UP_PROGRESS_MIN = 50_000;

export interface LedgerSession {
  readonly config: EditledgerConfig;
  /** The ledger as the application sees it: personal fields opened (or [erased]); the store underneath holds them sealed. */
  readonly store: SealingEventStore;
  /** The per-data-subject keys personal fields are sealed with (erasure destroys one). */
  readonly keys: DataSubjectKeys;
  /** Opened (and caught up with the store) on first use. */
  index(): Promise<EditIndex>;
}

export interface LedgerSessionOptions {
  /**
   * The command only reads (log, edit list, edit show): on the embedded store, the ledger is opened read-only,
   * and where the home is not writable the edit index is built in memory, so a read-only home can be read.
   */
  readonly readOnly?: boolean;
}

export async function withLedger<T>(
  io: CliIO,
  home: string | undefined,
  run: (session: LedgerSession) => Promise<T>,
  options: LedgerSessionOptions = {},
): Promise<T> {
  const config = loadConfig({ home, env: io.env, cwd: io.cwd });
  const { sqlitePath, ...servers } = config.eventStore;
  const embedded = Object.values(servers).every((url) => !url);
  // A home with no ledger yet opens as before (an empty ledger is created): only an existing one is read-only.
  const readOnly = options.readOnly === true && embedded && existsSync(sqlitePath);
  const keys = SqliteDataSubjectKeys.open(dataSubjectKeysPath(config.paths.home), { readOnly });
  let inner: EventStore;
  try {
    inner = readOnly ? SqliteEventStore.open(sqlitePath, { readOnly: true }) : await openEventStore(config.eventStore);
  } catch (error) {
    keys.close();
    throw error;
  }
  const store = new SealingEventStore(inner, keys);
  let index: EditIndex | undefined;
  const session: LedgerSession = {
    config,
    store,
    keys,
    async index() {
      if (index === undefined) {
        const path = readOnly && !writable(config.paths.readModelDb) ? ':memory:' : config.paths.readModelDb;
        const onWarning = (message: string) => io.stderr.write(`editledger: warning: ${message}\n`);
        index = EditIndex.open(path, { onWarning });
        await index.catchUp(store, { onProgress: catchUpProgress(io, index.cursor), onWarning });
      }
      return index;
    },
  };
  try {
    return await run(session);
  } finally {
    index?.close();
    await store.close();
    keys.close();
  }
}

/** `withLedger` for commands that only read. */
export function withLedgerReadOnly<T>(
  io: CliIO,
  home: string | undefined,
  run: (session: LedgerSession) => Promise<T>,
): Promise<T> {
  return withLedger(io, home, run, { readOnly: true });
}

/** Whether `file` can be written (or created in its folder) by this process. */
function writable(file: string): boolean {
  try {
    accessSync(existsSync(file) ? file : dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A progress bar for catch-ups long enough to notice (a rebuild, or many new events); silent otherwise. */
function catchUpProgress(io: CliIO, from: number): (checkpoint: number, head: number) => void {
  let bar: ProgressBar | undefined;
  let finished = false;
  return (checkpoint, head) => {
    if (finished || (bar === undefined && head - from < CATCH_UP_PROGRESS_MIN)) return;
    bar ??= createProgressBar(io.stderr, 'updating the edit index', head - from);
    finished = checkpoint >= head;
    if (finished) bar.finish();
    else bar.update(checkpoint - from);
  };
}

/** The acting user: --by, else $EDITLEDGER_ACTOR, else $USER, else "cli". */
export function actorFrom(by: string | undefined, env: NodeJS.ProcessEnv): string {
  return by?.trim() || env.EDITLEDGER_ACTOR?.trim() || env.USER?.trim() || 'cli';
}
