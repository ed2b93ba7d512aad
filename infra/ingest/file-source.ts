// The JSONL file ingestion adapter: one correction per line of a file that an upstream system appends to.
// Its offset is the byte position after the last committed line, kept in a cursor file (written to a
// temporary name, fsynced, renamed) only after the loop has recorded the batch; a restart resumes there, and a
// released batch is read again from its first line. With `follow` it waits for more lines (tail -f); without,
// it stops by itself at the end of the file. Only complete lines (ending in a newline) are read, so a line the
// writer is still appending is never taken half-written; without `follow`, a last line lacking its newline is
// taken at the end.
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { IngestBatch, IngestionSource, IngestMessage } from '../../domain/ports/ingestion.ts';
import { WakeableSleep } from '../../trainer/runtime/wakeable-sleep.ts';

export interface FileSourceOptions {
  /** Where the committed byte offset is kept (JSON). */
  readonly cursorPath: string;
  /** Keep waiting for new lines at the end of the file (default false: stop there). */
  readonly follow?: boolean;
  /** How often to look for new lines when following. Default 250 ms. */
  readonly pollMs?: number;
  /** Lines per batch. Default 500. */
  readonly maxBatch?: number;
}

const READ_CHUNK = 1 << 20;

export class FileIngestionSource implements IngestionSource {
  readonly channel: string;
  /** Byte offset of the next line to hand over. */
  private position: number;
  private stopped = false;
  private readonly pause = new WakeableSleep();

  private constructor(
    readonly path: string,
    private readonly options: FileSourceOptions,
    committed: number,
  ) {
    this.channel = `file:${path}`;
    this.position = committed;
  }

  static async open(path: string, options: FileSourceOptions): Promise<FileIngestionSource> {
    await stat(path); // a missing file is an error now (ENOENT), not an endless wait
    return new FileIngestionSource(path, options, await readCursor(options.cursorPath, path));
  }

  /** The committed byte offset (what a restart resumes from). */
  async committedOffset(): Promise<number> {
    return readCursor(this.options.cursorPath, this.path);
  }

  async next(): Promise<IngestBatch | undefined> {
    const pollMs = this.options.pollMs ?? 250;
    for (;;) {
      if (this.stopped) return undefined;
      const size = (await stat(this.path)).size;
      if (size < this.position) {
        throw new Error(
          `${this.path} is shorter (${size} bytes) than its committed offset ${this.position}: was it truncated or replaced? Delete ${this.options.cursorPath} to read it from the start`,
        );
      }
      const batch = size > this.position ? await this.readBatch(size) : undefined;
      if (batch !== undefined) return batch;
      if (this.options.follow !== true) return undefined;
      await this.pause.sleep(pollMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.wake();
  }

  private async readBatch(size: number): Promise<IngestBatch | undefined> {
    const maxBatch = this.options.maxBatch ?? 500;
    const start = this.position;
    const messages: IngestMessage[] = [];
    let end = start;
    const file = await open(this.path, 'r');
    try {
      let buffered = Buffer.alloc(0);
      let bufferStart = start;
      let readAt = start;
      while (messages.length < maxBatch && readAt < size) {
        const chunk = Buffer.alloc(Math.min(READ_CHUNK, size - readAt));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, readAt);
        if (bytesRead === 0) break;
        readAt += bytesRead;
        buffered = Buffer.concat([buffered, chunk.subarray(0, bytesRead)]);
        let lineStart = 0;
        for (
          let newline = buffered.indexOf(0x0a);
          newline >= 0 && messages.length < maxBatch;
          newline = buffered.indexOf(0x0a, lineStart)
        ) {
          this.pushLine(messages, buffered.subarray(lineStart, newline), bufferStart + lineStart);
          lineStart = newline + 1;
          end = bufferStart + lineStart;
        }
        buffered = buffered.subarray(lineStart);
        bufferStart += lineStart;
      }
      // Without follow, the file is complete: a last line without its newline is still a line.
      if (this.options.follow !== true && messages.length < maxBatch && readAt >= size && buffered.length > 0) {
        this.pushLine(messages, buffered, bufferStart);
        end = size;
      }
    } finally {
      await file.close();
    }
    if (end === start) return undefined;
    this.position = end;
    if (messages.length === 0) {
      // Only blank lines: nothing to record, but the offset moves on.
      await writeCursor(this.options.cursorPath, this.path, end);
      return this.readBatch(size);
    }
    return {
      messages,
      commit: async () => {
        await writeCursor(this.options.cursorPath, this.path, end);
      },
      release: async () => {
        this.position = start; // read the batch again
      },
    };
  }

  private pushLine(messages: IngestMessage[], raw: Buffer, offset: number): void {
    const line = raw.at(-1) === 0x0d ? raw.subarray(0, -1) : raw;
    if (line.toString('utf8').trim() === '') return;
    messages.push({ key: undefined, offset: String(offset), payload: Buffer.from(line) });
  }
}

const CheckpointSchema = z.strictObject({
  file: z.string(),
  offset: z.number().int().nonnegative(),
  savedAt: z.string(),
});

/** The committed offset; 0 when there is none, or when it is damaged or belongs to another file: re-reading is harmless. */
async function readCursor(cursorPath: string, file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(cursorPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 0;
  }
  const parsed = CheckpointSchema.safeParse(raw);
  return parsed.success && parsed.data.file === file ? parsed.data.offset : 0;
}

/** Replace the cursor atomically: temporary file, fsync, rename, fsync the folder. */
async function writeCursor(cursorPath: string, file: string, offset: number): Promise<void> {
  const dir = dirname(cursorPath);
  await mkdir(dir, { recursive: true });
  const temporary = `${cursorPath}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify({ file, offset, savedAt: new Date().toISOString() })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, cursorPath);
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
