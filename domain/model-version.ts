// Model versions and their lifecycle, as a decider over ONE stream (`model-lifecycle`):
//   decide(command, state) -> event data   (throws a typed error when a command breaks a rule; the command handler
//                                           adds ids and metadata: domain/decided-event.ts)
//   evolve(state, event)   -> state
//
// A model version is a pure function of (base checkpoint, edit set, training policy), so its id is a hash of
// exactly those three hashes: the same inputs always name the same version, whichever position, process or
// machine produced it. The edit set enters as its TRAINING content ({prompt, target} pairs in a content order),
// so a correction retracted and submitted again under a new upstream id gives back the earlier version. That is what makes materialization idempotent and rollback cheap:
// - RegisterBase: BaseModelRegistered (once per base) + TrainingPolicyRegistered (the policy the trainer uses from
//   now on; the latest one names the active base). Registering the same base and policy again is a no-op.
// - MaterializeVersion: ModelVersionMaterialized with an event id derived from the version id. A version that is
//   already in the ledger gives no event, so two trainers racing on one edit set record it once.
// - ChangeServingVersion: ServingVersionChanged (promote / rollback) with actor and reason; the version must exist.
//   Asking for the version already served is a no-op.
// Low volume (one event per version), so one stream and its expected revision serialize every writer.
import { z } from 'zod';
import { canonicalJson, sha256Hex, sha256HexOfBytes } from './canonical-json.ts';
import type { CommandMetadata } from './edit-commands.ts';
import { InvalidFieldError } from './errors.ts';
import { VersionRetiredError } from './erasure-errors.ts';
import {
  BaseHashMismatchError,
  BaseModelNotRegisteredError,
  ModelVersionNotFoundError,
  OutsideEnvelopeError,
  PolicyNotRegisteredError,
} from './model-errors.ts';
import { LIMITS, requiredText } from './events/fields.ts';
import {
  assessVersion,
  automaticPromotionBlock,
  DEFAULT_GOVERNANCE,
  describeFailing,
  GovernanceSchema,
} from './governance.ts';
import type { Governance } from './governance.ts';
import {
  BaseModelRegisteredDataSchema,
  ModelVersionMaterializedDataSchema,
  TrainingPolicySchema,
} from './events/model-events.ts';
import type {
  BaseModelRegistered,
  BaseModelRegisteredData,
  ModelVersionMaterialized,
  ModelVersionMaterializedData,
  ServingPinReleased,
  ServingVersionChanged,
  TrainingPolicy,
  TrainingPolicyRegistered,
} from './events/model-events.ts';
import type { Decider } from './command-handler.ts';
import type { Decided } from './decided-event.ts';
import { DataSubjectErasedDataSchema } from './events/erasure-events.ts';
import type { DataSubjectErased } from './events/erasure-events.ts';
import { parseLedgerEvent, validated } from './events.ts';

export const MODEL_STREAM = 'model-lifecycle';

export type ModelLifecycleEvent =
  | BaseModelRegistered
  | TrainingPolicyRegistered
  | ModelVersionMaterialized
  | ServingVersionChanged
  | ServingPinReleased
  | DataSubjectErased;
