// Artifact store: content addressing, atomic writes, verification on load, corruption detected and replaceable.
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArtifactNotFoundError,
  ArtifactStore,
  CorruptArtifactError,
  artifactUri,
  parseArtifactUri,
  sha256Bytes,
} from '../infra/artifacts/artifact-store.ts';

async function freshStore() {
  const root = await mkdtemp(join(tmpdir(), 'artifacts-'));
  return { root, store: await ArtifactStore.open(root), cleanup: () => rm(root, { recursive: true, force: true }) };
}

const delta = Buffer.from('weights: 1 2 3');
const files = (manifest = '{"run":1}') =>
  new Map<string, Uint8Array>([
    ['delta.safetensors', delta],
    ['manifest.json', Buffer.from(manifest)],
  ]);

test('put names the artifact by the sha256 of its primary file and load returns the same bytes', async (t) => {
  const { store, cleanup } = await freshStore();
  t.teardown(cleanup);
  const put = await store.put({ primary: 'delta.safetensors', files: files() });
  t.is(put.sha256, sha256Bytes(delta));
  t.false(put.reused);
  const loaded = await store.load(put.sha256);
  t.deepEqual(Buffer.from(loaded.files.get('delta.safetensors')!), delta);
  t.is(Buffer.from(loaded.files.get('manifest.json')!).toString(), '{"run":1}');
  t.deepEqual(await store.list(), [put.sha256]);
});

test('the same primary bytes again reuse the stored artifact (first manifest wins), leaving no temp folder', async (t) => {
  const { root, store, cleanup } = await freshStore();
  t.teardown(cleanup);
  const first = await store.put({ primary: 'delta.safetensors', files: files('{"run":1}') });
  const second = await store.put({ primary: 'delta.safetensors', files: files('{"run":2}') });
  t.true(second.reused);
  t.is(second.sha256, first.sha256);
  t.is(Buffer.from((await store.load(first.sha256)).files.get('manifest.json')!).toString(), '{"run":1}');
  t.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('concurrent puts of the same bytes converge on one intact artifact', async (t) => {
  const { store, cleanup } = await freshStore();
  t.teardown(cleanup);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => store.put({ primary: 'delta.safetensors', files: files(`{"run":${i}}`) })),
  );
  t.is(new Set(results.map((r) => r.sha256)).size, 1);
  t.true((await store.verify(results[0]!.sha256)).ok);
});

test('a flipped byte, a missing file or a broken descriptor is detected on load as CorruptArtifactError', async (t) => {
  const { store, cleanup } = await freshStore();
  t.teardown(cleanup);
  const { sha256, dir } = await store.put({ primary: 'delta.safetensors', files: files() });
  const bytes = await readFile(join(dir, 'delta.safetensors'));
  bytes[3] = bytes[3]! ^ 0xff;
  await writeFile(join(dir, 'delta.safetensors'), bytes);
  const flipped = await t.throwsAsync(store.load(sha256), { instanceOf: CorruptArtifactError });
  t.regex(flipped?.message ?? '', /delta\.safetensors/);

  await writeFile(join(dir, 'delta.safetensors'), delta);
  t.true((await store.verify(sha256)).ok);
  await unlink(join(dir, 'manifest.json'));
  await t.throwsAsync(store.load(sha256), { instanceOf: CorruptArtifactError, message: /manifest\.json is missing/ });

  await writeFile(join(dir, 'manifest.json'), '{"run":1}');
  await writeFile(join(dir, 'artifact.json'), '{not json');
  const verdict = await store.verify(sha256);
  t.false(verdict.ok);
  if (!verdict.ok) t.false(verdict.missing);
});

test('putting the same bytes over a corrupted copy moves the copy aside and stores an intact one', async (t) => {
  const { root, store, cleanup } = await freshStore();
  t.teardown(cleanup);
  const { sha256, dir } = await store.put({ primary: 'delta.safetensors', files: files() });
  await writeFile(join(dir, 'delta.safetensors'), 'garbage');
  const again = await store.put({ primary: 'delta.safetensors', files: files() });
  t.false(again.reused);
  t.truthy(again.replacedCorrupt);
  t.true((await store.verify(sha256)).ok);
  t.is((await readdir(join(root, 'corrupt'))).length, 1);
});

test('a missing artifact is ArtifactNotFoundError; temp folders of dead processes are swept on open', async (t) => {
  const { root, store, cleanup } = await freshStore();
  t.teardown(cleanup);
  await t.throwsAsync(store.load('0'.repeat(64)), { instanceOf: ArtifactNotFoundError });
  await mkdir(join(root, 'tmp', '999999999-abc'), { recursive: true });
  await writeFile(join(root, 'tmp', '999999999-abc', 'delta.safetensors'), 'half');
  await ArtifactStore.open(root);
  t.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('artifact URIs round-trip and bad input names the field', (t) => {
  const hash = sha256Bytes(delta);
  t.is(parseArtifactUri(artifactUri(hash)), hash);
  t.throws(() => parseArtifactUri('file:///x'), { message: /artifactUri/ });
});
