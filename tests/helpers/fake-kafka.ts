// An in-process stand-in for a Kafka broker behind the kafkajs consumer API (FakeKafkaBroker, FakeKafkaConsumer), so
// the Kafka adapter's offset handling runs through the ingestion contract on every machine.
import type { Batch, ConsumerRunConfig, ConsumerSubscribeTopics, KafkaMessage } from 'kafkajs';
import type { KafkaConsumerLike } from '../../infra/ingest/kafka-source.ts';
import { sleep } from './ingestion-contract.ts';

// FakeKafkaBroker: one-partition topics and group offsets in memory, behind the kafkajs consumer API as far as the
// adapter uses it, with kafkajs 2.x semantics (src/consumer/runner.js, offsetManager): a fetch starts at the
// partition's resolved offset (initially the committed one), so an offset left unresolved is fetched again;
// eachBatchAutoResolve (default true) resolves the batch's last offset after eachBatch returns;
// commitOffsetsIfNecessary() commits the resolved offset when autoCommitThreshold/autoCommitInterval say so; with
// autoCommit (default true) the runner commits the resolved offset after each batch and when eachBatch throws.

interface FakeRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export class FakeKafkaBroker {
  private readonly logs = new Map<string, FakeRecord[]>();
  private readonly offsets = new Map<string, number>();

  produce(topic: string, values: readonly string[], key?: string): void {
    const log = this.log(topic);
    for (const value of values)
      log.push({ key: key === undefined ? null : Buffer.from(key), value: Buffer.from(value) });
  }

  log(topic: string): FakeRecord[] {
    let log = this.logs.get(topic);
    if (log === undefined) this.logs.set(topic, (log = []));
    return log;
  }

  /** The group's committed offset (the next offset to read), 0 when it has none. */
  committed(groupId: string, topic: string): number {
    return this.offsets.get(`${groupId}\u0000${topic}`) ?? 0;
  }

  hasCommitted(groupId: string, topic: string): boolean {
    return this.offsets.has(`${groupId}\u0000${topic}`);
  }

  commit(groupId: string, topic: string, offset: number): void {
    this.offsets.set(`${groupId}\u0000${topic}`, offset);
  }

  consumer(groupId: string): FakeKafkaConsumer {
    return new FakeKafkaConsumer(this, groupId);
  }
}

export class FakeKafkaConsumer implements KafkaConsumerLike {
  /** eachBatch calls so far (a re-delivery is another call). */
  batches = 0;
  private topic = '';
  private fromBeginning = false;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly broker: FakeKafkaBroker,
    readonly groupId: string,
  ) {}

  async connect(): Promise<void> {}

  async subscribe(subscription: ConsumerSubscribeTopics): Promise<void> {
    const [topic] = subscription.topics;
    if (typeof topic !== 'string' || subscription.topics.length !== 1)
      throw new Error('FakeKafkaConsumer: exactly one topic name');
    this.topic = topic;
    this.fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(config: ConsumerRunConfig): Promise<void> {
    if (config.eachBatch === undefined) throw new Error('FakeKafkaConsumer: only eachBatch is supported');
    this.running = true;
    this.loop = this.consume(config);
  }

  async disconnect(): Promise<void> {
    this.running = false; // like kafkajs: the batch in flight finishes, nothing new starts
    await this.loop;
  }

  private crashListeners: Array<(error: Error, restart: boolean) => void> = [];

  onCrash(listener: (error: Error, restart: boolean) => void): void {
    this.crashListeners.push(listener);
  }

  /** Simulate kafkajs' CRASH event: the consumer stops; `restart` says whether kafkajs would restart it. */
  crash(error: Error, restart: boolean): void {
    if (!restart) this.running = false;
    for (const listener of this.crashListeners) listener(error, restart);
  }

  private async consume(config: ConsumerRunConfig): Promise<void> {
    const { broker, groupId, topic } = this;
    const eachBatch = config.eachBatch!;
    const autoCommit = config.autoCommit ?? true;
    const threshold = config.autoCommitThreshold ?? null;
    const interval = config.autoCommitInterval ?? null;
    let lastCommit = Date.now();
    let resolved = broker.hasCommitted(groupId, topic)
      ? broker.committed(groupId, topic)
      : this.fromBeginning
        ? 0
        : broker.log(topic).length;
    const commit = (): void => {
      if (resolved > broker.committed(groupId, topic)) broker.commit(groupId, topic, resolved);
      lastCommit = Date.now();
    };
    const commitIfNecessary = (): void => {
      const pending = resolved - broker.committed(groupId, topic);
      if (pending <= 0) return;
      if ((threshold !== null && pending >= threshold) || (interval !== null && Date.now() >= lastCommit + interval))
        commit();
    };
    while (this.running) {
      const log = broker.log(topic);
      if (resolved >= log.length) {
        await sleep(5);
        continue;
      }
      const first = resolved;
      const records = log.slice(first, first + 100);
      const messages: KafkaMessage[] = records.map((r, i) => ({
        key: r.key,
        value: r.value,
        timestamp: String(Date.now()),
        attributes: 0,
        offset: String(first + i),
        headers: {},
      }));
      const lastOffset = String(first + records.length - 1);
      const batch: Batch = {
        topic,
        partition: 0,
        highWatermark: String(log.length),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => String(first),
        lastOffset: () => lastOffset,
        offsetLag: () => String(log.length - 1 - Number(lastOffset)),
        offsetLagLow: () => String(log.length - 1 - first),
      };
      this.batches += 1;
      try {
        await eachBatch({
          batch,
          resolveOffset: (offset) => {
            resolved = Number(offset) + 1;
          },
          heartbeat: async () => undefined,
          pause: () => () => undefined,
          commitOffsetsIfNecessary: async (offsets) => {
            if (offsets !== undefined) throw new Error('FakeKafkaConsumer: explicit offsets are not supported');
            commitIfNecessary();
          },
          uncommittedOffsets: () => ({ topics: [] }),
          isRunning: () => this.running,
          isStale: () => false,
        });
        if (config.eachBatchAutoResolve ?? true) resolved = Number(lastOffset) + 1;
        if (autoCommit) commit();
      } catch {
        if (autoCommit) commit();
        await sleep(10);
      }
    }
  }
}
