// The trainer consumer's policy and its cursor, with an in-memory ledger and a fake materializer:
// after N edit events, after T idle, on demand, a backlog right after catching up, resume from the cursor.
import test from 'ava';
import type { MaterializeOptions, MaterializeResult } from '../trainer/consumer/materializer.ts';
import type { CursorStore, LogRecord } from '../domain/ports/trainer.ts';
import { TrainerConsumer } from '../trainer/consumer/trainer-consumer.ts';
import type { TrainerPolicy } from '../trainer/consumer/trainer-consumer.ts';
import { newLedger } from './helpers/ledger-builders.ts';

class MemoryCursor implements CursorStore {
  saved: number[] = [];
  constructor(private position = 0) {}
  async load() {
    return this.position;
  }
  async save(position: number) {
    this.position = position;
    this.saved.push(position);
  }
}

function fakeMaterializer(fail = false) {
  const calls: MaterializeOptions[] = [];
  return {
    calls,
    async materialize(options: MaterializeOptions = {}): Promise<MaterializeResult> {
      calls.push(options);
      if (fail) throw new Error('training failed');
      return {
        outcome: 'materialized',
        position: options.position ?? 0,
        promoted: options.promoteReason !== undefined,
        durationMs: 1,
        version: { ordinal: calls.length } as MaterializeResult['version'],
      };
    },
  };
}

function consumerWith(
  ledger: ReturnType<typeof newLedger>,
  policy: TrainerPolicy,
  cursor = new MemoryCursor(),
  fail = false,
) {
  const materializer = fakeMaterializer(fail);
  const logs: LogRecord[] = [];
  const consumer = new TrainerConsumer({
    store: ledger.store,
    materializer,
    cursor,
    policy,
    log: (r) => logs.push(r),
  });
  return { consumer, materializer, cursor, logs };
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runOnce: nothing pending -> no round; pending edits -> one round at the newest edit position, then the cursor moves', async (t) => {
  const ledger = newLedger();
  const { consumer, materializer, cursor } = consumerWith(ledger, { everyEdits: 100, idleMs: 60_000 });
  t.is(await consumer.runOnce(), undefined);
  await ledger.submit('a::x', 'r1');
  const last = await ledger.submit('b::x', 'r2');
  const result = await consumer.runOnce();
  t.is(result?.position, last.position);
  t.deepEqual(
    materializer.calls.map((c) => c.position),
    [last.position],
  );
  t.regex(materializer.calls[0]!.promoteReason ?? '', /latest edit set/);
  t.deepEqual(cursor.saved, [last.position]);
  t.is(await consumer.runOnce(), undefined, 'a restart with the saved cursor finds nothing new');
});

test('run: materializes after N edit events, not before', async (t) => {
  const ledger = newLedger();
  const { consumer, materializer } = consumerWith(ledger, { everyEdits: 3, idleMs: 60_000 });
  const controller = new AbortController();
  const running = consumer.run(controller.signal);
  await ledger.submit('a::x', 'r1');
  await ledger.submit('b::x', 'r2');
  await sleep(300);
  t.is(materializer.calls.length, 0);
  const third = await ledger.submit('c::x', 'r3');
  t.true(await until(() => materializer.calls.length === 1));
  t.is(materializer.calls[0]!.position, third.position);
  controller.abort();
  await running;
});

test('run: materializes after T idle with fewer than N pending, and on demand', async (t) => {
  const ledger = newLedger();
  const idle = consumerWith(ledger, { everyEdits: 100, idleMs: 150, promote: false });
  const controller = new AbortController();
  const running = idle.consumer.run(controller.signal);
  const first = await ledger.submit('a::x', 'r1');
  t.true(await until(() => idle.materializer.calls.length === 1));
  t.deepEqual(idle.materializer.calls[0], { position: first.position });
  controller.abort();
  await running;

  const demand = consumerWith(ledger, { everyEdits: 100, idleMs: 60_000 }, new MemoryCursor(first.position));
  const controller2 = new AbortController();
  const running2 = demand.consumer.run(controller2.signal);
  const second = await ledger.submit('b::x', 'r2');
  await sleep(200);
  t.is(demand.materializer.calls.length, 0);
  demand.consumer.requestNow();
  t.true(await until(() => demand.materializer.calls.length === 1));
  t.is(demand.materializer.calls[0]!.position, second.position);
  controller2.abort();
  await running2;
});

test('run: a backlog found while catching up is materialized right away; a failed round keeps the cursor', async (t) => {
  const ledger = newLedger();
  await ledger.submit('a::x', 'r1');
  const last = await ledger.submit('b::x', 'r2');
  const ok = consumerWith(ledger, { everyEdits: 100, idleMs: 60_000 });
  const controller = new AbortController();
  const running = ok.consumer.run(controller.signal);
  t.true(await until(() => ok.materializer.calls.length === 1));
  t.is(ok.materializer.calls[0]!.position, last.position);
  t.true(await until(() => ok.cursor.saved.length === 1));
  controller.abort();
  await running;

  const failing = consumerWith(ledger, { everyEdits: 100, idleMs: 60_000 }, new MemoryCursor(), true);
  const controller2 = new AbortController();
  const running2 = failing.consumer.run(controller2.signal);
  t.true(await until(() => failing.logs.some((l) => l.level === 'error')));
  controller2.abort();
  await running2;
  t.deepEqual(failing.cursor.saved, []);
});
