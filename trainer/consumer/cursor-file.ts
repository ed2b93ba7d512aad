// The trainer consumer's cursor (the last ledger position it finished with): one small JSON file, replaced
// atomically (write temp, fsync, rename, fsync the folder), so a crash leaves either the old or the new position,
// never a torn file. The files keep their name `<name>.checkpoint.json` from before the rename, so existing homes
// resume where they were.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { CursorStore } from '../../domain/ports/trainer.ts';

const CursorSchema = z.strictObject({ position: z.number().int().nonnegative(), savedAt: z.string() });

export class FileCursorStore implements CursorStore {
  constructor(readonly path: string) {}

  async load(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const parsed = CursorSchema.safeParse(
      (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    // A damaged cursor only costs a re-check from the start: versions are idempotent.
    return parsed.success ? parsed.data.position : 0;
  }

  async save(position: number): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify({ position, savedAt: new Date().toISOString() }) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
