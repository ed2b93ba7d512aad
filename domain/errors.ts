// The one error taxonomy (issue 10). Every error editledger raises on purpose is an `EditledgerError`: a stable
// `code` (what went wrong, e.g. `edit_not_found`), a `kind` (what the caller can do about it) and, for bad input,
// the `field` at fault. Adapters map the KIND once each: to exit codes (infra/cli/format.ts), to HTTP statuses,
// to dead letters (infra/ingest). Nothing maps by class name.

/**
 * - invalid_input: the request is wrong (a field, a rule); fix it and retry.
 * - not_found: it names something that does not exist.
 * - conflict: it clashes with what is recorded (a concurrent writer, the same id with other content).
 * - unavailable: a store or server cannot be reached now; the same request may work later.
 * - internal: editledger's own data or code is wrong (a corrupted file, a rebuild that differs).
 */
export type ErrorKind = 'invalid_input' | 'not_found' | 'conflict' | 'unavailable' | 'internal';

export abstract class EditledgerError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;
  /** The field at fault (a dotted path), for bad input. */
  readonly field?: string;
}

/** The kind of any thrown value: `internal` for what editledger did not raise on purpose. */
export function errorKindOf(error: unknown): ErrorKind {
  return error instanceof EditledgerError ? error.kind : 'internal';
}

export type DomainErrorCode =
  | 'invalid_field'
  | 'unknown_event_type'
  | 'edit_not_found'
  | 'edit_already_retracted'
  | 'edit_already_superseded'
  | 'edit_already_active'
  | 'source_conflict'
  | 'edit_already_reviewed'
  | 'edit_not_reviewable'
  | 'dataset_format';

const DOMAIN_KINDS: Record<DomainErrorCode, ErrorKind> = {
  invalid_field: 'invalid_input',
  unknown_event_type: 'invalid_input',
  edit_not_found: 'not_found',
  edit_already_retracted: 'invalid_input',
  edit_already_superseded: 'invalid_input',
  edit_already_active: 'invalid_input',
  source_conflict: 'conflict',
  edit_already_reviewed: 'invalid_input',
  edit_not_reviewable: 'invalid_input',
  dataset_format: 'invalid_input',
};

/** Errors of the edit rules and the event catalogue. */
export abstract class DomainError extends EditledgerError {
  abstract override readonly code: DomainErrorCode;
  get kind(): ErrorKind {
    return DOMAIN_KINDS[this.code];
  }
}

/** A field failed validation. `field` is a dotted path, e.g. `data.locality.0.prompt`. */
export class InvalidFieldError extends DomainError {
  override readonly name: string = 'InvalidFieldError';
  readonly code = 'invalid_field' as const;
  constructor(
    override readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class UnknownEventTypeError extends DomainError {
  override readonly name = 'UnknownEventTypeError';
  readonly code = 'unknown_event_type' as const;
  override readonly field = 'type';
  constructor(readonly eventType: string) {
    super(`type: unknown event type "${eventType}"`);
  }
}

export class EditNotFoundError extends DomainError {
  override readonly name = 'EditNotFoundError';
  readonly code = 'edit_not_found' as const;
  override readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: no edit ${editId} in the ledger`);
  }
}

export class EditAlreadyRetractedError extends DomainError {
  override readonly name = 'EditAlreadyRetractedError';
  readonly code = 'edit_already_retracted' as const;
  override readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: edit ${editId} is already retracted`);
  }
}

export class EditAlreadySupersededError extends DomainError {
  override readonly name = 'EditAlreadySupersededError';
  readonly code = 'edit_already_superseded' as const;
  override readonly field = 'editId';
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
  override readonly field = 'editId';
  constructor(readonly editId: string) {
    super(`editId: edit ${editId} is active; only a retracted or superseded edit can be reinstated`);
  }
}

/** Four-eyes review: an edit is approved or rejected once. */
export class EditAlreadyReviewedError extends DomainError {
  override readonly name = 'EditAlreadyReviewedError';
  readonly code = 'edit_already_reviewed' as const;
  override readonly field = 'editId';
  constructor(
    readonly editId: string,
    readonly review: 'approved' | 'rejected',
  ) {
    super(`editId: edit ${editId} was already ${review}`);
  }
}

/** Only an active edit can be reviewed (a retracted or superseded one is not going to be trained anyway). */
export class EditNotReviewableError extends DomainError {
  override readonly name = 'EditNotReviewableError';
  readonly code = 'edit_not_reviewable' as const;
  override readonly field = 'editId';
  constructor(
    readonly editId: string,
    readonly status: string,
  ) {
    super(`editId: edit ${editId} is ${status}; only an active edit can be approved or rejected`);
  }
}

/** The same upstream (system, ref) was already used for a different fact: a redelivery must not change meaning. */
export class SourceConflictError extends DomainError {
  override readonly name = 'SourceConflictError';
  readonly code = 'source_conflict' as const;
  override readonly field = 'source.ref';
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
    override readonly field: string | undefined,
    readonly reason: string,
  ) {
    const where = recordIndex === undefined ? '' : `record ${recordIndex}`;
    const what = field === undefined ? '' : `${where ? ' ' : ''}field "${field}"`;
    super(`${where}${what}${where || what ? ': ' : ''}${reason}`);
  }
}
