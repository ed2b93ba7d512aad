// The JSONL file adapter's own behaviour (lines, checkpoint, follow, truncation) and `editledger ingest file`.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { IngestBatch } from '../domain/ports/ingestion.ts';
import { command as ingest } from '../infra/cli/commands/ingest.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { FileIngestionSource } from '../infra/ingest/file-source.ts';
import { runCli } from './helpers/cli-harness.ts';
import { counterfact, zsre } from './helpers/ingestion-contract.ts';

const REPORT = { items: [], submitted: 0, duplicates: 0, superseded: 0, rejected: 0, position: 0 };

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-ingest-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const texts = (batch: IngestBatch | undefined) => batch?.messages.map((m) => Buffer.from(m.payload).toString('utf8'));

test('lines are read in batches; blank lines are skipped, CRLF is stripped, a last line without newline is read at the end', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, `a\r\n\n  \nb\nc\nd`);
  const source = await FileIngestionSource.open(path, { cursorPath: join(dir, 'cp.json'), maxBatch: 2 });
  const first = await source.next();
  t.deepEqual(texts(first), ['a', 'b']);
  t.deepEqual(
    first?.messages.map((m) => m.offset),
    ['0', '7'],
  );
  await first!.commit(REPORT);
  t.is(await source.committedOffset(), 9);
  const second = await source.next();
  t.deepEqual(texts(second), ['c', 'd']);
  await second!.commit(REPORT);
  t.is(await source.committedOffset(), 12);
  t.is(await source.next(), undefined, 'without follow the source ends at the end of the file');
});

test('a released batch is read again; a new source resumes at the committed offset', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'in.jsonl');
  const cursorPath = join(dir, 'cp.json');
  writeFileSync(path, 'a\nb\n');
  const source = await FileIngestionSource.open(path, { cursorPath, maxBatch: 1 });
  const first = await source.next();
  await first!.release(new Error('ledger down'));
  t.deepEqual(texts(await source.next()), ['a']);
  t.is(await source.committedOffset(), 0);
  const again = await FileIngestionSource.open(path, { cursorPath, maxBatch: 1 });
  const a = await again.next();
  t.deepEqual(texts(a), ['a']);
  await a!.commit(REPORT);
  const resumed = await FileIngestionSource.open(path, { cursorPath });
  t.deepEqual(texts(await resumed.next()), ['b']);
});

test('following: a line still being written is not taken until its newline arrives; stop() ends the wait', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, '');
  const source = await FileIngestionSource.open(path, { cursorPath: join(dir, 'cp.json'), follow: true, pollMs: 5 });
  appendFileSync(path, '{"half": ');
  const pending = source.next();
  await new Promise((resolve) => setTimeout(resolve, 40));
  appendFileSync(path, 'true}\n');
  t.deepEqual(texts(await pending), ['{"half": true}']);
  const waiting = source.next();
  await source.stop();
  t.is(await waiting, undefined);
});

test('a file shorter than its committed offset is an error that says what to do', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'in.jsonl');
  const cursorPath = join(dir, 'cp.json');
  writeFileSync(path, 'aaaa\nbbbb\n');
  const source = await FileIngestionSource.open(path, { cursorPath });
  await (await source.next())!.commit(REPORT);
  truncateSync(path, 3);
  await t.throwsAsync(source.next(), {
    message: /is shorter \(3 bytes\) than its committed offset 10: was it truncated or replaced\? Delete .*cp\.json/,
  });
});

test('editledger ingest file: records the file, dead-letters bad lines, and a second run resumes (nothing new)', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'corrections.jsonl');
  writeFileSync(path, `${zsre(1)}\n{"src": "Where is Creek 2?"}\n${counterfact(3)}\n`);
  const run = () =>
    runCli(ingest, ['file', 'corrections.jsonl', '--home', 'home', '--json'], { cwd: dir, env: { USER: 'tester' } });
  const first = await run();
  t.is(first.code, ExitCode.ok, first.stderr);
  t.like(JSON.parse(first.stdout), { channel: `file:${path}`, submitted: 2, rejected: 1, duplicates: 0 });
  t.regex(first.stderr, /reading .*corrections\.jsonl from byte 0/);
  t.regex(first.stderr, /file:.*corrections\.jsonl \d+: rejected, alt: missing/);
  const deadLetters = readFileSync(join(dir, 'home', 'ingest', 'dead-letters.jsonl'), 'utf8');
  t.regex(deadLetters, /"field":"alt"/);

  appendFileSync(path, `${zsre(4)}\n`);
  const second = await run();
  t.is(second.code, ExitCode.ok, second.stderr);
  t.like(JSON.parse(second.stdout), { submitted: 1, rejected: 0, duplicates: 0, messages: 1 });

  const missing = await runCli(ingest, ['file', 'nope.jsonl', '--home', 'home'], { cwd: dir, env: { USER: 'tester' } });
  t.is(missing.code, ExitCode.notFound);
});
