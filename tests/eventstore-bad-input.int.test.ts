// The embedded SQLite event store refuses what it cannot store faithfully, and files it cannot trust: bad appends,
// damaged or foreign database files and damaged stored JSON give clear errors naming what is wrong, and change
// nothing already stored.

import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { type JsonValue, type NewEvent, type RecordedEvent } from '../domain/ports/event-store.ts';
import { EventStoreCorruptedError, EventStoreUnavailableError, InvalidEventError } from '../infra/eventstore/errors.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { importBatch, importStream } from './helpers/event-store-child.ts';
import { mulberry32 } from './helpers/mulberry32.ts';

const root = mkdtempSync(join(tmpdir(), 'editledger-bad-input-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

async function readEverything(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const e of store.readAll()) all.push(e);
  return all;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function seededStore(dir: string): Promise<{ path: string; events: RecordedEvent[] }> {
  const path = join(root, dir, 'ledger.db');
  const store = SqliteEventStore.open(path);
  for (let b = 0; b < 40; b++) await store.append(importStream(b), importBatch(b, 25), 'any');
  const events = await readEverything(store);
  await store.close(); // checkpoints the WAL into the main file and removes it
  return { path, events };
}

test('bad appends are rejected with an error naming the field, and nothing stored changes', async (t) => {
  const { path, events: before } = await seededStore('bad-input');
  const store = SqliteEventStore.open(path);
  const valid: NewEvent = { id: randomUUID(), type: 'EditSubmitted', data: { prompt: 'p', target: 't' }, metadata: {} };
  const huge = 'x'.repeat(16 * 1024 * 1024);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['stream is a number', () => store.append(42 as unknown as string, [valid], 'any'), 'stream'],
    ['events is not an array', () => store.append('s', valid as unknown as NewEvent[], 'any'), 'events'],
    ['an event is null', () => store.append('s', [valid, null as unknown as NewEvent], 'any'), 'events[1]'],
    [
      'data missing',
      () => store.append('s', [{ ...valid, data: undefined as unknown as JsonValue }], 'any'),
      'events[0].data',
    ],
    [
      'metadata missing',
      () => store.append('s', [{ id: valid.id, type: 'T', data: 1 } as unknown as NewEvent], 'any'),
      'events[0].metadata',
    ],
    [
      'type is a number',
      () => store.append('s', [{ ...valid, type: 7 as unknown as string }], 'any'),
      'events[0].type',
    ],
    [
      'invalid UTF-8 decoded as lone surrogates',
      () => store.append('s', [{ ...valid, data: { text: String.fromCharCode(0xd83d) + 'x' } }], 'any'),
      'events[0].data.text',
    ],
    [
      'raw invalid UTF-8 bytes',
      () => store.append('s', [{ ...valid, data: Buffer.from([0xc3, 0x28]) as unknown as JsonValue }], 'any'),
      'events[0].data',
    ],
    [
      '16 MiB string (limit: 1 MiB of JSON per event)',
      () => store.append('s', [{ ...valid, data: { text: huge } }], 'any'),
      'events[0]',
    ],
    [
      '1 MiB + 1 byte of metadata',
      () => store.append('s', [{ ...valid, metadata: { note: 'y'.repeat(1_048_576) } }], 'any'),
      'events[0]',
    ],
    ['stream name over 1000 characters', () => store.append('s'.repeat(1001), [valid], 'any'), 'stream'],
    [
      'duplicate id of a stored event with other content, mid-batch',
      () => store.append('s', [valid, { ...before[0]!, data: { changed: true } }], 'any'),
      'n/a',
    ],
  ];
  for (const [label, run, field] of cases) {
    const error = await t.throwsAsync(run(), undefined, label);
    if (field === 'n/a') t.is(error?.name, 'EventIdConflictError', label);
    else {
      t.true(error instanceof InvalidEventError, `${label}: ${error?.name}`);
      t.is((error as InvalidEventError).field, field, label);
    }
  }
  const mib = await t.throwsAsync(store.append('s', [{ ...valid, data: { text: huge } }], 'any'));
  t.regex(mib?.message ?? '', /limit is 1048576 bytes per event/);
  t.deepEqual(await readEverything(store), before, 'nothing stored changed');
  t.deepEqual(await store.readStream('s'), []);
  await store.close();
});

test('a damaged or foreign database file is refused with an error naming it, and the file is left as it was', async (t) => {
  const { path: source } = await seededStore('damage-source');
  const original = readFileSync(source);
  const pageSize = 4096;
  const damaged = (name: string, bytes: Buffer): string => {
    const dir = join(root, 'damaged', name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'ledger.db');
    writeFileSync(path, bytes);
    return path;
  };
  const random = mulberry32(7);
  const noise = Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256)));
  mkdirSync(join(root, 'damaged'), { recursive: true });
  const foreign = join(root, 'damaged', 'foreign.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
  other.close();
  const cases: Array<[string, string]> = [
    ['random bytes', damaged('random', noise)],
    ['truncated to half', damaged('half', original.subarray(0, Math.floor(original.length / 2)))],
    ['truncated inside the header', damaged('header', original.subarray(0, 60))],
    ['a SQLite database of another application', foreign],
  ];
  for (const [label, path] of cases) {
    const hash = sha256(path);
    const error = t.throws(() => SqliteEventStore.open(path), { instanceOf: EventStoreCorruptedError }, label);
    t.true(error?.message.includes(path), `${label}: the message names the file`);
    t.is(sha256(path), hash, `${label}: the file is unchanged`);
  }

  // A page in the middle overwritten: found by the integrity check on open.
  const middle = damaged('page', original);
  const fd = openSync(middle, 'r+');
  const pages = Math.floor(statSync(middle).size / pageSize);
  writeSync(fd, noise.subarray(0, pageSize), 0, pageSize, Math.floor(pages / 2) * pageSize);
  closeSync(fd);
  t.throws(() => SqliteEventStore.open(middle, { integrityCheck: true }), {
    instanceOf: EventStoreCorruptedError,
    message: /integrity check|malformed/,
  });

  const directory = join(root, 'damaged', 'a-directory');
  mkdirSync(directory, { recursive: true });
  t.throws(() => SqliteEventStore.open(directory), {
    instanceOf: EventStoreUnavailableError,
    message: /is a directory/,
  });

  // The source store is intact and still opens after all that.
  const store = SqliteEventStore.open(source, { integrityCheck: true });
  t.is(await store.headPosition(), 1000);
  await store.close();
});

test('an event whose stored JSON was damaged is reported with its position, not as a crash', async (t) => {
  const { path } = await seededStore('bad-row');
  const raw = new Database(path);
  raw.prepare('UPDATE events SET data = ? WHERE position = 500').run('{"prompt": "cut sh');
  raw.close();
  const store = SqliteEventStore.open(path);
  try {
    const error = await t.throwsAsync(readEverything(store), { instanceOf: EventStoreCorruptedError });
    t.regex(error?.message ?? '', /position 500 is not valid JSON/);
    t.is((await store.readStream(importStream(0), { maxCount: 3 })).length, 3, 'other events still read');
  } finally {
    await store.close();
  }
});
