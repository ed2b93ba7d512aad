// Model versions and their lifecycle, as a decider over ONE stream (`model-lifecycle`):
//   decide(command, state) -> event data   (throws a typed error when a command breaks a rule; the command handler
//                                           adds ids and metadata: domain/decided-event.ts)
//   evolve(state, event)   -> state
// What a version is and how its id follows from its inputs: domain/model-version.ts.
// - RegisterBase: BaseModelRegistered (once per base) + TrainingPolicyRegistered (the policy the trainer uses from
//   now on; the latest one names the active base). Registering the same base and policy again is a no-op.
// - MaterializeVersion: ModelVersionMaterialized with an event id derived from the version id. A version that is
//   already in the ledger gives no event, so two trainers racing on one edit set record it once.
// - ChangeServingVersion: ServingVersionChanged (promote / rollback) with actor and reason; the version must exist.
//   Asking for the version already served is a no-op.
// Low volume (one event per version), so one stream and its expected revision serialize every writer.
import { canonicalJson } from './canonical-json.ts';
import { decideByType } from './command-handler.ts';
import type { Decider } from './command-handler.ts';
import type { Decided } from './decided-event.ts';
import { VersionRetiredError } from './erasure-errors.ts';
import { InvalidFieldError } from './errors.ts';
import { parseLedgerEvent, validated } from './events.ts';
import type { EventOfType, LedgerEvent } from './events.ts';
import type { BaseModelRegisteredData, ModelVersionMaterializedData, TrainingPolicy } from './events/model-events.ts';
import { assessVersion, automaticPromotionBlock, DEFAULT_GOVERNANCE, describeFailing } from './governance.ts';
import type { Governance } from './governance.ts';
import {
  ChangeServingVersionDataSchema,
  EraseDataSubjectDataSchema,
  MaterializeVersionDataSchema,
  RegisterBaseDataSchema,
  ReleaseServingPinDataSchema,
} from './model-commands.ts';
import type {
  ChangeServingVersion,
  EraseDataSubject,
  MaterializeVersion,
  ModelCommand,
  RegisterBase,
  ReleaseServingPin,
} from './model-commands.ts';
import {
  BaseHashMismatchError,
  BaseModelNotRegisteredError,
  ModelVersionNotFoundError,
  OutsideEnvelopeError,
  PolicyNotRegisteredError,
} from './model-errors.ts';
import { baseModelIdOf, policyHashOf, versionIdOf } from './model-version.ts';

export const MODEL_STREAM = 'model-lifecycle';

export const MODEL_EVENT_TYPES = [
  'BaseModelRegistered',
  'TrainingPolicyRegistered',
  'ModelVersionMaterialized',
  'ServingVersionChanged',
  'ServingPinReleased',
  'DataSubjectErased',
] as const;
export type ModelLifecycleEvent = EventOfType<(typeof MODEL_EVENT_TYPES)[number]>;

function isModelLifecycleEvent(event: LedgerEvent): event is ModelLifecycleEvent {
  return (MODEL_EVENT_TYPES as readonly string[]).includes(event.type);
}

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

export const decideModel = decideByType<ModelLifecycleState, ModelCommand, ModelLifecycleEvent>({
  RegisterBase: decideRegister,
  MaterializeVersion: decideMaterialize,
  ChangeServingVersion: decideServing,
  ReleaseServingPin: decideReleasePin,
  EraseDataSubject: decideErase,
});

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
  if (isModelLifecycleEvent(event)) return event;
  throw new InvalidFieldError('type', `${event.type} does not belong to the ${MODEL_STREAM} stream`);
}
