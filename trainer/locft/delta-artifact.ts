// The output of a LocFT run: a small safetensors file holding only the tuned tensors (deterministic bytes: sorted
// names, float32, metadata only from the run's inputs) and a JSON manifest describing how it was made (base hash,
// edit-set hash, hyper-parameters, seed, backend, library versions, loss curve, duration, sha256 of the delta).
// The delta file uses the same format tag and metadata keys as trainer/consumer/version-model.ts, so either reader
// accepts either writer's files. Applying a delta = the base checkpoint with those tensors replaced.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { checkpointHash, readHfCheckpoint, validateTensors, writeHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import type { HfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import { parseSafetensors, serializeSafetensors } from '../checkpoint/safetensors.ts';
import type { HostTensor } from '../checkpoint/safetensors.ts';
import {
  LocftHyperParamsSchema,
  LocftRunOptionsSchema,
  parseOrThrow,
  StoredHyperParamsSchema,
  toStoredHyperParams,
} from './config.ts';
import type { LocftHyperParams } from './config.ts';
import type { EditText } from './encode.ts';
import { libraryVersions } from './library-versions.ts';
import type { LocftTrainResult } from './trainer.ts';

export const DELTA_FILE = 'delta.safetensors';
export const MANIFEST_FILE = 'manifest.json';
export const DELTA_FORMAT = 'editledger-delta/1';
export const MANIFEST_FORMAT = 'editledger-locft-manifest/1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase sha256 hex digest');

export const LocftManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  deltaFile: z.string().min(1),
  deltaSha256: sha256Hex,
  baseHash: sha256Hex,
  editSetHash: sha256Hex,
  hyperParamsHash: sha256Hex,
  hyperParams: StoredHyperParamsSchema,
  seed: z.number().int(),
  runOptions: LocftRunOptionsSchema,
  backend: z.string(),
  libraries: z.record(z.string(), z.string()),
  tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()) })),
  edits: z.number().int().nonnegative(),
  lossCurve: z.array(z.number()),
  epochs: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  updates: z.number().int().nonnegative(),
  skippedBatches: z.number().int().nonnegative(),
  converged: z.boolean(),
  cache: z.object({ level: z.string(), computed: z.number().int(), reused: z.number().int() }),
  durationMs: z.number().nonnegative(),
  createdAt: z.string(),
});
export type LocftManifest = z.infer<typeof LocftManifestSchema>;

/** sha256 over the canonical JSON of the edits' training content, in order (order matters to the shuffle). */
export function editSetHashOf(edits: readonly EditText[]): string {
  return sha256(canonicalJson(edits.map((e) => ({ prompt: e.prompt, target: e.target }))));
}

export function hyperParamsHashOf(hp: LocftHyperParams): string {
  return sha256(canonicalJson(toStoredHyperParams(LocftHyperParamsSchema.parse(hp))));
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface DeltaInputs {
  readonly baseHash: string;
  readonly editSetHash: string;
  readonly hyperParamsHash: string;
}

/** Same tensors and inputs -> same bytes. */
export function serializeDelta(tensors: ReadonlyMap<string, HostTensor>, inputs: DeltaInputs): Uint8Array {
  return serializeSafetensors(tensors, {
    format: DELTA_FORMAT,
    base_hash: inputs.baseHash,
    edit_set_hash: inputs.editSetHash,
    policy_hash: inputs.hyperParamsHash,
  });
}

export interface ParsedDelta {
  readonly tensors: Map<string, HostTensor>;
  readonly baseHash: string | undefined;
  readonly editSetHash: string | undefined;
}

export function parseDelta(bytes: Uint8Array, source = DELTA_FILE): ParsedDelta {
  const { tensors, metadata } = parseSafetensors(bytes, source);
  if (metadata['format'] !== DELTA_FORMAT)
    throw new Error(
      `${source}: not an editledger delta (metadata.format is ${JSON.stringify(metadata['format'] ?? null)})`,
    );
  return { tensors, baseHash: metadata['base_hash'], editSetHash: metadata['edit_set_hash'] };
}

export interface DeltaArtifact {
  readonly delta: Uint8Array;
  readonly manifest: LocftManifest;
}

/** Builds the artifact of a finished run. `editSetHash` defaults to editSetHashOf(edits). */
export function buildDeltaArtifact(
  result: LocftTrainResult,
  context: { readonly baseHash: string; readonly edits: readonly EditText[]; readonly editSetHash?: string },
): DeltaArtifact {
  const editSetHash = context.editSetHash ?? editSetHashOf(context.edits);
  const hyperParamsHash = hyperParamsHashOf(result.hyperParams);
  const delta = serializeDelta(result.tensors, { baseHash: context.baseHash, editSetHash, hyperParamsHash });
  const manifest: LocftManifest = {
    format: MANIFEST_FORMAT,
    deltaFile: DELTA_FILE,
    deltaSha256: sha256(delta),
    baseHash: context.baseHash,
    editSetHash,
    hyperParamsHash,
    hyperParams: result.hyperParams,
    seed: result.hyperParams.seed,
    runOptions: { ...result.options },
    backend: result.backend,
    libraries: { ...libraryVersions() },
    tensors: [...result.tensors.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, t]) => ({ name, shape: [...t.shape] })),
    edits: context.edits.length,
    lossCurve: result.lossCurve,
    epochs: result.epochs,
    steps: result.steps,
    updates: result.updates,
    skippedBatches: result.skippedBatches,
    converged: result.converged,
    cache: { level: result.cache.level, computed: result.cache.computed, reused: result.cache.reused },
    durationMs: result.durationMs,
    createdAt: new Date().toISOString(),
  };
  return { delta, manifest };
}

