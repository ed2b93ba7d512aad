import test from 'ava';
import {
  EditAlreadyRetractedError,
  EditNotFoundError,
  InvalidFieldError,
  SourceConflictError,
} from '../domain/errors.ts';
import type { EditRequest } from '../domain/dataset-formats.ts';
import type { AppendResult } from '../domain/ports/event-store.ts';
import { WrongExpectedRevisionError } from '../domain/ports/event-store.ts';
import { LedgerService } from '../domain/edit-use-cases.ts';
import { submitData } from './helpers/edit-fixtures.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';
import { allEvents, context, newLedger } from './helpers/ledger-builders.ts';

test('a redelivered source is a no-op that returns the first result', async (t) => {
  const ledger = newLedger();
  await ledger.submit('acme::ceo', 'old');
  const first = await ledger.submit('acme::ceo', 'new', 'Jane');
  await ledger.submit('other::ceo', 'unrelated');
  const again = await ledger.submit('acme::ceo', 'new', 'Jane');
  t.is(first.outcome, 'submitted');
  t.deepEqual(again, { ...first, outcome: 'duplicate', status: 'active' });
  t.is((await ledger.events()).length, 4);
});

test('the same source for a different fact is a SourceConflictError and appends nothing', async (t) => {
  const ledger = newLedger();
  await ledger.submit('acme::ceo', 'T-1');
  await t.throwsAsync(ledger.submit('beta::ceo', 'T-1'), { instanceOf: SourceConflictError, message: /source\.ref/ });
  t.is(await ledger.store.headPosition(), 1);
});

/** A store where, before each of our next `races` appends, a rival writer appends to the store first. */
class RacingStore extends MemoryEventStore {
  races = 0;
  rival: () => Promise<unknown> = async () => undefined;
  override async append(...args: Parameters<MemoryEventStore['append']>): Promise<AppendResult> {
    if (this.races > 0) {
      this.races -= 1;
      await this.rival();
    }
    return super.append(...args);
  }
  /** The same store as seen by the rival: its appends do not trigger races. */
  get direct(): MemoryEventStore {
    return new Proxy(this, {
      get: (target, key) =>
        key === 'append' ? MemoryEventStore.prototype.append.bind(target) : Reflect.get(target, key),
    });
  }
}

const submitAs = (ref: string, target = ref) =>
  submitData({ factKey: 'acme::ceo', target, source: { system: 's', ref } });

test('losing a race on the fact stream is retried: the later writer supersedes the winner', async (t) => {
  const store = new RacingStore();
  const rival = new LedgerService(store.direct);
  store.races = 1;
  store.rival = () => rival.submitEdit(submitAs('rival'), context);
  const result = await new LedgerService(store).submitEdit(submitAs('mine'), context);
  t.is(result.outcome, 'submitted');
  const events = (await allEvents(store)).map((e) => e.event);
  t.deepEqual(
    events.map((e) => e.type),
    ['EditSubmitted', 'EditSuperseded', 'EditSubmitted'],
  );
  t.is(result.supersededEditId, events[0]?.type === 'EditSubmitted' ? events[0].data.editId : 'missing');
});

test('when every attempt loses the race, the WrongExpectedRevisionError surfaces and nothing of ours is written', async (t) => {
  const store = new RacingStore();
  const rival = new LedgerService(store.direct);
  let n = 0;
  store.races = 100;
  store.rival = () => rival.submitEdit(submitAs(`rival-${n++}`), context);
  await t.throwsAsync(new LedgerService(store, { maxAttempts: 3 }).submitEdit(submitAs('mine'), context), {
    instanceOf: WrongExpectedRevisionError,
  });
  const refs = (await allEvents(store)).flatMap((e) =>
    e.event.type === 'EditSubmitted' ? [e.event.data.source.ref] : [],
  );
  t.deepEqual(refs, ['rival-0', 'rival-1', 'rival-2']);
});

test('two racing retractions of one edit: the loser decides again and gets EditAlreadyRetractedError', async (t) => {
  const store = new RacingStore();
  const rival = new LedgerService(store.direct);
  const { editId } = await rival.submitEdit(submitAs('x'), context);
  store.races = 1;
  store.rival = () => rival.retractEdit({ editId, factKey: 'acme::ceo', reason: 'first', by: 'carol' }, context);
  await t.throwsAsync(
    new LedgerService(store).retractEdit({ editId, factKey: 'acme::ceo', reason: 'second', by: 'dave' }, context),
    {
      instanceOf: EditAlreadyRetractedError,
    },
  );
  const reasons = (await allEvents(store)).flatMap((e) =>
    e.event.type === 'EditRetracted' ? [e.event.data.reason] : [],
  );
  t.deepEqual(reasons, ['first']);
});

test('retract finds the fact key through locateEdit; an unknown edit is EditNotFoundError', async (t) => {
  const store = new MemoryEventStore();
  const facts = new Map<string, string>();
  const service = new LedgerService(store, { locateEdit: async (id) => facts.get(id) });
  const submitted = await service.submitEdit(submitData({ factKey: 'acme::ceo' }), context);
  facts.set(submitted.editId, submitted.factKey);
  const retracted = await service.retractEdit({ editId: submitted.editId, reason: 'wrong', by: 'bob' }, context);
  t.deepEqual(retracted, { editId: submitted.editId, factKey: 'acme::ceo', position: 2 });
  await t.throwsAsync(
    service.retractEdit({ editId: '00000000-0000-4000-8000-000000000001', reason: 'x', by: 'bob' }, context),
    {
      instanceOf: EditNotFoundError,
    },
  );
});

const request = (i: number, factKey = `fact-${i}::q`): EditRequest => ({
  factKey,
  prompt: `Question ${i}?`,
  target: `Answer ${i}`,
  rephrase: [],
  locality: [],
});

test('import groups by fact key (one append per fact), and a re-import appends nothing', async (t) => {
  const store = new MemoryEventStore();
  const service = new LedgerService(store);
  const requests = [request(1), request(2, 'shared::q'), request(3), request(4, 'shared::q')];
  const progress: number[] = [];
  const options = {
    system: 'import',
    submittedBy: 'alice',
    reason: 'bulk',
    onProgress: (p: { done: number }) => progress.push(p.done),
  };
  const first = await service.importEdits(requests, options, context);
  t.like(first, { total: 4, submitted: 4, duplicates: 0, superseded: 1, position: 5 });
  t.is(store.appendCalls, 3);
  t.deepEqual(progress, [1, 3, 4]);
  const second = await service.importEdits(requests, options, context);
  t.like(second, { submitted: 0, duplicates: 4, position: 5 });
  t.is(await store.headPosition(), 5);
});

test('import validates every record before appending anything', async (t) => {
  const store = new MemoryEventStore();
  const service = new LedgerService(store);
  const bad = { ...request(2), target: '' };
  const error = await t.throwsAsync(
    service.importEdits([request(1), bad], { system: 'import', submittedBy: 'a', reason: 'r' }, context),
    {
      instanceOf: InvalidFieldError,
    },
  );
  t.is(error?.field, 'requests[1].target');
  t.is(await store.headPosition(), 0);
});
