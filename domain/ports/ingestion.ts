// The ingestion port: how corrections from upstream systems reach the ledger. Adapters (infra/ingest/*: HTTP,
// Kafka, a JSONL file) implement `IngestionSource`; ONE loop (infra/ingest/ingest-loop.ts) consumes every source
// the same way, and one contract test suite checks every adapter.
//
// Delivery is at-least-once:
// - a source hands over a batch of raw messages and keeps its place in the upstream stream until the loop calls
//   `commit`, which the loop does only once every message of the batch is durably in the ledger or in the
//   dead-letter sink;
// - `release` means "not processed, deliver again" (the ledger could not be written): the source re-delivers the
//   batch (Kafka: the offsets stay uncommitted and are fetched again) or tells its sender to retry (HTTP: 503);
// - re-delivery is harmless because each correction's upstream ref is a hash of its normalized content, so a
//   redelivered message names an edit that is already recorded and the ledger appends nothing.
// Pure types: nothing here does I/O.

/** One upstream message, as raw as the transport gives it. */
export interface IngestMessage {
  /** The transport's message key (a Kafka key, ...), if any; reported with errors, never interpreted. */
  readonly key: string | undefined;
  /** Where the message sits in its source, e.g. `0:1234` (Kafka partition:offset) or `7:2` (HTTP request 7, item 2). */
  readonly offset: string;
  /** The payload bytes: one correction, a JSON object in a format `edit import` accepts (ZsRE or CounterFact). */
  readonly payload: Uint8Array;
}

/** What became of one message of a batch, in batch order. */
export type IngestItemResult =
  | {
      readonly status: 'recorded';
      readonly offset: string;
      readonly editId: string;
      readonly factKey: string;
      /** The upstream ref recorded in the edit's source (a content hash). */
      readonly ref: string;
    }
  | {
      readonly status: 'rejected';
      readonly offset: string;
      readonly key: string | undefined;
      /** The offending field in the message's own vocabulary (e.g. `alt`, `target_new`), or `payload`. */
      readonly field: string;
      readonly message: string;
    };

/** The outcome of one batch, handed to `commit`. */
export interface IngestReport {
  readonly items: readonly IngestItemResult[];
  /** New edits appended by this batch. */
  readonly submitted: number;
  /** Valid messages whose edit was already in the ledger (redeliveries): nothing appended for them. */
  readonly duplicates: number;
  /** New edits that superseded an earlier edit of the same fact. */
  readonly superseded: number;
  readonly rejected: number;
  /** Ledger head position after the batch. */
  readonly position: number;
}

export interface IngestBatch {
  readonly messages: readonly IngestMessage[];
  /** Who sent this batch, when the source authenticates its callers (an API token): recorded as the actor. */
  readonly actor?: string;
  /**
   * Everything in the batch is durably recorded (or dead-lettered): acknowledge it upstream. Resolves once the
   * source has done so (e.g. the Kafka offset commit returned); a rejection means the acknowledgement may be lost,
   * so the batch may come again (harmless).
   */
  commit(report: IngestReport): Promise<void>;
  /** The batch could not be processed: nothing is acknowledged, and the source must deliver it again. */
  release(error: Error): Promise<void>;
}

export interface IngestionSource {
  /** The channel recorded as the source of the ledger commands, e.g. `http` or `kafka:corrections`. */
  readonly channel: string;
  /**
   * The next batch. Resolves `undefined` once the source has been stopped and every batch it had already taken
   * in was handed over; rejects if the source failed for good (e.g. the broker connection could not be restored).
   */
  next(): Promise<IngestBatch | undefined>;
  /**
   * Stop taking in new messages. Batches already taken in are still handed over by `next`, and the returned
   * promise may wait until they are committed or released, so call it alongside the consumer, not before it.
   */
  stop(): Promise<void>;
}

/** A message the loop refused, kept so that nothing an upstream system sent is silently lost. */
export interface DeadLetter {
  /** ISO-8601 time of the rejection. */
  readonly at: string;
  readonly channel: string;
  readonly offset: string;
  readonly key: string | undefined;
  readonly field: string;
  readonly message: string;
  /** The payload as text when it is valid UTF-8, else base64 (`encoding` says which). */
  readonly payload: string;
  readonly encoding: 'utf8' | 'base64';
  /** Set when the payload was cut to the sink's limit: its original length in bytes. */
  readonly payloadTruncatedFrom?: number;
}

export interface DeadLetterSink {
  /** Durably keep these entries; resolves only when they are safe (a batch is committed after this). */
  write(entries: readonly DeadLetter[]): Promise<void>;
}
