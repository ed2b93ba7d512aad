// `<home>/serve.json` (mode 0600): which `editledger serve` holds a home, so that a command which must not run beside
// it (`erase`: the service caches data-subject keys and owns the read model's catch-up) can refuse and say where the
// service is. Written when serve listens, removed when it stops; one left by a killed service names a dead process
// and is ignored.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineError } from '../../domain/errors.ts';
import { processAlive } from '../../trainer/runtime/process-alive.ts';

const MarkerSchema = z.object({ pid: z.number().int().positive(), url: z.string(), startedAt: z.string() });
export type ServiceMarker = z.infer<typeof MarkerSchema>;

export class ServiceRunningError extends defineError(
  'service_running',
  'conflict',
  (command: string, marker: ServiceMarker, file: string) => ({
    message: `editledger serve (pid ${marker.pid}, ${marker.url}) runs on this home: run \`${command}\` through the service, or stop it first (${file} names it; delete that file if no such service runs)`,
    pid: marker.pid,
  }),
) {}

export function serviceMarkerPath(home: string): string {
  return join(home, 'serve.json');
}

/** The live service holding `home`, if any (a marker of a dead process, or a damaged one, is none). */
export function runningService(home: string): ServiceMarker | undefined {
  let text: string;
  try {
    text = readFileSync(serviceMarkerPath(home), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: ReturnType<typeof MarkerSchema.safeParse>;
  try {
    parsed = MarkerSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success || parsed.data.pid === process.pid || !processAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}

/** Refuses `command` while a service runs on `home`. */
export function assertNoService(home: string, command: string): void {
  const marker = runningService(home);
  if (marker !== undefined) throw new ServiceRunningError(command, marker, serviceMarkerPath(home));
}

/** Marks `home` as held by this process; the returned function removes the mark (only if it is still ours). */
export function claimHome(home: string, url: string, now = new Date()): () => void {
  const file = serviceMarkerPath(home);
  const marker: ServiceMarker = { pid: process.pid, url, startedAt: now.toISOString() };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(marker)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return () => {
    try {
      if (MarkerSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).pid === process.pid) rmSync(file, { force: true });
    } catch {
      // Gone or replaced: nothing of ours to remove.
    }
  };
}