export const MODEL_EVENT_TYPES = [
  'BaseModelRegistered',
  'TrainingPolicyRegistered',
  'ModelVersionMaterialized',
  'ServingVersionChanged',
  'ServingPinReleased',
  'DataSubjectErased',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Hashes and ids

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

export {
  BaseHashMismatchError,
  BaseModelNotRegisteredError,
  ModelVersionNotFoundError,
  OutsideEnvelopeError,
  PolicyNotRegisteredError,
} from './model-errors.ts';

// ---------------------------------------------------------------------------------------------------------------
// Commands

export const RegisterBaseDataSchema = BaseModelRegisteredDataSchema.omit({
  schemaVersion: true,
  baseModelId: true,
}).extend({
  policy: TrainingPolicySchema,
  governance: GovernanceSchema.optional(),
});
export type RegisterBaseData = z.infer<typeof RegisterBaseDataSchema>;

/** The event's fields minus what the decider derives (the version id, from base, training set and policy). */
export const MaterializeVersionDataSchema = ModelVersionMaterializedDataSchema.omit({
  schemaVersion: true,
  versionId: true,
  verdict: true,
});
export type MaterializeVersionData = z.infer<typeof MaterializeVersionDataSchema>;

export const ChangeServingVersionDataSchema = z.strictObject({
  versionId: requiredText(LIMITS.name),
  changedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
  /** The trainer consumer asks: refused quietly (no event) when governance or a pin says no. */
  automatic: z.boolean().optional(),
  /** A human serving a version outside the envelope must say so explicitly; it is flagged in the ledger. */
  acceptOutsideEnvelope: z.boolean().optional(),
});
export type ChangeServingVersionData = z.infer<typeof ChangeServingVersionDataSchema>;

export interface RegisterBase {
  readonly type: 'RegisterBase';
  readonly data: RegisterBaseData;
  readonly metadata: CommandMetadata;
}
export interface MaterializeVersion {
  readonly type: 'MaterializeVersion';
  readonly data: MaterializeVersionData;
  readonly metadata: CommandMetadata;
}
export interface ChangeServingVersion {
  readonly type: 'ChangeServingVersion';
  readonly data: ChangeServingVersionData;
  readonly metadata: CommandMetadata;
}
export const ReleaseServingPinDataSchema = z.strictObject({
  releasedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
});
export type ReleaseServingPinData = z.infer<typeof ReleaseServingPinDataSchema>;
export interface ReleaseServingPin {
  readonly type: 'ReleaseServingPin';
  readonly data: ReleaseServingPinData;
  readonly metadata: CommandMetadata;
}
/** Erasure of a data subject: retire the versions built from its edits (the use case retracts and re-trains). */
export const EraseDataSubjectDataSchema = DataSubjectErasedDataSchema.omit({ schemaVersion: true });
export type EraseDataSubjectData = z.infer<typeof EraseDataSubjectDataSchema>;
export interface EraseDataSubject {
  readonly type: 'EraseDataSubject';
  readonly data: EraseDataSubjectData;
  readonly metadata: CommandMetadata;
}

export type ModelCommand =
  RegisterBase | MaterializeVersion | ChangeServingVersion | ReleaseServingPin | EraseDataSubject;

// ---------------------------------------------------------------------------------------------------------------
// State

export interface RegisteredPolicy {
  readonly policy: TrainingPolicy;
  readonly policyHash: string;
}

export interface ModelLifecycleState {
  readonly bases: ReadonlyMap<string, BaseModelRegisteredData>;
  /** Every policy ever registered per base, by policy hash. */
  readonly policies: ReadonlyMap<string, ReadonlyMap<string, TrainingPolicy>>;
  /** The base and policy of the latest TrainingPolicyRegistered: what the trainer uses for new versions. */
  readonly active: { readonly baseModelId: string; readonly policyHash: string } | undefined;
  readonly versions: ReadonlyMap<string, ModelVersionMaterializedData>;
  readonly serving: string | null;
  /** Declared with the latest TrainingPolicyRegistered (DEFAULT_GOVERNANCE when none was). */
  readonly governance: Governance;
  /** A human promoted or rolled back and no one released the pin: the trainer leaves the pointer alone. */
  readonly pinned: boolean;
  /** Versions built from erased data: never served again. */
  readonly retired: ReadonlySet<string>;
}

export const initialModelLifecycleState = (): ModelLifecycleState => ({
  bases: new Map(),
  policies: new Map(),
  active: undefined,
  versions: new Map(),
  serving: null,
  governance: DEFAULT_GOVERNANCE,
  pinned: false,
  retired: new Set(),
});

/** The active base with its active policy, or undefined before any registration. */
export function activeTraining(
  state: ModelLifecycleState,
): { base: BaseModelRegisteredData; policy: TrainingPolicy; policyHash: string } | undefined {
  if (state.active === undefined) return undefined;
  const base = state.bases.get(state.active.baseModelId);
  const policy = state.policies.get(state.active.baseModelId)?.get(state.active.policyHash);
  return base && policy ? { base, policy, policyHash: state.active.policyHash } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// decide

type DecidedModelEvents = Decided<ModelLifecycleEvent>[];

function decideRegister(command: RegisterBase, state: ModelLifecycleState): DecidedModelEvents {
  const { policy, governance, ...base } = validated(RegisterBaseDataSchema, command.data);
  const baseModelId = baseModelIdOf(base.name, base.baseHash);
  const policyHash = policyHashOf(policy);
  const events: DecidedModelEvents = [];
  const known = state.bases.get(baseModelId);
  if (known === undefined) {
    events.push({
      type: 'BaseModelRegistered',
      data: { schemaVersion: 1, baseModelId, ...base },
      identity: { oncePer: baseModelId },
    });
  } else if (known.baseHash !== base.baseHash) {
    throw new BaseHashMismatchError(baseModelId, known.baseHash, base.baseHash);
  }
  const sameGovernance =
    canonicalJson(governance ?? DEFAULT_GOVERNANCE) === canonicalJson(state.governance) || governance === undefined;
  const alreadyActive =
    state.active?.baseModelId === baseModelId && state.active.policyHash === policyHash && sameGovernance;
  if (!alreadyActive) {
    events.push({
      type: 'TrainingPolicyRegistered',
      data: { schemaVersion: 1, baseModelId, policy, policyHash, ...(governance !== undefined && { governance }) },
      identity: 'per-command',
    });
  }
  return events;
}

function decideMaterialize(command: MaterializeVersion, state: ModelLifecycleState): DecidedModelEvents {
  const data = validated(MaterializeVersionDataSchema, command.data);
  const base = state.bases.get(data.baseModelId);
  if (base === undefined) throw new BaseModelNotRegisteredError(data.baseModelId);
  if (base.baseHash !== data.baseHash) throw new BaseHashMismatchError(data.baseModelId, base.baseHash, data.baseHash);
  const policyHash = policyHashOf(data.policy);
  if (!state.policies.get(data.baseModelId)?.has(policyHash))
    throw new PolicyNotRegisteredError(data.baseModelId, policyHash);
  if (new Set(data.editIds).size !== data.editIds.length)
    throw new InvalidFieldError('editIds', 'must not repeat an edit id');
  const versionId = versionIdOf({ baseHash: data.baseHash, trainingSetHash: data.trainingSetHash, policyHash });
  if (state.versions.has(versionId)) return []; // the same inputs were materialized before: same version
  const declared = Object.keys(state.governance.envelope).length > 0;
  const verdict = declared ? assessVersion(state.governance.envelope, data.metrics, data.editIds.length) : undefined;
  return [
    {
      type: 'ModelVersionMaterialized',
      data: { schemaVersion: 1, versionId, ...data, ...(verdict !== undefined && { verdict }) },
      identity: { oncePer: versionId },
    },
  ];
}

function decideServing(command: ChangeServingVersion, state: ModelLifecycleState): DecidedModelEvents {
  const data = validated(ChangeServingVersionDataSchema, command.data);
  const version = state.versions.get(data.versionId);
  if (version === undefined) throw new ModelVersionNotFoundError(data.versionId);
  if (state.retired.has(data.versionId)) {
    const ordinal = [...state.versions.keys()].indexOf(data.versionId) + 1;
    throw new VersionRetiredError(data.versionId, ordinal);
  }
  const automatic = data.automatic === true;
  if (automatic && automaticPromotionBlock(state.governance, version.verdict, state.pinned) !== undefined) return [];
  if (state.serving === data.versionId) return [];
  const outside = version.verdict !== undefined && !version.verdict.within;
  if (outside && !automatic && data.acceptOutsideEnvelope !== true)
    throw new OutsideEnvelopeError(data.versionId, describeFailing(version.verdict!));
  return [
    {
      type: 'ServingVersionChanged',
      data: {
        schemaVersion: 1,
        versionId: data.versionId,
        previousVersionId: state.serving,
        changedBy: data.changedBy,
        reason: data.reason,
        ...(automatic && { automatic: true }),
        ...(outside && { outsideEnvelope: true }),
      },
      identity: 'per-command',
    },
  ];
}

function decideReleasePin(command: ReleaseServingPin, state: ModelLifecycleState): DecidedModelEvents {
  const data = validated(ReleaseServingPinDataSchema, command.data);
  if (!state.pinned || state.serving === null) return [];
  return [
    {
      type: 'ServingPinReleased',
      data: { schemaVersion: 1, versionId: state.serving, releasedBy: data.releasedBy, reason: data.reason },
      identity: 'per-command',
    },
  ];
}

function decideErase(command: EraseDataSubject, state: ModelLifecycleState): DecidedModelEvents {
  const data = validated(EraseDataSubjectDataSchema, command.data);
  const unknown = data.retiredVersionIds.find((id) => !state.versions.has(id));
  if (unknown !== undefined) throw new ModelVersionNotFoundError(unknown);
  if (state.serving !== null && data.retiredVersionIds.includes(state.serving))
    throw new InvalidFieldError(
      'retiredVersionIds',
      'the serving version would be retired: serve a version without the erased edits first',
    );
  return [
    {
      type: 'DataSubjectErased',
      data: { schemaVersion: 1, ...data },
      // Once per key: an erasure retried after a crash records nothing twice.
      identity: { oncePer: data.keyId },
    },
  ];
}

export function decideModel(command: ModelCommand, state: ModelLifecycleState): DecidedModelEvents {
  switch (command.type) {
    case 'RegisterBase':
      return decideRegister(command, state);
    case 'MaterializeVersion':
      return decideMaterialize(command, state);
    case 'ChangeServingVersion':
      return decideServing(command, state);
    case 'ReleaseServingPin':
      return decideReleasePin(command, state);
    case 'EraseDataSubject':
      return decideErase(command, state);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// evolve

export function evolveModel(state: ModelLifecycleState, event: ModelLifecycleEvent): ModelLifecycleState {
  switch (event.type) {
    case 'BaseModelRegistered': {
      const bases = new Map(state.bases);
      bases.set(event.data.baseModelId, event.data);
      return { ...state, bases };
    }
    case 'TrainingPolicyRegistered': {
      const policies = new Map(state.policies);
      const forBase = new Map(policies.get(event.data.baseModelId) ?? []);
      forBase.set(event.data.policyHash, event.data.policy);
      policies.set(event.data.baseModelId, forBase);
      return {
        ...state,
        policies,
        active: { baseModelId: event.data.baseModelId, policyHash: event.data.policyHash },
        governance: event.data.governance ?? DEFAULT_GOVERNANCE,
      };
    }
    case 'ModelVersionMaterialized': {
      if (state.versions.has(event.data.versionId)) return state;
      const versions = new Map(state.versions);
      versions.set(event.data.versionId, event.data);
      return { ...state, versions };
    }
    case 'ServingVersionChanged':
      return { ...state, serving: event.data.versionId, pinned: event.data.automatic !== true };
    case 'ServingPinReleased':
      return { ...state, pinned: false };
    case 'DataSubjectErased':
      return { ...state, retired: new Set([...state.retired, ...event.data.retiredVersionIds]) };
  }
}

export const modelDecider: Decider<ModelLifecycleState, ModelCommand, ModelLifecycleEvent> = {
  decide: decideModel,
  evolve: evolveModel,
  initialState: initialModelLifecycleState,
};

/** Parses an untrusted `{id, type, data, metadata}` of the model-lifecycle stream. */
export function parseModelLifecycleEvent(raw: {
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
}): ModelLifecycleEvent {
  const event = parseLedgerEvent(raw);
  if (
    event.type === 'BaseModelRegistered' ||
    event.type === 'TrainingPolicyRegistered' ||
    event.type === 'ModelVersionMaterialized' ||
    event.type === 'ServingVersionChanged' ||
    event.type === 'ServingPinReleased' ||
    event.type === 'DataSubjectErased'
  ) {
    return event;
  }
  throw new InvalidFieldError('type', `${event.type} does not belong to the ${MODEL_STREAM} stream`);
}
