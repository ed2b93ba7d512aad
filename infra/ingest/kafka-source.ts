// The Kafka ingestion adapter (kafkajs): a consumer group reads a topic of correction messages (one correction,
// a JSON object in a format `edit import` accepts, per message value; the key is only reported).
//
// Offsets are committed only after the ledger append: eachBatch runs with eachBatchAutoResolve off, hands the
// batch to the ingestion loop and waits. On commit, the batch's last offset is resolved and committed
// (resolveOffset + commitOffsetsIfNecessary with a threshold of one resolved offset). On release nothing is
// resolved, so the next fetch of the partition starts again at the batch's first offset: the batch is delivered
// again, and whatever of it was already appended is a no-op.
import type { Consumer, ConsumerRunConfig, ConsumerSubscribeTopics, EachBatchPayload, LogEntry } from 'kafkajs';
import type { IngestBatch, IngestionSource, IngestMessage } from '../../domain/ports/ingestion.ts';
import { ConnectionWatch } from './kafka-connection-watch.ts';
import { TrackedSockets } from './kafka-sockets.ts';
import { BatchHandoff, deferred } from './handoff.ts';

/** The few consumer operations the adapter needs; `fromKafkajs` wraps a kafkajs consumer, tests may pass a fake. */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  subscribe(subscription: ConsumerSubscribeTopics): Promise<void>;
  run(config: ConsumerRunConfig): Promise<void>;
  disconnect(): Promise<void>;
  /** Called when the consumer crashed; `restart` says whether kafkajs restarts it by itself. */
  onCrash(listener: (error: Error, restart: boolean) => void): void;
  /** Called after each (re)join of the group with this member's partitions of the topic (a rebalance). */
  onGroupJoin?(listener: (memberId: string, partitions: number[]) => void): void;
}

/** `sockets`: the connections the consumer was built with; what disconnect() leaves open is destroyed. */
export function fromKafkajs(
  consumer: Consumer,
  sockets?: TrackedSockets,
  log?: (line: string) => void,
): KafkaConsumerLike {
  return {
    connect: () => consumer.connect(),
    subscribe: (subscription) => consumer.subscribe(subscription),
    run: (config) => consumer.run(config),
    disconnect: async () => {
      try {
        await consumer.disconnect();
      } finally {
        const leaked = sockets?.destroyAll() ?? 0;
        if (leaked > 0) log?.(`kafka: closed ${leaked} connection${leaked === 1 ? '' : 's'} kafkajs left open`);
      }
    },
    onCrash: (listener) => {
      consumer.on(consumer.events.CRASH, (event) => listener(event.payload.error, event.payload.restart));
    },
    onGroupJoin: (listener) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) =>
        listener(event.payload.memberId, Object.values(event.payload.memberAssignment).flat()),
      );
    },
  };
}

export interface KafkaSourceOptions {
  /** host:port of one or more brokers, e.g. ["localhost:9092"]. */
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Consumer group; its committed offsets are where ingestion resumes. Default `editledger-ingest`. */
  readonly groupId?: string;
  readonly clientId?: string;
  /** Where a group without committed offsets starts: the topic's beginning (default) or its end. */
  readonly fromBeginning?: boolean;
  readonly log?: (line: string) => void;
  /** How often to heartbeat while the loop works on a batch. Default 3 s (kafkajs' default interval). */
  readonly heartbeatMs?: number;
  /** kafkajs connection retries before giving up (default kafkajs': 5). */
  readonly retries?: number;
  /**
   * How long the group coordinator waits for a silent member before it hands that member's partitions to the
   * others (kafkajs' default 30 s). A consumer killed with SIGKILL holds its partitions that long; at least the
   * broker's group.min.session.timeout.ms (6 s by default). Heartbeats go at a third of it.
   */
  readonly sessionTimeoutMs?: number;
}

export const DEFAULT_GROUP_ID = 'editledger-ingest';

/** A broker list from flags or KAFKA_BROKERS: comma-separated host:port. */
export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

export class KafkaIngestionSource implements IngestionSource {
  readonly channel: string;
  private readonly handoff = new BatchHandoff();
  private readonly log: (line: string) => void;
  private readonly heartbeatMs: number;
  private stopping: Promise<void> | undefined;
  /** The consumer lag per partition after its last committed batch (messages the broker has beyond it). */
  private readonly lagByPartition = new Map<number, number>();
  private watch: ConnectionWatch | undefined;

  private constructor(
    private readonly consumer: KafkaConsumerLike,
    readonly topic: string,
    options: { log?: (line: string) => void; heartbeatMs?: number },
  ) {
    this.channel = `kafka:${topic}`;
    this.log = options.log ?? (() => undefined);
    this.heartbeatMs = options.heartbeatMs ?? 3000;
  }

