// The model lifecycle's typed errors (domain/model-version.ts decides; these say why it refused).
import { EditledgerError } from './errors.ts';
import type { ErrorKind } from './errors.ts';

function shortVersionId(versionId: string): string {
  return versionId.slice(0, 12);
}

export type ModelLifecycleErrorCode =
  'base_not_registered' | 'policy_not_registered' | 'base_hash_mismatch' | 'version_not_found' | 'outside_envelope';

export abstract class ModelLifecycleError extends EditledgerError {
  abstract override readonly code: ModelLifecycleErrorCode;
  abstract override readonly field: string;
  get kind(): ErrorKind {
    if (this.code === 'outside_envelope') return 'conflict';
    return this.code === 'base_not_registered' || this.code === 'version_not_found' ? 'not_found' : 'invalid_input';
  }
}

export class BaseModelNotRegisteredError extends ModelLifecycleError {
  override readonly name = 'BaseModelNotRegisteredError';
  readonly code = 'base_not_registered' as const;
  override readonly field = 'baseModelId';
  constructor(readonly baseModelId: string | undefined) {
    super(
      baseModelId === undefined
        ? 'baseModelId: no base model is registered; run `editledger model register DIR` first'
        : `baseModelId: no base model ${baseModelId} is registered`,
    );
  }
}

export class PolicyNotRegisteredError extends ModelLifecycleError {
  override readonly name = 'PolicyNotRegisteredError';
  readonly code = 'policy_not_registered' as const;
  override readonly field = 'policy';
  constructor(
    readonly baseModelId: string,
    readonly policyHash: string,
  ) {
    super(`policy: policy ${policyHash.slice(0, 12)} was never registered for base model ${baseModelId}`);
  }
}

export class BaseHashMismatchError extends ModelLifecycleError {
  override readonly name = 'BaseHashMismatchError';
  readonly code = 'base_hash_mismatch' as const;
  override readonly field = 'baseHash';
  constructor(
    readonly baseModelId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `baseHash: base model ${baseModelId} was registered with hash ${expected.slice(0, 12)}, got ${actual.slice(0, 12)}`,
    );
  }
}

/** Serving a version outside the declared change envelope needs an explicit, recorded acceptance. */
export class OutsideEnvelopeError extends ModelLifecycleError {
  override readonly name = 'OutsideEnvelopeError';
  readonly code = 'outside_envelope' as const;
  override readonly field = 'versionId';
  constructor(
    readonly versionId: string,
    readonly failing: string,
  ) {
    super(
      `versionId: ${shortVersionId(versionId)} is outside the change envelope (${failing}); serving it needs an approver's explicit acceptance (--accept-outside-envelope, or "acceptOutsideEnvelope": true) and a reason`,
    );
  }
}

export class ModelVersionNotFoundError extends ModelLifecycleError {
  override readonly name = 'ModelVersionNotFoundError';
  readonly code = 'version_not_found' as const;
  override readonly field = 'versionId';
  constructor(readonly versionId: string) {
    super(`versionId: no model version ${versionId} has been materialized`);
  }
}
