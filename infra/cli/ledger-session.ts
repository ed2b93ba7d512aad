// Opening what a ledger command needs (config, event store, edit index) and always closing it again.
import type { EventStore } from '../../domain/ports/event-store.ts';
import { loadConfig } from '../config.ts';
import type { EditledgerConfig } from '../config.ts';
import { openEventStore } from '../eventstore/open.ts';
import { EditIndex } from '../readmodel/edit-index.ts';
import type { CliIO } from './command.ts';

export interface LedgerSession {
  readonly config: EditledgerConfig;
  readonly store: EventStore;
  /** Opened (and caught up with the store) on first use. */
  index(): Promise<EditIndex>;
}

export async function withLedger<T>(io: CliIO, home: string | undefined, run: (session: LedgerSession) => Promise<T>): Promise<T> {
  const config = loadConfig({ home, env: io.env, cwd: io.cwd });
  const store = await openEventStore(config.eventStore);
  let index: EditIndex | undefined;
  const session: LedgerSession = {
    config,
    store,
    async index() {
      if (index === undefined) {
        index = EditIndex.open(config.paths.readModelDb, { onWarning: (message) => io.stderr.write(`editledger: warning: ${message}\n`) });
        await index.catchUp(store);
      }
      return index;
    },
  };
  try {
    return await run(session);
  } finally {
    index?.close();
    await store.close();
  }
}

/** The acting user: --by, else $EDITLEDGER_ACTOR, else $USER, else "cli". */
export function actorFrom(by: string | undefined, env: NodeJS.ProcessEnv): string {
  return by?.trim() || env.EDITLEDGER_ACTOR?.trim() || env.USER?.trim() || 'cli';
}