  /** Connect to the brokers with kafkajs, join the group and start consuming. */
  static async connect(options: KafkaSourceOptions): Promise<KafkaIngestionSource> {
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const log = options.log ?? (() => undefined);
    // What the consumer waits for when the brokers are gone: said once per outage, on the caller's log.
    const waiting = `the Kafka broker${options.brokers.length === 1 ? '' : 's'} at ${options.brokers.join(',')}`;
    const watch = new ConnectionWatch(log, waiting);
    const sockets = new TrackedSockets();
    const kafka = new Kafka({
      socketFactory: sockets.factory,
      clientId: options.clientId ?? 'editledger',
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      // kafkajs logs to stdout by default; ours go to the caller's log (stderr), one line each.
      logCreator: () => (entry: LogEntry) => {
        const { message, error } = entry.log as { message: string; error?: string };
        const line = `kafka ${entry.label.toLowerCase()} ${entry.namespace}: ${message}${error ? ` (${error})` : ''}`;
        log(line);
        watch.observe(line);
      },
      ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
    });
    const session = options.sessionTimeoutMs;
    const heartbeatMs =
      session === undefined ? options.heartbeatMs : Math.min(options.heartbeatMs ?? 3000, session / 3);
    const consumer = kafka.consumer({
      groupId: options.groupId ?? DEFAULT_GROUP_ID,
      ...(session === undefined ? {} : { sessionTimeout: session, heartbeatInterval: Math.floor(session / 3) }),
    });
    return KafkaIngestionSource.start(fromKafkajs(consumer, sockets, log), {
      ...options,
      ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
      waitingFor: waiting,
      watch,
    });
  }

  /** Start consuming `topic` with an already created consumer. */
  static async start(
    consumer: KafkaConsumerLike,
    options: {
      readonly topic: string;
      readonly fromBeginning?: boolean;
      readonly log?: (line: string) => void;
      readonly heartbeatMs?: number;
      /** Named in the crash line, e.g. "the Kafka broker at 127.0.0.1:9092". */
      readonly waitingFor?: string;
      /** Told when batches arrive or the group is joined, so that it can say that an outage is over. */
      readonly watch?: ConnectionWatch;
    },
  ): Promise<KafkaIngestionSource> {
    const source = new KafkaIngestionSource(consumer, options.topic, options);
    source.watch = options.watch;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? true });
      const waitingFor = options.waitingFor ?? 'the Kafka brokers';
      consumer.onGroupJoin?.((memberId, assignment) => {
        source.watch?.alive();
        source.log(`kafka: joined the group as ${memberId}; assigned partitions ${assignment.join(',') || 'none'}`);
      });
      consumer.onCrash((error, restart) => {
        source.log(
          restart
            ? `kafka: consumer stopped (${error.message}); waiting for ${waitingFor}: it rejoins the group and resumes at the committed offsets by itself`
            : `kafka: consumer crashed for good (${error.message})`,
        );
        if (!restart) source.handoff.fail(new Error(`the Kafka consumer stopped: ${error.message}`));
      });
      await consumer.run({
        eachBatchAutoResolve: false, // an offset is resolved only once its message is in the ledger
        autoCommit: true,
        autoCommitThreshold: 1, // ... and then committed right away
        autoCommitInterval: null,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => source.onBatch(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return source;
  }

  next(): Promise<IngestBatch | undefined> {
    return this.handoff.next();
  }

  /**
   * Stop consuming: kafkajs waits for the batch in flight (the loop finishes it), leaves the group and disconnects.
   * Batches fetched but not handed over stay uncommitted, for the next consumer.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watch?.silence();
      try {
        await this.consumer.disconnect();
      } finally {
        this.handoff.close();
      }
    })();
    return this.stopping;
  }

  /** Messages on the broker not yet ingested, summed over the partitions this consumer has committed on. */
  get lag(): number {
    let sum = 0;
    for (const lag of this.lagByPartition.values()) sum += lag;
    return sum;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    this.watch?.alive();
    if (this.stopping !== undefined || !payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const messages: IngestMessage[] = batch.messages.map((message) => ({
      key: message.key === null ? undefined : message.key.toString('utf8'),
      offset: `${batch.partition}:${message.offset}`,
      payload: message.value ?? new Uint8Array(0),
    }));
    const lastOffset = batch.messages.at(-1)!.offset;
    const settled = deferred<void>();
    const ingestBatch: IngestBatch = {
      messages,
      commit: async () => {
        try {
          payload.resolveOffset(lastOffset);
          await payload.commitOffsetsIfNecessary();
          settled.resolve();
          this.lagByPartition.set(batch.partition, Number(batch.offsetLag()));
          this.log(
            `kafka ${batch.topic}[${batch.partition}]: committed up to offset ${BigInt(lastOffset) + 1n}, lag ${batch.offsetLag()}`,
          );
        } catch (error) {
          // Let kafkajs see the failure (a rebalance, a lost coordinator): it re-joins and re-fetches from the
          // last committed offset, so this batch comes again and appends nothing.
          settled.reject(error as Error);
          throw error;
        }
      },
      release: () => {
        // Nothing resolved: the partition's next fetch starts at this batch's first offset again.
        settled.resolve();
        return Promise.resolve();
      },
    };
    if (!this.handoff.push(ingestBatch)) return;
    const beat = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: unknown) =>
          this.log(`kafka: heartbeat failed (${error instanceof Error ? error.message : String(error)})`),
        );
    }, this.heartbeatMs);
    try {
      await settled.promise;
    } finally {
      clearInterval(beat);
    }
  }
}
