// Typed errors raised by the domain. Every error that comes from bad input names the offending field,
// so a CLI or HTTP adapter can show it as-is and map `code` to an exit/status code without string matching.

export type DomainErrorCode =
  | 'invalid_field'
  | 'unknown_event_type'
  | 'edit_not_found'
  | 'edit_already_retracted'
  | 'edit_already_superseded'
  | 'edit_already_active'
  | 'source_conflict'
  | 'dataset_format';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** A field failed validation. `field` is a dotted path, e.g. `data.locality.0.prompt`. */
export class InvalidFieldError extends DomainError {
  override readonly name: string = 'InvalidFieldError';
  readonly code = 'invalid_field' as const;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class UnknownEventTypeError extends DomainError {
  override readonly name = 'UnknownEventTypeError';
  readonly code = 'unknown_event_type' as const;
  readonly field = 'type';
  constructor(readonly eventType: string) {
    super(`type: unknown event type "${eventType}"`);
  }
}

export class EditNotFoundError extends DomainError {
  override readonly name = 'EditNotFoundError';
  readonly code = 'edit_not_found' as const;
  readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: no edit ${editId} in the ledger`);
  }
}

export class EditAlreadyRetractedError extends DomainError {
  override readonly name = 'EditAlreadyRetractedError';
  readonly code = 'edit_already_retracted' as const;
  readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: edit ${editId} is already retracted`);
  }
}

export class EditAlreadySupersededError extends DomainError {
  override readonly name = 'EditAlreadySupersededError';
  readonly code = 'edit_already_superseded' as const;
  readonly field = 'editId';
  constructor(
    readonly editId: string,
    readonly supersededBy: string,
  ) {
    super(`editId: edit ${editId} was superseded by ${supersededBy}; retract that one instead`);
  }
}

export class EditAlreadyActiveError extends DomainError {
  override readonly name = 'EditAlreadyActiveError';
  readonly code = 'edit_already_active' as const;
  readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: edit ${editId} is active; only a retracted or superseded edit can be reinstated`);
  }
}

/** The same upstream (system, ref) was already used for a different fact: a redelivery must not change meaning. */
export class SourceConflictError extends DomainError {
  override readonly name = 'SourceConflictError';
  readonly code = 'source_conflict' as const;
  readonly field = 'source.ref';
  constructor(
    readonly system: string,
    readonly ref: string,
    readonly detail: string,
  ) {
    super(`source.ref: ${system}/${ref} ${detail}`);
  }
}

/** A dataset record is malformed. `recordIndex` is 0-based in file order (JSON array index or JSONL line - 1). */
export class DatasetFormatError extends DomainError {
  override readonly name = 'DatasetFormatError';
  readonly code = 'dataset_format' as const;
  constructor(
    readonly recordIndex: number | undefined,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    const where = recordIndex === undefined ? '' : `record ${recordIndex}`;
    const what = field === undefined ? '' : `${where ? ' ' : ''}field "${field}"`;
    super(`${where}${what}${where || what ? ': ' : ''}${reason}`);
  }
}
