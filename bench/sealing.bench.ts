// npm run bench:sealing — what sealing personal data (issue 12, erasure by crypto-shredding) costs: the SQLite store
// behind the sealing decorator (as every command and the service use it: actor and reason sealed, and, for edits
// about a data subject, the whole content) next to the same store without it, appends alternating call by call
// between two fresh files in one temp dir; then reading everything back (opened) next to reading it raw.
// Environment: BENCH_SEAL_SINGLE=400, BENCH_SEAL_BATCHED=20000, BENCH_BATCH=100, BENCH_SEAL_SUBJECTS=0.1 (the share
// of edits about a data subject).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventStore, NewEvent } from '../domain/ports/event-store.ts';
import { SealingEventStore } from '../infra/eventstore/sealing-event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { SqliteDataSubjectKeys } from '../infra/keys/data-subject-key-store.ts';
import { benchEditEvent } from './helpers/edit-event.ts';
import { envInt, markdownTable } from './table.ts';

function editEvent(i: number, subjectKeyId: string | undefined): NewEvent {
  const data = { submittedBy: `user-${i % 20}`, ...(subjectKeyId !== undefined && { subjectKeyId }) };
  return benchEditEvent(i, data, { actor: `user-${i % 20}` });
}

interface Sides {
  readonly sealed: EventStore;
  readonly plain: EventStore;
  readonly subjects: string[];
  close(): Promise<void>;
}

async function openSides(): Promise<Sides> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-seal-'));
  const keys = SqliteDataSubjectKeys.open(join(dir, 'keys', 'data-subjects.db'));
  const sealed = new SealingEventStore(SqliteEventStore.open(join(dir, 'sealed.db')), keys);
  const plain = SqliteEventStore.open(join(dir, 'plain.db'));
  const subjects: string[] = [];
  for (let s = 0; s < 50; s++) subjects.push(await keys.keyIdFor(`customer-${s}`));
  return {
    sealed,
    plain,
    subjects,
    close: async () => {
      await Promise.all([sealed.close(), plain.close()]);
      keys.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Events per second for each side, `calls` appends of `size`, alternating; then a full read of each. */
async function measure(calls: number, size: number, subjectShare: number) {
  const sides = await openSides();
  const spent = { sealed: 0, plain: 0 };
  try {
    for (let c = 0; c < calls; c++) {
      const batch = Array.from({ length: size }, (_, k) => {
        const i = c * size + k;
        const aboutSubject = (i * 7919) % 1000 < subjectShare * 1000;
        return editEvent(i, aboutSubject ? sides.subjects[i % sides.subjects.length] : undefined);
      });
      const order = c % 2 === 0 ? (['sealed', 'plain'] as const) : (['plain', 'sealed'] as const);
      for (const side of order) {
        const start = performance.now();
        await sides[side].append(`fact-${c % 50}`, batch, 'any');
        spent[side] += performance.now() - start;
      }
    }
    const read = { sealed: 0, plain: 0 };
    for (const side of ['plain', 'sealed'] as const) {
      const start = performance.now();
      let n = 0;
      for await (const _ of sides[side].readAll()) n += 1;
      read[side] = (n * 1000) / (performance.now() - start);
    }
    const events = calls * size;
    return {
      append: { sealed: (events * 1000) / spent.sealed, plain: (events * 1000) / spent.plain },
      read,
    };
  } finally {
    await sides.close();
  }
}

export async function runSealingBench(): Promise<string> {
  const single = envInt('BENCH_SEAL_SINGLE', 400);
  const batched = envInt('BENCH_SEAL_BATCHED', 20_000);
  const batch = envInt('BENCH_BATCH', 100);
  const share = Number(process.env.BENCH_SEAL_SUBJECTS ?? 0.1);
  const one = await measure(single, 1, share);
  const many = await measure(Math.max(1, Math.round(batched / batch)), batch, share);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const row = (metric: string, sealed: number, plain: number) => [
    metric,
    `${fmt(sealed)} events/s`,
    `${fmt(plain)} events/s`,
    `${(sealed / plain).toFixed(2)}x`,
  ];
  return (
    `Sealing cost (SQLite, WAL + synchronous=FULL; ${Math.round(share * 100)}% of edits about a data subject; same run)\n\n` +
    markdownTable(
      ['metric', 'sealed (as used)', 'unsealed store', 'ratio'],
      [
        row(`durable single appends (${single})`, one.append.sealed, one.append.plain),
        row(`batched appends (${batch}/batch, ${batched})`, many.append.sealed, many.append.plain),
        row(`$all read, opened (${batched})`, many.read.sealed, many.read.plain),
      ],
    )
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runSealingBench());
}
