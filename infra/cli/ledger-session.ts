// Opening what a ledger command needs (config, event store, edit index) and always closing it again.
import type { EventStore } from '../../domain/ports/event-store.ts';
import { loadConfig } from '../config.ts';
import type { EditledgerConfig } from '../config.ts';
import { openEventStore } from '../eventstore/open.ts';
import { EditIndex } from '../readmodel/edit-index.ts';
import type { CliIO } from './command.ts';
import { createProgressBar } from './format.ts';
import type { ProgressBar } from './format.ts';

const CATCH_UP_PROGRESS_MIN = 50_000;

export interface LedgerSession {
  readonly config: EditledgerConfig;
  readonly store: EventStore;
  /** Opened (and caught up with the store) on first use. */
  index(): Promise<EditIndex>;
}

export async function withLedger<T>(
  io: CliIO,
  home: string | undefined,
  run: (session: LedgerSession) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ home, env: io.env, cwd: io.cwd });
  const store = await openEventStore(config.eventStore);
  let index: EditIndex | undefined;
  const session: LedgerSession = {
    config,
    store,
    async index() {
      if (index === undefined) {
        index = EditIndex.open(config.paths.readModelDb, {
          onWarning: (message) => io.stderr.write(`editledger: warning: ${message}\n`),
        });
        await index.catchUp(store, { onProgress: catchUpProgress(io, index.checkpoint) });
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
