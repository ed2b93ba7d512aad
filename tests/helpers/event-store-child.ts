// A child process for the event-store reliability tests (run with `node --import tsx`).
// DB is a SQLite file path, or a postgres:// URL for the PostgreSQL store.
//
//   import DB TOTAL BATCH   appends TOTAL deterministic events in batches of BATCH over 7 streams,
//                           printing "ack <batch> <position> <ms since start>" once each append is acknowledged.
//                           Re-running it re-appends the same ids (stored ones are no-ops).
//   race DB STREAM EXPECTED TAG
//                           prints "ready", waits for a line on stdin, then appends 20 events of type
//                           From-TAG with that expected revision and prints the outcome as JSON.

import { createHash, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { EventStore, ExpectedRevision, NewEvent } from '../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../infra/eventstore/postgres-event-store.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite-event-store.ts';

export const IMPORT_STREAMS = 7;

/** A deterministic UUID (v5 layout) for the i-th imported event, as an upstream-derived id would be. */
export function importEventId(i: number): string {
  const hex = createHash('sha256').update(`import-event-${i}`).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function importBatch(batch: number, batchSize: number): NewEvent[] {
  return Array.from({ length: batchSize }, (_, k) => {
    const i = batch * batchSize + k;
    return {
      id: importEventId(i),
      type: 'EditSubmitted',
      data: { i, prompt: `fact ${i} is`, target: `value ${i}` },
      metadata: { batch, batchSize },
    };
  });
}

/** What a `race` child prints once its append returned: won (ok) or lost, with the ids it tried to append. */
export interface RaceOutcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly ids: string[];
  readonly actual?: unknown;
}

/** Reads a race child's outcome line. */
export const raceOutcome = (line: string): RaceOutcome => JSON.parse(line) as RaceOutcome;

/** The race children's outcomes, winners and losers apart. */
export function splitRace(outcomes: readonly RaceOutcome[]): { winners: RaceOutcome[]; losers: RaceOutcome[] } {
  return { winners: outcomes.filter((o) => o.ok), losers: outcomes.filter((o) => !o.ok) };
}

export const importStream = (batch: number): string => `import-${batch % IMPORT_STREAMS}`;

function openStore(target: string): Promise<EventStore> | EventStore {
  return /^postgres(ql)?:\/\//.test(target) ? PostgresEventStore.open(target) : SqliteEventStore.open(target);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function runImport(path: string, total: number, batchSize: number): Promise<void> {
  const store = await openStore(path);
  const revisions = new Map<string, ExpectedRevision>();
  for (let s = 0; s < IMPORT_STREAMS; s++) {
    const events = await store.readStream(`import-${s}`);
    revisions.set(`import-${s}`, events.length === 0 ? 'no_stream' : events.length - 1);
  }
  say('ready');
  for (let batch = 0; batch * batchSize < total; batch++) {
    const stream = importStream(batch);
    const result = await store.append(stream, importBatch(batch, batchSize), revisions.get(stream) ?? 'no_stream');
    revisions.set(stream, result.nextExpectedRevision);
    say(`ack ${batch} ${result.position} ${performance.now().toFixed(2)}`);
  }
  await store.close();
  say('done');
}

async function runRace(path: string, stream: string, expected: ExpectedRevision, tag: string): Promise<void> {
  const store = await openStore(path);
  const events = Array.from({ length: 20 }, (_, i): NewEvent => ({
    id: randomUUID(),
    type: `From-${tag}`,
    data: { i, tag },
    metadata: {},
  }));
  say('ready');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  try {
    const result = await store.append(stream, events, expected);
    say(JSON.stringify({ ok: true, position: result.position, ids: events.map((e) => e.id) }));
  } catch (err) {
    const error = err as Error & { actual?: unknown };
    say(
      JSON.stringify({
        ok: false,
        error: error.name,
        message: error.message,
        actual: error.actual,
        ids: events.map((e) => e.id),
      }),
    );
  }
  await store.close();
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const [mode, path, ...rest] = isMain ? process.argv.slice(2) : [];
if (mode === 'import' && path) {
  await runImport(path, Number(rest[0]), Number(rest[1]));
} else if (mode === 'race' && path && rest.length === 3) {
  const expected = rest[1] === 'no_stream' || rest[1] === 'any' ? rest[1] : Number(rest[1]);
  await runRace(path, rest[0] ?? '', expected, rest[2] ?? '');
} else if (mode !== undefined) {
  process.stderr.write(`usage: event-store-child.ts import DB TOTAL BATCH | race DB STREAM EXPECTED TAG\n`);
  process.exit(2);
}
