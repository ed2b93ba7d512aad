// What the Kafka fault tests and the ingest bench do around a broker: produce to chosen partitions (knowing where
// each message landed), read a topic back, run `editledger ingest kafka` as a child process, count the ledger.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import type { Kafka, Message } from 'kafkajs';
import kafkajs from 'kafkajs';
import { SqliteEventStore } from '../../infra/eventstore/sqlite-event-store.ts';
import { submittedEdits, SYSTEM } from './ingestion-contract.ts';

// A record batch stays under the broker's message.max.bytes (1 MiB) at our ~300-byte corrections.
const CHUNK = 1000;

/**
 * Produce `values` (in order) to `topic`, value i to partition `partitionOf(i)`; returns where each landed as
 * `partition:offset`, the way the adapter names offsets, from the broker's base offsets.
 */
export async function produceAt(
  kafka: Kafka,
  topic: string,
  values: readonly string[],
  partitionOf: (index: number) => number,
): Promise<string[]> {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const placed: string[] = new Array<string>(values.length);
    const byPartition = new Map<number, number[]>();
    values.forEach((_, i) => {
      const p = partitionOf(i);
      byPartition.set(p, [...(byPartition.get(p) ?? []), i]);
    });
    for (const [partition, indexes] of byPartition) {
      for (let from = 0; from < indexes.length; from += CHUNK) {
        const chunk = indexes.slice(from, from + CHUNK);
        const messages: Message[] = chunk.map((i) => ({ value: values[i]!, partition }));
        const [meta] = await producer.send({ topic, acks: -1, messages });
        const base = Number(meta?.baseOffset ?? NaN);
        chunk.forEach((i, j) => (placed[i] = `${partition}:${base + j}`));
      }
    }
    return placed;
  } finally {
    await producer.disconnect();
  }
}

/** Read `count` records of a one-partition topic from its beginning (value as text, headers as text). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<Array<{ value: string; headers: Record<string, string> }>> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const records: Array<{ value: string; headers: Record<string, string> }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${count} from ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          records.push({ value: message.value?.toString('utf8') ?? '', headers });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** EditSubmitted events in a SQLite ledger, and how many distinct edits they name. */
export async function ledgerCount(path: string): Promise<{ events: number; distinct: number }> {
  const store = SqliteEventStore.open(path);
  try {
    const edits = await submittedEdits(store);
    return { events: edits.length, distinct: new Set(edits.map((e) => e.editId)).size };
  } finally {
    await store.close();
  }
}

/** `editledger ingest kafka` in a child process, its output collected. */
export class IngestChild {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(options: {
    home: string;
    brokers: readonly string[];
    topic: string;
    group: string;
    /** The group's wait for a killed member; the broker's minimum by default, so restarts take seconds. */
    sessionTimeoutMs?: number;
    deadLetterTopic?: string;
  }): IngestChild {
    const args = ['--import', 'tsx', 'infra/cli/main.ts', 'ingest', 'kafka', '--home', options.home];
    args.push('--brokers', options.brokers.join(','), '--topic', options.topic, '--group', options.group);
    args.push('--system', SYSTEM, '--session-timeout', String(options.sessionTimeoutMs ?? 6000));
    if (options.deadLetterTopic !== undefined) args.push('--dead-letter-topic', options.deadLetterTopic);
    const child = spawn(process.execPath, args, {
      cwd: process.cwd(),
      env: { ...process.env, EVENTSTORE_URL: '', KAFKA_BROKERS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new IngestChild(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Wait until stderr matches `pattern`; fails the test (with the stderr) if the child exits or time runs out. */
  async waitFor(t: ExecutionContext, pattern: RegExp, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stderr)) {
      if (!this.running || Date.now() > deadline) {
        t.fail(
          `ingest kafka: no ${String(pattern)} ${this.running ? `within ${timeoutMs} ms` : 'before it exited'}:\n${this.stderr}`,
        );
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /**
   * Send `signal` and wait for the exit; resolves with the exit code (null when killed by the signal), or
   * 'hung' when it had not exited `timeoutMs` later (it is then SIGKILLed, so no test leaves it behind).
   */
  async kill(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<number | null | 'hung'> {
    if (this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs)));
    const result = await Promise.race([this.exited, hung]);
    clearTimeout(timer);
    if (result === 'hung') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    return result;
  }
}
