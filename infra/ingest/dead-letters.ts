// Dead-letter sinks: where the ingestion loop keeps messages it refused (with the field and the reason), so an
// operator can fix and re-send them. Re-delivery may write the same entry twice: the file is a log, not a set.
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetter, DeadLetterSink, IngestMessage } from '../../domain/ports/ingestion.ts';
import { decodeUtf8 } from './correction-message.ts';

/** A dead letter for `message`, keeping its payload as text when it is UTF-8, else as base64. */
export function deadLetterOf(
  message: IngestMessage,
  channel: string,
  field: string,
  reason: string,
  at: Date,
): DeadLetter {
  const text = decodeUtf8(message.payload);
  return {
    at: at.toISOString(),
    channel,
    offset: message.offset,
    key: message.key,
    field,
    message: reason,
    payload: text ?? Buffer.from(message.payload).toString('base64'),
    encoding: text === undefined ? 'base64' : 'utf8',
  };
}

/** Appends one JSON line per entry to a file and fsyncs before resolving. */
export class FileDeadLetterSink implements DeadLetterSink {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  async write(entries: readonly DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    const file = await open(this.path, 'a');
    try {
      await file.appendFile(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
  }
}

/** Keeps entries in memory (tests, embedding). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];

  async write(entries: readonly DeadLetter[]): Promise<void> {
    this.entries.push(...entries);
  }
}
