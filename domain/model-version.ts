// What a model version IS: a pure function of (base checkpoint, edit set, training policy), so its id is a hash of
// exactly those three hashes: the same inputs always name the same version, whichever position, process or
// machine produced it. The edit set enters as its TRAINING content ({prompt, target} pairs in a content order), so
// a correction retracted and submitted again under a new upstream id gives back the earlier version. That is what
// makes materialization idempotent and rollback cheap. The lifecycle that records versions is
// domain/model-lifecycle.ts.
import { canonicalJson, sha256Hex, sha256HexOfBytes } from './canonical-json.ts';
import { InvalidFieldError } from './errors.ts';
import { TrainingPolicySchema } from './events/model-events.ts';
import type { TrainingPolicy } from './events/model-events.ts';

/** Manifest fields that describe one run rather than its result: a bit-identical rebuild writes other values. */
const VOLATILE_MANIFEST_FIELDS = ['durationMs', 'createdAt', 'cache', 'runOptions', 'libraries'];

/**
 * What the ledger records of an artifact's files (ModelVersionMaterialized.artifactFilesSha256): sha256 of the
 * canonical JSON of {name: digest}, the digest being the bytes' sha256, or for manifest.json the sha256 of its
 * canonical JSON without the fields a rebuild cannot reproduce (timings, cache statistics, paths). A forged
 * manifest (other edits, metrics, hyper-parameters) changes it; a bit-identical rebuild does not.
 */
export function artifactFilesHashOf(files: ReadonlyMap<string, Uint8Array>): string {
  const digests: Record<string, string> = {};
  for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    digests[name] = name === 'manifest.json' ? manifestDigest(bytes) : sha256HexOfBytes(bytes);
  return sha256Hex(canonicalJson(digests));
}

function manifestDigest(bytes: Uint8Array): string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return sha256HexOfBytes(bytes); // not JSON: its bytes are all there is to compare
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return sha256HexOfBytes(bytes);
  const stable = Object.fromEntries(
    Object.entries(manifest).filter(([key]) => !VOLATILE_MANIFEST_FIELDS.includes(key)),
  ) as Parameters<typeof canonicalJson>[0];
  return sha256Hex(canonicalJson(stable));
}

/** sha256 of the canonical JSON of a policy (validated first, so defaults or key order cannot change it). */
export function policyHashOf(policy: TrainingPolicy): string {
  return sha256Hex(canonicalJson(TrainingPolicySchema.parse(policy)));
}

/** What training sees of an edit. Ids, fact keys and probes do not change the weights. */
export interface TrainingExample {
  readonly prompt: string;
  readonly target: string;
}

function trainingKey(edit: TrainingExample): string {
  return canonicalJson({ prompt: edit.prompt, target: edit.target });
}

/**
 * The order training walks the edits in (its seeded shuffle permutes this order): by content, so two edit sets with
 * the same corrections under other edit ids (a correction retracted and submitted again with a new upstream id)
 * train the same weights. Identical examples are interchangeable, so ties need no further key.
 */
export function trainingOrder<E extends TrainingExample>(edits: readonly E[]): E[] {
  return [...edits]
    .map((e) => [trainingKey(e), e] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
}

/** sha256 of the training content of an edit set: the {prompt, target} pairs in training order. */
export function trainingSetHashOf(edits: readonly TrainingExample[]): string {
  return sha256Hex(`[${trainingOrder(edits).map(trainingKey).join(',')}]`);
}

export interface VersionInputs {
  readonly baseHash: string;
  /** trainingSetHashOf(the active edit set): equal training content, equal version. */
  readonly trainingSetHash: string;
  readonly policyHash: string;
}

/** The version id: sha256 (hex) of the canonical JSON of the three input hashes. */
export function versionIdOf(inputs: VersionInputs): string {
  const { baseHash, trainingSetHash, policyHash } = inputs;
  for (const [field, value] of Object.entries({ baseHash, trainingSetHash, policyHash })) {
    if (!/^[0-9a-f]{64}$/.test(value))
      throw new InvalidFieldError(field, 'must be a lower-case hex sha256 (64 characters)');
  }
  return sha256Hex(canonicalJson({ baseHash, trainingSetHash, policyHash, kind: 'editledger-model-version/1' }));
}

/** `<name slug>-<first 12 hex of the base hash>`: readable, and two different checkpoints never share it. */
export function baseModelIdOf(name: string, baseHash: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'base';
  return `${slug}-${baseHash.slice(0, 12)}`;
}

/** Short form for tables and messages. */
export function shortVersionId(versionId: string): string {
  return versionId.slice(0, 12);
}

/** Named scalar metrics recorded with a version, in [0, 1] or a perplexity: reliability, generalization, locality,
 * capability, ... (ModelVersionMaterialized.metrics). */
export type Metrics = Readonly<Record<string, number>>;
