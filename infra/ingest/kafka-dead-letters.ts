// Dead letters forwarded to a Kafka topic, so that the upstream team can consume its rejects where it already
// reads Kafka. Each refused message becomes one record: the key of the original message, the DeadLetter as JSON
// value (field, reason, channel = kafka:<topic>, offset = <partition>:<offset>, payload), and headers naming the
// field and the origin for tools that only look at headers. The write resolves only once the broker has the
// records with acks from all in-sync replicas: the ingestion loop commits the batch's offsets after that.
import type { Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterSink } from '../../domain/ports/ingestion.ts';

export class KafkaDeadLetterSink implements DeadLetterSink {
  private constructor(
    private readonly producer: Producer,
    readonly topic: string,
  ) {}

  static async connect(options: {
    readonly brokers: readonly string[];
    readonly topic: string;
    readonly clientId?: string;
  }): Promise<KafkaDeadLetterSink> {
    if (options.topic.trim() === '') throw new Error('dead-letter topic: must not be empty');
    const { Kafka, logLevel, Partitioners } = (await import('kafkajs')).default;
    const kafka = new Kafka({
      clientId: options.clientId ?? 'editledger-dead-letters',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING, // failures surface as write() rejections, which the loop reports
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new KafkaDeadLetterSink(producer, options.topic);
  }

  async write(entries: readonly DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: entries.map((entry) => ({
        key: entry.key ?? null,
        value: JSON.stringify(entry),
        headers: { 'editledger-field': entry.field, 'editledger-origin': `${entry.channel}@${entry.offset}` },
      })),
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Every entry goes to all sinks (e.g. the local file and a topic); resolves when all of them have it. */
export class TeeDeadLetterSink implements DeadLetterSink {
  private readonly sinks: readonly DeadLetterSink[];

  constructor(...sinks: DeadLetterSink[]) {
    this.sinks = sinks;
  }

  async write(entries: readonly DeadLetter[]): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.write(entries)));
  }
}
