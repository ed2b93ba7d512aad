// Resumable pretraining state on disk, so a killed build continues where it stopped with the same result.
//
//   <dir>/latest.json               {"file": "step-000500"} — the newest complete snapshot (written last, atomically)
//   <dir>/step-000500.safetensors   weights "param/<name>", Adam moments "m/<name>", "v/<name>"
//   <dir>/step-000500.json          step, optimizer updates, the run's fingerprint, loss history, tokens, time
//
// A snapshot is written under temporary names, renamed into place, and only then does latest.json (also via rename)
// point at it; older snapshots are removed afterwards. A crash at any moment leaves latest.json pointing at a complete
// snapshot. The data order needs no saved RNG: it is a pure function of (seed, step) (batches.ts), so the step IS
// the data stream's state; it is recorded as {seed, epoch, batchInEpoch} for people reading the file.
//
// The fingerprint (sha256 of the pretraining config, the model config and the token ids of the corpus) guards against
// resuming a run with different settings: that is an error naming the state folder, never a silent mix.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readSafetensorsFile, writeSafetensorsFile } from '../checkpoint/safetensors.ts';
import type { HostTensor } from '../checkpoint/safetensors.ts';

export const STATE_FORMAT = 'editledger-pretrain-state/1';
const LATEST = 'latest.json';

export const LossPointSchema = z.strictObject({ step: z.int().positive(), loss: z.number() });
export type LossPoint = z.infer<typeof LossPointSchema>;

export const StateInfoSchema = z.strictObject({
  format: z.literal(STATE_FORMAT),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** Optimizer steps completed. */
  step: z.int().nonnegative(),
  /** AdamW bias-correction counter (equals step). */
  updates: z.int().nonnegative(),
  data: z.strictObject({
    seed: z.union([z.int(), z.string()]),
    epoch: z.int().nonnegative(),
    batchInEpoch: z.int().nonnegative(),
  }),
  tokensSeen: z.int().nonnegative(),
  /** Wall-clock seconds of training summed over all processes that worked on this run. */
  trainSeconds: z.number().nonnegative(),
  lossHistory: z.array(LossPointSchema),
  /** Sum and count of the step losses since the last lossHistory point (so a resumed run logs the same means). */
  lossWindow: z.strictObject({ sum: z.number(), steps: z.int().nonnegative() }).default({ sum: 0, steps: 0 }),
});
export type StateInfo = z.infer<typeof StateInfoSchema>;

export interface Snapshot {
  readonly info: StateInfo;
  readonly params: Map<string, HostTensor>;
  /** AdamW moments keyed "m/<name>", "v/<name>". */
  readonly optimizer: Map<string, HostTensor>;
}

/** sha256 over a canonical JSON of everything that determines the run. */
export function runFingerprint(parts: {
  pretrain: unknown;
  model: unknown;
  sequences: readonly (readonly number[])[];
}): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ pretrain: parts.pretrain, model: parts.model }));
  for (const s of parts.sequences) h.update(`${s.join(',')}\n`);
  return h.digest('hex');
}

const snapshotName = (step: number) => `step-${String(step).padStart(6, '0')}`;

export async function saveSnapshot(dir: string, snap: Snapshot): Promise<void> {
  await mkdir(dir, { recursive: true });
  const name = snapshotName(snap.info.step);
  const tensors = new Map<string, HostTensor>();
  for (const [n, t] of snap.params) tensors.set(`param/${n}`, t);
  for (const [n, t] of snap.optimizer) tensors.set(n, t);
  await writeSafetensorsFile(join(dir, `${name}.safetensors.tmp`), tensors, { step: String(snap.info.step) });
  await writeFile(join(dir, `${name}.json.tmp`), `${JSON.stringify(snap.info, null, 1)}\n`);
  await rename(join(dir, `${name}.safetensors.tmp`), join(dir, `${name}.safetensors`));
  await rename(join(dir, `${name}.json.tmp`), join(dir, `${name}.json`));
  await writeFile(join(dir, `${LATEST}.tmp`), `${JSON.stringify({ file: name })}\n`);
  await rename(join(dir, `${LATEST}.tmp`), join(dir, LATEST));
  for (const f of await readdir(dir)) {
    if (f.startsWith('step-') && !f.startsWith(`${name}.`)) await rm(join(dir, f), { force: true });
  }
}

/** The newest complete snapshot in `dir`, or undefined when there is none (a fresh run). */
export async function loadSnapshot(dir: string): Promise<Snapshot | undefined> {
  let pointer: unknown;
  try {
    pointer = JSON.parse(await readFile(join(dir, LATEST), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `${join(dir, LATEST)}: unreadable (${error instanceof Error ? error.message : String(error)}); delete ${dir} to start over`,
      { cause: error },
    );
  }
  const file = z.strictObject({ file: z.string().regex(/^step-\d{6}$/) }).safeParse(pointer);
  if (!file.success)
    throw new Error(`${join(dir, LATEST)}: expected {"file": "step-NNNNNN"}; delete ${dir} to start over`);
  const jsonPath = join(dir, `${file.data.file}.json`);
  const parsed = StateInfoSchema.safeParse(JSON.parse(await readFile(jsonPath, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${jsonPath}: invalid state (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    );
  }
  const contents = await readSafetensorsFile(join(dir, `${file.data.file}.safetensors`));
  if (contents.metadata['step'] !== String(parsed.data.step)) {
    throw new Error(
      `${dir}: snapshot ${file.data.file} weights are for step ${contents.metadata['step']}, its json for ${parsed.data.step}`,
    );
  }
  const params = new Map<string, HostTensor>();
  const optimizer = new Map<string, HostTensor>();
  for (const [n, t] of contents.tensors) {
    if (n.startsWith('param/')) params.set(n.slice('param/'.length), t);
    else optimizer.set(n, t);
  }
  return { info: parsed.data, params, optimizer };
}
