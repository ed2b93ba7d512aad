// The file dead-letter sink is bounded: oversized payloads are cut, the file rotates, the oldest rotated file is
// deleted, and `dropped` counts what the caps removed (issue 11: garbage bodies must not grow the disk unbounded).
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterOf, FileDeadLetterSink } from '../infra/ingest/dead-letters.ts';

function entry(payload: string, index: number) {
  return deadLetterOf(
    { key: undefined, offset: String(index), payload: Buffer.from(payload) },
    'test',
    'payload',
    'bad',
    new Date(0),
  );
}

test('payloads over the limit are cut and say how long they were', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-dl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sink = new FileDeadLetterSink(join(dir, 'dl.jsonl'), { maxPayloadBytes: 100 });
  await sink.write([entry('x'.repeat(15_000), 0), entry('short', 1)]);
  const [long, short] = readFileSync(join(dir, 'dl.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.is(long.payload.length, 100);
  t.is(long.payloadTruncatedFrom, 15_000);
  t.is(short.payload, 'short');
  t.is(short.payloadTruncatedFrom, undefined);
  t.is(sink.dropped.payloadBytes, 14_900);
});

test('the file rotates past its size, keeps N rotated files, and counts the entries of the one it deletes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-dl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dl.jsonl');
  const sink = new FileDeadLetterSink(path, { maxFileBytes: 2_000, keepFiles: 2, maxPayloadBytes: 500 });
  for (let i = 0; i < 60; i++) await sink.write([entry('y'.repeat(400), i)]);
  const files = readdirSync(dir).sort();
  t.deepEqual(files, ['dl.jsonl', 'dl.jsonl.1', 'dl.jsonl.2']);
  const total = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  t.true(total < 3 * (2_000 + 600), `all files together stay bounded (${total} bytes)`);
  const kept = files.reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').trim().split('\n').length, 0);
  t.is(kept + sink.dropped.entries, 60, 'every entry is either kept or counted as dropped');
  t.true(sink.dropped.entries > 0);
});
