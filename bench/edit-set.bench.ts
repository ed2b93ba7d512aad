// Edit-set-at-position latency (part of npm run bench:ledger; alone: npx tsx bench/edit-set.bench.ts).
//
// For each ledger size N (default 10K, 100K, 1M events) a seeded workload is written through the real
// decider into the SQLite event store: K = N/10 fact keys, each step picks a fact uniformly and submits
// (1 event), supersedes (2 events) or, 10% of the time for an active fact, retracts (1 event). So at the
// head roughly K edits are active out of ~N/2 ever submitted. Events are appended 1000 per append to keep
// setup fast; which stream a batch lands in does not affect either side of the measurement.
//
//   editledger  EditIndex.editSetAt(P) on the caught-up read model (interval table + index range scan),
//               returning the parsed, canonically sorted edits and their editSetHash
//   baseline    a full re-fold: a raw better-sqlite3 SELECT of every event up to P, JSON.parse, fold into
//               intervals, sort, hash: the same work done the naive way, in the same process
// Both must produce the same editSetHash. Positions: the head (P = N) and the middle (P = N/2).
// Also reported: rebuilding the read model from the ledger (events/s) next to the raw read+parse rate.
//
// Environment: BENCH_EDITSET_SIZES=10000,100000,1000000  BENCH_REPEATS=3
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { EditCommand } from '../domain/edit-commands.ts';
import { decideCommand } from '../domain/command-handler.ts';
import { editDecider, evolveFact, initialFactState } from '../domain/edit-decider.ts';
import type { FactState } from '../domain/edit-decider.ts';
import type { EditSubmittedData } from '../domain/events.ts';
import { toNewEvent } from '../domain/events.ts';
import type { NewEvent } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { EditIndex } from '../infra/readmodel/edit-index.ts';
import { activeEditOf, canonicalEditJson, compareActiveEdits, hashCanonicalEdits } from '../projections/edit-set.ts';
import type { ActiveEdit } from '../domain/active-edits.ts';
import { envInt, markdownTable } from './table.ts';
import type { BenchRow } from './table.ts';
import { benchCorrection } from './helpers/edit-event.ts';

export type Row = BenchRow;

