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
