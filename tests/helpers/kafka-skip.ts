// Kept apart from kafka-broker.ts, which bench:ingest imports outside AVA.
import test from 'ava';

/** Without a broker a Kafka suite is one passing test that says why it was skipped (and stderr says so too). */
export function registerSkipped(title: string, message: string): void {
  process.stderr.write(`${message}\n`);
  test(title, (t) => {
    t.log(message);
    t.pass();
  });
}

/** The message of a suite that could use an external broker: why it skipped, and how to give it one. */
export function withoutBroker(suite: string, reason: string): string {
  return `${suite} SKIPPED: ${reason}; or set KAFKA_BROKERS to use a running broker`;
}
