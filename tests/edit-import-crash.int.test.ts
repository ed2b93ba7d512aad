// `editledger edit import` killed with SIGKILL at random moments, over several rounds, then run to completion:
// every edit the importer reported as recorded is there, no fact stream holds a partial batch, positions have no
// holes, and a final re-import appends nothing new. This drives the real CLI in a child process.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecordedEvent } from '../domain/events.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { Rng } from '../trainer/basemodel/rng.ts';

const EDITS = 10_000;
const ROUNDS = 4;

interface ImportRun {
  readonly code: number | null;
  readonly killed: boolean;
  /** The highest "N new" count the importer printed before it ended. */
  readonly acknowledged: number;
}

function importOnce(file: string, home: string, killAfterMs: number | undefined): Promise<ImportRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/main.ts', 'edit', 'import', file, '--home', home],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      // Progress lines say "<done>/<total> ... <n> new, <m> already there"; the summary says "<n> new edits".
      const counts = [...output.matchAll(/(\d+) new(?:,| edits)/g)].map((m) => Number(m[1]));
      resolve({ code, killed: signal === 'SIGKILL', acknowledged: counts.length === 0 ? 0 : Math.max(...counts) });
    });
  });
}

async function ledgerFacts(home: string): Promise<{ head: number; positions: number[]; submitted: Set<string> }> {
  const store = SqliteEventStore.open(join(home, 'ledger.db'));
  try {
    const positions: number[] = [];
    const submitted = new Set<string>();
    for await (const recorded of store.readAll()) {
      positions.push(recorded.position);
      const { event } = parseRecordedEvent(recorded); // throws on anything partial or malformed
      if (event.type === 'EditSubmitted') submitted.add(event.data.editId);
    }
    return { head: await store.headPosition(), positions, submitted };
  } finally {
    await store.close();
  }
}

test('edit import killed with SIGKILL keeps every acknowledged edit, leaves no hole, and resumes exactly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'editledger-import-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'edits.jsonl');
  const records = Array.from({ length: EDITS }, (_, i) =>
    JSON.stringify({
      subject: `Entity ${i}`,
      prompt: `The headquarters of Entity ${i} is in`,
      target_new: `City ${i % 97}`,
      ground_truth: `Town ${i % 89}`,
    }),
  );
  await writeFile(file, `${records.join('\n')}\n`);
  const home = join(dir, 'home');

  const rng = new Rng('edit-import-crash');
  let kills = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const run = await importOnce(file, home, 1200 + rng.int(2500));
    if (run.killed) kills++;
    const facts = await ledgerFacts(home);
    t.deepEqual(
      facts.positions,
      Array.from({ length: facts.head }, (_, i) => i + 1),
      `round ${round}: positions 1..head without holes`,
    );
    t.true(
      facts.submitted.size >= run.acknowledged,
      `round ${round}: ${run.acknowledged} acknowledged, ${facts.submitted.size} stored`,
    );
    t.is(facts.head, facts.submitted.size, `round ${round}: one event per new fact, none partial`);
  }
  t.log(`${kills} of ${ROUNDS} rounds were killed mid-import`);
  t.true(kills >= 1, 'at least one round must actually be killed mid-import');

  const finish = await importOnce(file, home, undefined);
  t.is(finish.code, 0);
  const complete = await ledgerFacts(home);
  t.is(complete.submitted.size, EDITS);
  t.is(complete.head, EDITS);

  const again = await importOnce(file, home, undefined);
  t.is(again.code, 0);
  t.is((await ledgerFacts(home)).head, EDITS, 're-importing appends nothing new');
});
