// npm run bench:audit — `audit verify` over a large ledger (issue 12 target: 1,000,000 events in <= 10 s on 2
// cores). The ledger is built with batched appends through the SQLite store (so every link is the store's own),
// then the audit (auditLedger: read $all, recompute every digest and link, check a signed checkpoint) is timed
// next to its baseline in the same run: the same scan of the stored rows (readChain pages) without any hashing,
// so the ratio is what the hashing costs. For scale, readAll (rows parsed into events, what `log` and every
// projection pay) is timed against the same baseline.
//
// Environment: BENCH_AUDIT_EVENTS=1000000, BENCH_AUDIT_BATCH=1000, BENCH_REPEATS=3 (best of).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NewEvent } from '../domain/ports/event-store.ts';
import { auditLedger } from '../infra/audit/audit-report.ts';
import { signHeadCheckpoint } from '../infra/audit/checkpoints.ts';
import { chainPages } from '../domain/chain-walk.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { envInt, markdownTable } from './table.ts';
import { bestOf } from './timing.ts';

/** A retraction-sized ledger event (~330 bytes of JSON with its metadata). */
function event(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: i % 4 === 0 ? 'EditRetracted' : 'EditSubmitted',
    data: { editId: randomUUID(), factKey: `person-${i}::employer`, reason: `correction ${i}` },
    metadata: { actor: 'bench', channel: 'bench', recordedAt: '2026-01-01T00:00:00.000Z', correlationId: `c-${i}` },
  };
}

export async function runAuditBench(): Promise<string> {
  const total = envInt('BENCH_AUDIT_EVENTS', 1_000_000);
  const batch = envInt('BENCH_AUDIT_BATCH', 1000);
  const repeats = envInt('BENCH_REPEATS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-audit-'));
  try {
    const store = SqliteEventStore.open(join(dir, 'ledger.db'));
    const buildStart = performance.now();
    for (let i = 0; i < total; i += batch) {
      const events = Array.from({ length: Math.min(batch, total - i) }, (_, k) => event(i + k));
      await store.append(`fact-${(i / batch) % 100}`, events, 'any');
    }
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signed = await signHeadCheckpoint({ store, privateKey, file: join(dir, 'checkpoints.jsonl') });
    const events = total + 1;

    let intact = false;
    const audit = await bestOf(repeats, async () => {
      const report = await auditLedger(store, { publicKey });
      intact = report.ok && report.chain.verified === events && report.checkpoints[0]?.status === 'ok';
    });
    if (!intact) throw new Error('bench:audit: the freshly built ledger did not verify');
    const count = async (pages: AsyncIterable<readonly unknown[]>) => {
      let n = 0;
      for await (const page of pages) n += page.length;
      if (n !== events) throw new Error(`read ${n} of ${events} events`);
    };
    const scan = await bestOf(repeats, () => count(chainPages(store)));
    const parsed = await bestOf(repeats, async () => {
      let n = 0;
      for await (const e of store.readAll()) n += e.position > 0 ? 1 : 0;
      if (n !== events) throw new Error(`read ${n} of ${events} events`);
    });
    await store.close();
    const rate = (seconds: number) => `${Math.round(events / seconds).toLocaleString('en')} events/s`;
    const rows = [
      [
        `audit verify, ${events.toLocaleString('en')} events (chain + 1 signed checkpoint)`,
        `${audit.toFixed(2)} s`,
        `${scan.toFixed(2)} s`,
        (scan / audit).toFixed(2),
        '<= 10 s',
      ],
      ['audit verify rate', rate(audit), rate(scan), (scan / audit).toFixed(2), '>= 100,000 events/s'],
      [
        'for scale: readAll (parsed events)',
        `${parsed.toFixed(2)} s`,
        `${scan.toFixed(2)} s`,
        (scan / parsed).toFixed(2),
        '',
      ],
    ];
    return [
      `audit verify over a SQLite ledger built with ${batch}-event appends (${buildSeconds.toFixed(1)} s to build; checkpoint at ${signed.position}); best of ${repeats}`,
      markdownTable(['metric', 'editledger', 'baseline: stored rows scanned, no hashing', 'ratio', 'target'], rows),
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runAuditBench());
}
