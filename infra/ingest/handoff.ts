// The hand-over between a push-style transport (an HTTP request handler, a kafkajs eachBatch callback) and the
// pull-style `IngestionSource.next()` of the port: transports `push` batches, the ingestion loop pulls them.
import type { IngestBatch } from '../../domain/ports/ingestion.ts';

interface Waiter {
  resolve(batch: IngestBatch | undefined): void;
  reject(error: Error): void;
}

export class BatchHandoff {
  private readonly queue: IngestBatch[] = [];
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private failure: Error | undefined;

  /** Batches taken in but not yet pulled. */
  get pending(): number {
    return this.queue.length;
  }

  get isClosed(): boolean {
    return this.closed || this.failure !== undefined;
  }

  /** Hand a batch over; false (and nothing queued) once closed, so the caller leaves its messages unacknowledged. */
  push(batch: IngestBatch): boolean {
    if (this.isClosed) return false;
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(batch);
    else waiter.resolve(batch);
    return true;
  }

  /** The next batch; after `close`, the queued ones and then `undefined`; after `fail`, that error. */
  next(): Promise<IngestBatch | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** No more batches will be pushed; the queued ones are still handed out. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(undefined);
  }

  /** The transport failed for good: pullers get `error`. */
  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
