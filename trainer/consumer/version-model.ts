// A model version as weights: the base checkpoint with the delta artifact's tuned tensors put in place.
// The delta format (delta.safetensors holding only the tuned tensors under their HF names) is trainer/locft's.
import { readHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import type { HfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import { applyDelta, parseDelta } from '../locft/delta-artifact.ts';

export { DELTA_FILE } from '../locft/delta-artifact.ts';

/** The base folder's checkpoint, with the delta's tensors when given (names and shapes checked). */
export async function readVersionCheckpoint(
  baseDir: string,
  deltaBytes: Uint8Array | undefined,
): Promise<HfCheckpoint> {
  const base = await readHfCheckpoint(baseDir);
  return deltaBytes === undefined ? base : applyDelta(base, parseDelta(deltaBytes).tensors);
}
