// The sealing store decorator (infra/eventstore/sealing-event-store.ts): personal fields are stored as ciphertext,
// read back as plaintext, deterministically (a redelivery is byte-identical); altered ciphertext is refused with its
// position; after a key is destroyed they read [erased], also in another process that had the key cached.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainPages, walkChain } from '../domain/chain-walk.ts';
import { SealingEventStore } from '../infra/eventstore/sealing-event-store.ts';
import { SqliteDataSubjectKeys } from '../infra/keys/data-subject-key-store.ts';
import type { EventStore, NewEvent } from '../domain/ports/event-store.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

async function keyFile(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'editledger-sealing-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'keys', 'data-subjects.db');
}

/** A sealing store over a fresh in-memory store, with its own key file. */
async function sealedMemoryStore(t: { teardown(fn: () => Promise<void>): void }) {
  const keys = SqliteDataSubjectKeys.open(await keyFile(t));
  const inner = new MemoryEventStore();
  return { keys, inner, store: new SealingEventStore(inner, keys) };
}

function submitted(id: string, subjectKeyId: string | undefined): NewEvent {
  return {
    id,
    type: 'EditSubmitted',
    data: {
      editId: id,
      prompt: 'Ada Quill lives in',
      target: 'Fernhollow',
      rephrase: ['Where does Ada Quill live?'],
      reason: 'her own request',
      submittedBy: 'alice',
      ...(subjectKeyId !== undefined && { subjectKeyId }),
    },
    metadata: { actor: 'alice', channel: 'test' },
  };
}

test('personal fields are stored sealed, read back opened, and sealing is deterministic', async (t) => {
  const { keys, inner, store } = await sealedMemoryStore(t);
  const keyId = await keys.keyIdFor('person-1');
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000001', keyId)], 'any');
  const [raw] = await inner.readStream('s');
  const rawText = JSON.stringify(raw);
  for (const plain of ['Ada Quill', 'Fernhollow', 'her own request', 'alice'])
    t.false(rawText.includes(plain), `${plain} is not stored in clear`);
  const [opened] = await store.readStream('s');
  t.like(opened!.data, { prompt: 'Ada Quill lives in', target: 'Fernhollow', reason: 'her own request' });
  t.deepEqual((opened!.data as { rephrase: string[] }).rephrase, ['Where does Ada Quill live?']);
  t.is(opened!.metadata.actor, 'alice');
  // The same event again is byte-identical, so the store's id check sees a redelivery, not a conflict.
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000001', keyId)], 'any');
  t.is((await inner.readStream('s')).length, 1);
  keys.close();
});

test('without a data subject the content stays in clear; actor and reason are still sealed', async (t) => {
  const { keys, inner, store } = await sealedMemoryStore(t);
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000002', undefined)], 'any');
  const rawText = JSON.stringify((await inner.readStream('s'))[0]);
  t.true(rawText.includes('Fernhollow'));
  t.false(rawText.includes('her own request'));
  t.false(rawText.includes('"alice"'));
  keys.close();
});

test('altered ciphertext is refused, naming the position and the field', async (t) => {
  const { keys, inner, store } = await sealedMemoryStore(t);
  const keyId = await keys.keyIdFor('person-1');
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000003', keyId)], 'any');
  const [raw] = await inner.readStream('s');
  const data = raw!.data as Record<string, string>;
  const sealed = data.target!;
  const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
  const forged = new SealingEventStore(
    {
      ...inner,
      readStream: async () => [{ ...raw!, data: { ...data, target: flipped } }],
    } as unknown as MemoryEventStore,
    keys,
  );
  await t.throwsAsync(forged.readStream('s'), { message: /position 1 .*data\.target does not open/ });
  keys.close();
});

test('after erasure the fields read [erased], also in a process that had the key cached', async (t) => {
  const path = await keyFile(t);
  const keysA = SqliteDataSubjectKeys.open(path);
  const keysB = SqliteDataSubjectKeys.open(path);
  const inner = new MemoryEventStore();
  const a = new SealingEventStore(inner, keysA);
  const b = new SealingEventStore(inner, keysB);
  const keyId = await keysA.keyIdFor('person-1');
  await a.append('s', [submitted('00000000-0000-4000-8000-000000000004', keyId)], 'any');
  t.like((await b.readStream('s'))[0]!.data, { target: 'Fernhollow' }, 'B opened it, and caches the key');
  await keysA.destroy(keyId);
  a.forget(keyId); // as the erasure use case does in its own process
  await a.append(
    'model',
    [
      {
        id: '00000000-0000-4000-8000-000000000005',
        type: 'DataSubjectErased',
        data: { keyId, erasedEditIds: [], retiredVersionIds: [], erasedBy: 'dpo', reason: 'request' },
        metadata: { actor: 'dpo', channel: 'test' },
      },
    ],
    'any',
  );
  for await (const _ of b.readAll()) {
    // reading the erasure event is what tells B
  }
  const [erased] = await b.readStream('s');
  t.like(erased!.data, { prompt: '[erased]', target: '[erased]', reason: '[erased]' });
  t.deepEqual((erased!.data as { rephrase: string[] }).rephrase, []);
  t.is(erased!.metadata.actor, 'alice', "the actor's own key is not the subject's");
  await t.throwsAsync(a.append('s', [submitted('00000000-0000-4000-8000-000000000006', keyId)], 'any'), {
    message: /was destroyed/,
  });
  keysA.close();
  keysB.close();
});

test('the chain is walked over what is stored (ciphertext), also for a store without readChain', async (t) => {
  const keys = SqliteDataSubjectKeys.open(await keyFile(t));
  const inner = new MemoryEventStore();
  t.is((inner as EventStore).readChain, undefined, 'the memory store, like EventStoreDB, has no raw chain reader');
  const store = new SealingEventStore(inner, keys);
  const keyId = await keys.keyIdFor('person-1');
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000007', keyId)], 'any');
  await store.append('s', [submitted('00000000-0000-4000-8000-000000000008', undefined)], 'any');
  const walked = await walkChain(chainPages(store), { scope: 'all' });
  t.true(walked.intact, JSON.stringify(walked.firstBreak));
  t.is(walked.verified, 2);
  keys.close();
});
