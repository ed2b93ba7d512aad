// npm run bench:report — `editledger report` over a large ledger: N edits (a quarter retracted) and a version every
// N/10 edits with a serving change each. Timed next to its baseline in the same run: reading and parsing every
// ledger event (what any projection of the whole ledger pays), so the ratio says what the fold and each renderer
// add on top. The chain verification is timed separately (bench:audit covers it at scale).
//
// Environment: BENCH_REPORT_EDITS=20000, BENCH_REPEATS=3 (best of).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NewEvent } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { buildComplianceReport } from '../projections/compliance-report.ts';
import { readLedgerEvents, verifyForReport } from '../infra/report/load.ts';
import { renderReport } from '../infra/report/render.ts';
import type { ReportFormat } from '../infra/report/render.ts';
import { envInt, markdownTable } from './table.ts';
import { bestOf } from './timing.ts';
import { hex, TINY_TRAINING_POLICY, tinyBaseData } from '../tests/helpers/model-fixtures.ts';

const POLICY = TINY_TRAINING_POLICY;

function newEvent(type: string, data: Record<string, unknown>, i: number): NewEvent {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const metadata = {
    actor: 'bench',
    channel: 'bench',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    recordedAt: at,
  };
  return { id: randomUUID(), type, data: { schemaVersion: 1, ...data }, metadata };
}

async function buildLedger(store: SqliteEventStore, edits: number): Promise<void> {
  let clock = 0;
  await store.append(
    'model-lifecycle',
    [
      newEvent('BaseModelRegistered', tinyBaseData('base', '/m'), clock++),
      newEvent('TrainingPolicyRegistered', { baseModelId: 'base', policy: POLICY, policyHash: hex('9') }, clock++),
    ],
    'any',
  );
  const ids: string[] = [];
  let previous: string | null = null;
  for (let i = 0; i < edits; i++) {
    const editId = randomUUID();
    const factKey = `person-${i}::employer`;
    ids.push(editId);
    const events = [
      newEvent(
        'EditSubmitted',
        {
          editId,
          factKey,
          prompt: `Who employs person ${i}?`,
          target: `Org ${i}`,
          rephrase: [],
          locality: [],
          source: { system: 'bench', ref: `r-${i}` },
          submittedBy: 'bench',
          reason: 'upstream correction',
        },
        clock++,
      ),
    ];
    if (i % 4 === 3) events.push(newEvent('EditRetracted', { editId, factKey, by: 'bench', reason: 'wrong' }, clock++));
    await store.append(`fact-${factKey}`, events, 'any');
    if ((i + 1) % Math.max(1, Math.floor(edits / 10)) === 0) {
      const versionId = randomUUID().replace(/-/g, '').padEnd(64, '0');
      const metrics = { reliability: 0.95, reliabilityBase: 0, generalization: 0.6, locality: 0.9, capability: 0.9 };
      await store.append(
        'model-lifecycle',
        [
          newEvent(
            'ModelVersionMaterialized',
            {
              versionId,
              baseModelId: 'base',
              baseHash: hex('b'),
              position: i,
              editSetHash: hex('e'),
              trainingSetHash: hex('f'),
              editIds: ids.slice(),
              policy: POLICY,
              backend: 'wasm',
              artifactSha256: hex('a'),
              artifactUri: 'sha256:a',
              metrics,
              durationMs: 1,
            },
            clock++,
          ),
          newEvent(
            'ServingVersionChanged',
            { versionId, previousVersionId: previous, changedBy: 'trainer', reason: 'auto', automatic: true },
            clock++,
          ),
        ],
        'any',
      );
      previous = versionId;
    }
  }
}

export async function runReportBench(): Promise<string> {
  const edits = envInt('BENCH_REPORT_EDITS', 20_000);
  const repeats = envInt('BENCH_REPEATS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-report-'));
  try {
    const store = SqliteEventStore.open(join(dir, 'ledger.db'));
    await buildLedger(store, edits);
    const verification = { status: 'not_available', detail: 'timed separately' } as const;
    const inputs = { period: {}, verification, generatedAt: new Date() };
    let events = 0;
    const baseline = await bestOf(repeats, async () => {
      events = (await readLedgerEvents(store)).length;
    });
    const all = await readLedgerEvents(store);
    const rows: string[][] = [];
    const row = (what: string, seconds: number, extra = '') =>
      rows.push([
        what,
        `${seconds.toFixed(3)} s`,
        `${baseline.toFixed(3)} s`,
        `${(baseline / seconds).toFixed(2)}x`,
        extra,
      ]);
    row(
      'fold only (buildComplianceReport)',
      await bestOf(repeats, async () => void buildComplianceReport(all, inputs)),
    );
    for (const format of ['md', 'json', 'html'] as ReportFormat[]) {
      let bytes = 0;
      const seconds = await bestOf(repeats, async () => {
        bytes = renderReport(buildComplianceReport(await readLedgerEvents(store), inputs), format).length;
      });
      row(`report --format ${format} (read + fold + render)`, seconds, `${(bytes / 1e6).toFixed(1)} MB`);
    }
    row('chain verification (auditLedger)', await bestOf(repeats, async () => void (await verifyForReport(store))));
    await store.close();
    return [
      `bench:report — ${edits.toLocaleString('en')} edits, ${events.toLocaleString('en')} ledger events; baseline: read + parse every event`,
      '',
      markdownTable(['step', 'editledger', 'baseline', 'ratio (baseline / step)', 'output'], rows),
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await runReportBench());
