// A model version as weights: the base checkpoint with the delta artifact's tuned tensors put in place.
// The delta is a safetensors file holding only the tuned tensor(s), under their HF names.
import { readHfCheckpoint, validateTensors } from '../checkpoint/hf-checkpoint.ts';
import type { HfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import { parseSafetensors, serializeSafetensors } from '../checkpoint/safetensors.ts';
import type { HostTensor } from '../checkpoint/safetensors.ts';

export const DELTA_FILE = 'delta.safetensors';
export const DELTA_FORMAT = 'editledger-delta/1';

/** Deterministic delta bytes: tensors sorted by name, metadata only from the version's inputs. */
export function serializeDelta(tensors: ReadonlyMap<string, HostTensor>, inputs: { baseHash: string; editSetHash: string; policyHash: string }): Uint8Array {
  return serializeSafetensors(tensors, { format: DELTA_FORMAT, base_hash: inputs.baseHash, edit_set_hash: inputs.editSetHash, policy_hash: inputs.policyHash });
}

export function parseDelta(bytes: Uint8Array, source = DELTA_FILE): Map<string, HostTensor> {
  const { tensors, metadata } = parseSafetensors(bytes, source);
  if (metadata['format'] !== DELTA_FORMAT) throw new Error(`${source}: not an editledger delta (metadata.format is ${JSON.stringify(metadata['format'] ?? null)})`);
  return tensors;
}

/** The base checkpoint with the delta's tensors replacing the base's (names and shapes checked). */
export function applyDelta(base: HfCheckpoint, delta: ReadonlyMap<string, HostTensor>, source = DELTA_FILE): HfCheckpoint {
  const tensors = new Map(base.tensors);
  for (const [name, tensor] of delta) {
    const original = base.tensors.get(name);
    if (original === undefined) throw new Error(`${source}: tensor "${name}" is not a parameter of the base model`);
    if (original.shape.join() !== tensor.shape.join()) throw new Error(`${source}: tensor "${name}" has shape [${tensor.shape.join(', ')}], the base has [${original.shape.join(', ')}]`);
    tensors.set(name, tensor);
  }
  validateTensors(tensors, base.config, source);
  return { ...base, tensors };
}

export async function readVersionCheckpoint(baseDir: string, deltaBytes: Uint8Array | undefined): Promise<HfCheckpoint> {
  const base = await readHfCheckpoint(baseDir);
  return deltaBytes === undefined ? base : applyDelta(base, parseDelta(deltaBytes));
}
