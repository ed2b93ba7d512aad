// The model lifecycle's typed errors (domain/model-version.ts decides; these say why it refused).
import { defineError } from './errors.ts';

export class BaseModelNotRegisteredError extends defineError(
  'base_not_registered',
  'not_found',
  (baseModelId: string | undefined) => ({
    message:
      baseModelId === undefined
        ? 'baseModelId: no base model is registered; run `editledger model register DIR` first'
        : `baseModelId: no base model ${baseModelId} is registered`,
    field: 'baseModelId',
    baseModelId,
  }),
) {}

export class PolicyNotRegisteredError extends defineError(
  'policy_not_registered',
  'invalid_input',
  (baseModelId: string, policyHash: string) => ({
    message: `policy: policy ${policyHash.slice(0, 12)} was never registered for base model ${baseModelId}`,
    field: 'policy',
    baseModelId,
    policyHash,
  }),
) {}

export class BaseHashMismatchError extends defineError(
  'base_hash_mismatch',
  'invalid_input',
  (baseModelId: string, expected: string, actual: string) => ({
    message: `baseHash: base model ${baseModelId} was registered with hash ${expected.slice(0, 12)}, got ${actual.slice(0, 12)}`,
    field: 'baseHash',
    baseModelId,
    expected,
    actual,
  }),
) {}

/** Serving a version outside the declared change envelope needs an explicit, recorded acceptance. */
export class OutsideEnvelopeError extends defineError(
  'outside_envelope',
  'conflict',
  (versionId: string, failing: string) => ({
    message: `versionId: ${versionId.slice(0, 12)} is outside the change envelope (${failing}); serving it needs an approver's explicit acceptance (--accept-outside-envelope, or "acceptOutsideEnvelope": true) and a reason`,
    field: 'versionId',
    versionId,
    failing,
  }),
) {}

export class ModelVersionNotFoundError extends defineError('version_not_found', 'not_found', (versionId: string) => ({
  message: `versionId: no model version ${versionId} has been materialized`,
  field: 'versionId',
  versionId,
})) {}