/** Writes delta.safetensors and manifest.json into `dir`. */
export async function writeDeltaArtifact(
  dir: string,
  artifact: DeltaArtifact,
): Promise<{ deltaPath: string; manifestPath: string }> {
  await mkdir(dir, { recursive: true });
  const deltaPath = join(dir, DELTA_FILE);
  const manifestPath = join(dir, MANIFEST_FILE);
  await writeFile(deltaPath, artifact.delta);
  const stored = { ...artifact.manifest, hyperParams: toStoredHyperParams(artifact.manifest.hyperParams) };
  await writeFile(manifestPath, JSON.stringify(stored, null, 2) + '\n');
  return { deltaPath, manifestPath };
}

/** Reads an artifact folder (or a bare delta file) and checks the delta against the manifest's sha256. */
export async function readDeltaArtifact(
  path: string,
): Promise<{ tensors: Map<string, HostTensor>; manifest: LocftManifest | undefined; baseHash: string | undefined }> {
  const isFile = path.endsWith('.safetensors');
  const deltaPath = isFile ? path : join(path, DELTA_FILE);
  const delta = new Uint8Array(await readFile(deltaPath));
  let manifest: LocftManifest | undefined;
  if (!isFile) {
    const raw = JSON.parse(await readFile(join(path, MANIFEST_FILE), 'utf8')) as unknown;
    manifest = parseOrThrow(LocftManifestSchema, raw, `${join(path, MANIFEST_FILE)}`);
    if (manifest.deltaSha256 !== sha256(delta)) {
      throw new Error(
        `${deltaPath}: sha256 ${sha256(delta)} does not match the manifest's deltaSha256 ${manifest.deltaSha256}; the delta is corrupt or was replaced`,
      );
    }
  }
  const parsed = parseDelta(delta, deltaPath);
  return { tensors: parsed.tensors, manifest, baseHash: parsed.baseHash };
}

/** The base checkpoint with the delta's tensors in place (names, shapes and the base hash checked). */
export function applyDelta(
  base: HfCheckpoint,
  delta: ReadonlyMap<string, HostTensor>,
  source = DELTA_FILE,
): HfCheckpoint {
  const tensors = new Map(base.tensors);
  for (const [name, tensor] of delta) {
    const original = base.tensors.get(name);
    if (original === undefined) throw new Error(`${source}: tensor "${name}" is not a parameter of the base model`);
    if (original.shape.join() !== tensor.shape.join())
      throw new Error(
        `${source}: tensor "${name}" has shape [${tensor.shape.join(', ')}], the base has [${original.shape.join(', ')}]`,
      );
    tensors.set(name, tensor);
  }
  validateTensors(tensors, base.config, source);
  return { ...base, tensors };
}

/**
 * Reads the base folder and the artifact, refuses a delta made for another base, and returns the edited
 * checkpoint; with `outDir`, also writes it as a full Hugging Face folder (returns its checkpointHash).
 */
export async function applyDeltaArtifact(
  baseDir: string,
  artifactPath: string,
  outDir?: string,
): Promise<{ checkpoint: HfCheckpoint; outHash?: string }> {
  const { tensors, baseHash } = await readDeltaArtifact(artifactPath);
  const actual = await checkpointHash(baseDir);
  if (baseHash !== undefined && baseHash !== actual) {
    throw new Error(`${artifactPath}: the delta was trained on base ${baseHash}, but ${baseDir} is ${actual}`);
  }
  const checkpoint = applyDelta(await readHfCheckpoint(baseDir), tensors, artifactPath);
  if (outDir === undefined) return { checkpoint };
  const outHash = await writeHfCheckpoint(outDir, {
    rawConfig: checkpoint.rawConfig,
    tensors: checkpoint.tensors,
    tokenizerFrom: baseDir,
  });
  return { checkpoint, outHash };
}
