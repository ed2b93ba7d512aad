// Dead-letter sinks: where the ingestion loop keeps messages it refused (with the field and the reason), so an
// operator can fix and re-send them. Re-delivery may write the same entry twice: the file is a log, not a set.
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetter, DeadLetterSink, IngestMessage } from '../../domain/ports/ingestion.ts';
import { decodeUtf8 } from './correction-message.ts';

/** A dead letter for `message`, keeping its payload as text when it is UTF-8, else as base64. */
const DATA_SUBJECT_KEY = /"data_?subject"\s*:/i;

export function deadLetterOf(
  message: IngestMessage,
  channel: string,
  field: string,
  reason: string,
  at: Date,
): DeadLetter {
  const text = decodeUtf8(message.payload);
  const where = { at: at.toISOString(), channel, offset: message.offset, key: message.key, field, message: reason };
  // A message about a named data subject is personal data an erasure must be able to remove: its body is not kept
  // (the entry still says where it came from and why it was refused, so the sender can resend it).
  if (text !== undefined && DATA_SUBJECT_KEY.test(text))
    return { ...where, payload: '[withheld: the message names a data subject]', encoding: 'utf8' };
  return {
    ...where,
    payload: text ?? Buffer.from(message.payload).toString('base64'),
    encoding: text === undefined ? 'base64' : 'utf8',
  };
}

export interface DeadLetterLimits {
  /** Rotate the file (to .1, .2, ...) once it is larger than this. Default 16 MiB. */
  readonly maxFileBytes?: number;
  /** Rotated files kept; the oldest beyond this is deleted (its entries counted as dropped). Default 3. */
  readonly keepFiles?: number;
  /** A payload longer than this is cut (the entry says how long it was). Default 8 KiB. */
  readonly maxPayloadBytes?: number;
}

/** What the caps removed since this sink was opened. */
export interface DeadLetterDrops {
  /** Entries deleted with the oldest rotated file. */
  entries: number;
  /** Payload bytes cut from oversized entries. */
  payloadBytes: number;
}

/**
 * Appends one JSON line per entry to a file and fsyncs before resolving. Bounded: garbage sent in a loop cannot
 * fill the disk; oversized payloads are cut, the file rotates, and `dropped` counts what the caps removed.
 */
export class FileDeadLetterSink implements DeadLetterSink {
  readonly dropped: DeadLetterDrops = { entries: 0, payloadBytes: 0 };
  private readonly maxFileBytes: number;
  private readonly keepFiles: number;
  private readonly maxPayloadBytes: number;

  constructor(
    readonly path: string,
    limits: DeadLetterLimits = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.maxFileBytes = limits.maxFileBytes ?? 16 * 1024 * 1024;
    this.keepFiles = limits.keepFiles ?? 3;
    this.maxPayloadBytes = limits.maxPayloadBytes ?? 8 * 1024;
  }

  async write(entries: readonly DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    const lines = entries.map((entry) => `${JSON.stringify(this.capped(entry))}\n`).join('');
    await this.rotateIfFull();
    const file = await open(this.path, 'a');
    try {
      await file.appendFile(lines, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
  }

  private capped(entry: DeadLetter): DeadLetter {
    const size = Buffer.byteLength(entry.payload);
    if (size <= this.maxPayloadBytes) return entry;
    this.dropped.payloadBytes += size - this.maxPayloadBytes;
    const cut = Buffer.from(entry.payload).subarray(0, this.maxPayloadBytes).toString('utf8');
    return { ...entry, payload: cut, payloadTruncatedFrom: size };
  }

  private async rotateIfFull(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return; // no file yet
    }
    if (size < this.maxFileBytes) return;
    const oldest = `${this.path}.${this.keepFiles}`;
    try {
      this.dropped.entries += (await readFile(oldest, 'utf8')).split('\n').filter((l) => l !== '').length;
      await rm(oldest);
    } catch {
      // fewer rotated files than kept
    }
    for (let i = this.keepFiles - 1; i >= 1; i--)
      await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => undefined);
    await rename(this.path, `${this.path}.1`);
  }
}

/** Keeps entries in memory (tests, embedding). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];

  async write(entries: readonly DeadLetter[]): Promise<void> {
    this.entries.push(...entries);
  }
}