function sizes(): number[] {
  const list = (process.env.BENCH_EDITSET_SIZES ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
  return list.filter((n) => Number.isSafeInteger(n) && n > 0);
}

/** Park–Miller style LCG: deterministic and fast enough for a workload generator. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

const METADATA = {
  actor: 'bench',
  channel: 'bench',
  commandId: '00000000-0000-4000-8000-000000000001',
  correlationId: '00000000-0000-4000-8000-000000000002',
  now: '2025-01-01T00:00:00.000Z',
};

/** Write about `events` edit events to a fresh store at `path`, through the decider. */
export async function buildLedger(path: string, events: number): Promise<void> {
  const store = SqliteEventStore.open(path);
  const random = seededRandom(42);
  const facts = Math.max(100, Math.floor(events / 10));
  const states = new Map<number, FactState>();
  let pending: NewEvent[] = [];
  let written = 0;
  let batch = 0;
  let step = 0;
  const flush = async () => {
    await store.append(`fact-bench::batch-${batch++}`, pending, 'any');
    pending = [];
  };
  while (written < events) {
    const f = Math.floor(random() * facts);
    const factKey = `person-${f}::employer`;
    const state = states.get(f) ?? initialFactState();
    let command: EditCommand;
    if (state.activeEditId !== undefined && random() < 0.1) {
      command = {
        type: 'RetractEdit',
        data: { editId: state.activeEditId, factKey, reason: 'bench', by: 'bench' },
        metadata: METADATA,
      };
    } else {
      const data: Omit<EditSubmittedData, 'schemaVersion' | 'editId'> = {
        factKey,
        ...benchCorrection(f, step),
        subject: `Person ${f}`,
        source: { system: 'bench', ref: `step-${step}` },
        submittedBy: 'bench',
        reason: 'benchmark correction',
      };
      command = { type: 'SubmitEdit', data, metadata: METADATA };
    }
    step += 1;
    const decided = decideCommand(editDecider, command, state);
    if (written + decided.length > events) break; // keep the ledger at exactly `events` or just under
    states.set(f, decided.reduce(evolveFact, state));
    for (const event of decided) pending.push(toNewEvent(event));
    written += decided.length;
    if (pending.length >= 1000) await flush();
  }
  if (pending.length > 0) await flush();
  await store.close();
}

/** The baseline: every event up to `position` straight from SQLite, folded into intervals, sorted, hashed. */
function refoldRaw(db: Database.Database, position: number): { hash: string; count: number } {
  const rows = db
    .prepare<[number], [string, string]>('SELECT type, data FROM events WHERE position <= ? ORDER BY position')
    .raw();
  const edits = new Map<string, { edit: ActiveEdit; ended: boolean }>();
  for (const [type, json] of rows.iterate(position)) {
    const data = JSON.parse(json) as Record<string, string> & EditSubmittedData;
    if (type === 'EditSubmitted') edits.set(data.editId, { edit: activeEditOf(data), ended: false });
    else if (type === 'EditRetracted') edits.get(data.editId)!.ended = true;
    else if (type === 'EditSuperseded') edits.get(data.oldEditId!)!.ended = true;
  }
  const active = [...edits.values()]
    .filter((e) => !e.ended)
    .map((e) => e.edit)
    .sort(compareActiveEdits);
  return { hash: hashCanonicalEdits(active.map(canonicalEditJson)), count: active.length };
}

function timeMs(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** Best (lowest) of `repeats` runs, alternating the two sides so both see the same machine load. */
function compare(repeats: number, ours: () => string, baseline: () => string): { ours: number; baseline: number } {
  let best = { ours: Infinity, baseline: Infinity };
  for (let i = 0; i < repeats; i++) {
    let a = '';
    let b = '';
    const oursMs = timeMs(() => (a = ours()));
    const baselineMs = timeMs(() => (b = baseline()));
    if (a !== b) throw new Error(`editSetHash differs: index ${a}, re-fold ${b}`);
    best = { ours: Math.min(best.ours, oursMs), baseline: Math.min(best.baseline, baselineMs) };
  }
  return best;
}

export async function benchEditSet(): Promise<Row[]> {
  const repeats = envInt('BENCH_REPEATS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-editset-'));
  const rows: Row[] = [];
  try {
    for (const n of sizes()) {
      const ledgerPath = join(dir, `ledger-${n}.db`);
      await buildLedger(ledgerPath, n);
      const store = SqliteEventStore.open(ledgerPath);
      const index = EditIndex.open(join(dir, `readmodel-${n}.db`));
      const raw = new Database(ledgerPath, { readonly: true });
      try {
        const rebuildStarted = performance.now();
        const { cursor } = await index.catchUp(store);
        const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
        const rawReadSeconds =
          timeMs(() => {
            for (const [json] of raw.prepare<[], [string]>('SELECT data FROM events ORDER BY position').raw().iterate())
              JSON.parse(json);
          }) / 1000;
        const label = `${n.toLocaleString('en-US')} events`;
        for (const [where, position] of [
          ['head', cursor],
          ['middle', Math.floor(cursor / 2)],
        ] as const) {
          let count = 0;
          const best = compare(
            repeats,
            () => {
              const set = index.editSetAt(position);
              count = set.edits.length;
              return set.editSetHash;
            },
            () => refoldRaw(raw, position).hash,
          );
          rows.push({
            metric: `edit set at ${where} (P=${position.toLocaleString('en-US')}) of ${label}, ${count.toLocaleString('en-US')} active`,
            unit: 'ms',
            editledger: best.ours,
            raw: best.baseline,
            ratio: best.baseline / best.ours,
            ...(n >= 1_000_000 ? { target: '<= 1000 ms' } : {}),
          });
        }
        rows.push({
          metric: `edit index rebuild from the ledger (${label}; raw = SELECT + JSON.parse only)`,
          unit: 'events/s',
          editledger: cursor / rebuildSeconds,
          raw: cursor / rawReadSeconds,
          ratio: rawReadSeconds / rebuildSeconds,
        });
      } finally {
        raw.close();
        index.close();
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatEditSetTable(rows: readonly Row[]): string {
  const header = ['metric', 'editledger', 'baseline (full re-fold / raw)', 'speed-up', 'target'];
  const number = (value: number, unit: string) =>
    `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1)} ${unit}`;
  const cells = rows.map((r) => [
    r.metric,
    number(r.editledger, r.unit),
    number(r.raw, r.unit),
    `${r.ratio.toFixed(2)}x`,
    r.target ? `${r.target} ${r.editledger <= 1000 ? 'ok' : 'MISSED'}` : '',
  ]);
  return markdownTable(header, cells);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('edit set as of a position: persisted interval index vs a full re-fold, same process\n');
  console.log(formatEditSetTable(await benchEditSet()));
}
