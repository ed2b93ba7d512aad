// Tamper evidence end to end (issue 12): a ledger is written through the store, a checkpoint signed with
// `audit checkpoint`, and then the SQLite file is changed behind editledger's back with better-sqlite3, the way
// someone with write access to the home could. `audit verify` must exit 5 and name the position of each forgery.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import { chainLink, eventDigest, GENESIS_HASH } from '../domain/chain.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { command as audit } from '../infra/cli/commands/audit.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import type { StoredEventText } from '../infra/eventstore/stored-row.ts';
import { runCli } from './helpers/cli-harness.ts';

const root = mkdtempSync(join(tmpdir(), 'editledger-audit-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

interface Home {
  readonly home: string;
  readonly db: string;
  readonly publicKey: string;
  run(argv: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof runCli>;
}

/** A home with 12 events in 3 streams, a key, and a checkpoint signed at position 10 (its event is 11). */
async function ledger(): Promise<Home> {
  const home = join(root, randomUUID());
  const db = join(home, 'ledger.db');
  const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(audit, [...argv, '--home', home], { cwd: root, env: { USER: 'tester', ...env } });
  const store = SqliteEventStore.open(db);
  const put = async (into: SqliteEventStore, from: number, to: number) => {
    for (let i = from; i <= to; i++)
      await into.append(
        `fact-${i % 3}`,
        [{ id: randomUUID(), type: 'Noted', data: { i, text: `fact number ${i}` }, metadata: { actor: 'alice' } }],
        'any',
      );
  };
  await put(store, 1, 10);
  await store.close();
  const keygen = await run(['keygen']);
  if (keygen.code !== 0) throw new Error(keygen.stderr);
  const signed = await run(['checkpoint']);
  if (signed.code !== 0) throw new Error(signed.stderr);
  const more = SqliteEventStore.open(db);
  await put(more, 12, 13);
  await more.close();
  return { home, db, publicKey: join(home, 'keys', 'audit-ed25519.pub.pem'), run };
}

function tamper(path: string, sql: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.transaction(() => sql(db))();
  } finally {
    db.close();
  }
}

/** What an attacker without the key can do: recompute every link, as the store would have. */
function rechain(db: Database.Database): void {
  const rows = db.prepare<[], StoredEventText>('SELECT * FROM events ORDER BY position').all();
  const update = db.prepare('UPDATE events SET chain = ? WHERE position = ?');
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const digest = eventDigest({ ...r, dataJson: r.data, metadataJson: r.metadata });
    prev = chainLink(prev, r.position, r.revision, digest);
    update.run(prev, r.position);
  }
}

/** Positions 1..n again after rows were removed (moved out of the way first, so the primary key never collides;
 * rows are updated in position order, so each counts the ones already renumbered below it). */
function renumber(db: Database.Database): void {
  db.exec('UPDATE events SET position = position + 1000000');
  db.exec('UPDATE events SET position = (SELECT COUNT(*) FROM events AS e WHERE e.position <= events.position)');
}

async function verifyJson(h: Home, extra: string[] = []) {
  const result = await h.run(['verify', '--json', '--public-key', h.publicKey, ...extra]);
  return {
    ...result,
    report: JSON.parse(result.stdout) as { ok: boolean; firstProblem?: { position: number; what: string } },
  };
}

/** verify --json against the auditor's key exits with a conflict, naming `position` and what happened there. */
async function verifiesTamperedAt(t: ExecutionContext, h: Home, position: number, what: RegExp) {
  const result = await verifyJson(h);
  t.is(result.code, ExitCode.conflict);
  t.like(result.report.firstProblem, { position });
  t.regex(result.report.firstProblem?.what ?? '', what);
  return result;
}

test('audit: an untouched ledger verifies with its signed checkpoint (exit 0)', async (t) => {
  const h = await ledger();
  const result = await h.run(['verify', '--public-key', h.publicKey]);
  t.is(result.code, ExitCode.ok, result.stdout + result.stderr);
  t.regex(result.stdout, /chain: intact, 13 events verified, head position 13/);
  t.regex(
    result.stdout,
    /checkpoints: 1 \(1 ok\), signatures checked/,
    'the ledger and file copies are one checkpoint',
  );
  const key = readFileSync(h.publicKey, 'utf8');
  t.is((await h.run(['export-key'])).stdout, key);
  t.is(statSync(join(h.home, 'keys', 'audit-ed25519.pem')).mode & 0o777, 0o600);
  const again = await h.run(['keygen']);
  t.is(again.code, ExitCode.conflict, 'an existing key is not replaced without --force');
  t.regex(again.stderr, /already exists.*--force/);
});

test('audit: one byte of an event’s data, and of its metadata, is a modified event at its position', async (t) => {
  const h = await ledger();
  tamper(h.db, (db) => db.exec(`UPDATE events SET data = replace(data, 'number 4', 'number 5') WHERE position = 4`));
  const data = await verifiesTamperedAt(t, h, 4, /^modified/);
  t.regex(data.stderr, /ledger tampered at position 4/);

  const g = await ledger();
  tamper(g.db, (db) => db.exec(`UPDATE events SET metadata = replace(metadata, 'alice', 'alicf') WHERE position = 9`));
  await verifiesTamperedAt(t, g, 9, /^modified/);
});

test('audit: a deleted row, two swapped rows and an inserted forged event are each named with their position', async (t) => {
  const deleted = await ledger();
  tamper(deleted.db, (db) => db.exec('DELETE FROM events WHERE position = 6'));
  await verifiesTamperedAt(t, deleted, 6, /^deleted/);

  const swapped = await ledger();
  tamper(swapped.db, (db) => {
    db.exec('UPDATE events SET position = 1000 WHERE position = 7');
    db.exec('UPDATE events SET position = 7 WHERE position = 8');
    db.exec('UPDATE events SET position = 8 WHERE position = 1000');
  });
  await verifiesTamperedAt(t, swapped, 7, /^reordered/);

  // The forger even gives the inserted event the link the store would have: the NEXT link gives it away.
  const inserted = await ledger();
  tamper(inserted.db, (db) => {
    db.exec('UPDATE events SET position = position + 1000 WHERE position >= 5');
    db.exec('UPDATE events SET position = position - 999 WHERE position > 1000');
    const prev = db.prepare<[], string>('SELECT chain FROM events WHERE position = 4').pluck().get()!;
    const forged = {
      id: randomUUID(),
      stream: 'fact-9',
      type: 'Noted',
      dataJson: '{"forged":true}',
      metadataJson: '{}',
    };
    db.prepare('INSERT INTO events VALUES (5, ?, 0, ?, ?, ?, ?, ?, ?)').run(
      forged.stream,
      forged.id,
      forged.type,
      forged.dataJson,
      forged.metadataJson,
      new Date().toISOString(),
      chainLink(prev, 5, 0, eventDigest(forged)),
    );
  });
  await verifiesTamperedAt(t, inserted, 5, /^inserted/);
});

test('audit: a truncated tail is caught by the checkpoint file, even with the checkpoint events gone', async (t) => {
  const h = await ledger();
  tamper(h.db, (db) => db.exec('DELETE FROM events WHERE position > 8'));
  await verifiesTamperedAt(t, h, 10, /truncated: the ledger ends at position 8/);
});

test('audit: a chain recomputed without the key no longer matches the signed checkpoint', async (t) => {
  const h = await ledger();
  tamper(h.db, (db) => {
    db.exec(`UPDATE events SET data = replace(data, 'number 3', 'number 8') WHERE position = 3`);
    rechain(db);
  });
  await verifiesTamperedAt(t, h, 10, /rewritten: the chain at position 10 is not the one signed/);
});

test('audit: checkpoints re-signed with another key are refused against the auditor’s public key', async (t) => {
  const h = await ledger();
  // The forger rewrites history, removes the honest checkpoints (ledger events and file) and signs their own.
  tamper(h.db, (db) => {
    db.exec(`UPDATE events SET data = replace(data, 'number 2', 'number 7') WHERE position = 2`);
    db.exec("DELETE FROM events WHERE stream = 'audit-checkpoints'");
    renumber(db);
    rechain(db);
  });
  writeFileSync(join(h.home, 'audit', 'checkpoints.jsonl'), '');
  const forgerKey = join(root, `${randomUUID()}.pem`);
  t.is((await h.run(['keygen'], { EDITLEDGER_AUDIT_KEY: forgerKey })).code, ExitCode.ok);
  t.is((await h.run(['checkpoint'], { EDITLEDGER_AUDIT_KEY: forgerKey })).code, ExitCode.ok);
  t.is((await h.run(['verify'])).code, ExitCode.ok, 'without the public key the forgery is consistent');
  await verifiesTamperedAt(t, h, 12, /is signed by key [0-9a-f]{16}, not the given key/);
});
