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

/**
 * What one occurrence of a defined error says: its message, for bad input the field at fault, the error that
 * caused it, and any further properties callers read (an edit id, a position), all readonly on the error.
 */
export interface ErrorDetails {
  readonly message: string;
  readonly field?: string | undefined;
  readonly cause?: unknown;
}

/** A class made by `defineError`: its instances are EditledgerErrors with that code and kind and the details' fields. */
export type DefinedErrorClass<Code extends string, Kind extends ErrorKind, Args extends unknown[], Details> = new (
  ...args: Args
) => EditledgerError & { readonly code: Code; readonly kind: Kind } & Readonly<Omit<Details, 'message' | 'cause'>>;

/**
 * The one shape of every editledger error class, so a class is its code, its kind and what it says:
 *   export class EditNotFoundError extends defineError('edit_not_found', 'not_found', (editId: string) => ({
 *     message: `editId: no edit ${editId} in the ledger`, field: 'editId', editId }),
 *   ) {}
 * `name` is the declaring class's name (it shows in stack traces and logs); `instanceof` works per class.
 */
export function defineError<
  const Code extends string,
  const Kind extends ErrorKind,
  Args extends unknown[],
  Details extends ErrorDetails,
>(code: Code, kind: Kind, describe: (...args: Args) => Details): DefinedErrorClass<Code, Kind, Args, Details> {
  class DefinedError extends EditledgerError {
    readonly code = code;
    readonly kind = kind;
    constructor(...args: Args) {
      const { message, cause, ...details } = describe(...args);
      super(message, cause === undefined ? undefined : { cause });
      this.name = new.target.name;
      Object.assign(this, details);
    }
  }
  // The details' fields are assigned above; TypeScript cannot see Object.assign add them to the instance type.
  return DefinedError as unknown as DefinedErrorClass<Code, Kind, Args, Details>;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors of the edit rules and the event catalogue

/** The shape of every "this field is wrong" error: `new X(field, reason)` says `<field>: <reason>`. */
export function fieldErrorClass<const Code extends string>(code: Code) {
  return defineError(code, 'invalid_input', (field: string, reason: string) => ({
    message: `${field}: ${reason}`,
    field,
    reason,
  }));
}

/** A field failed validation. `field` is a dotted path, e.g. `data.locality.0.prompt`. */
export class InvalidFieldError extends fieldErrorClass('invalid_field') {}

export class UnknownEventTypeError extends defineError('unknown_event_type', 'invalid_input', (eventType: string) => ({
  message: `type: unknown event type "${eventType}"`,
  field: 'type',
  eventType,
})) {}

export class EditNotFoundError extends defineError('edit_not_found', 'not_found', (editId: string) => ({
  message: `editId: no edit ${editId} in the ledger`,
  field: 'editId',
  editId,
})) {}

export class EditAlreadyRetractedError extends defineError(
  'edit_already_retracted',
  'invalid_input',
  (editId: string) => ({
    message: `editId: edit ${editId} is already retracted`,
    field: 'editId',
    editId,
  }),
) {}

export class EditAlreadySupersededError extends defineError(
  'edit_already_superseded',
  'invalid_input',
  (editId: string, supersededBy: string) => ({
    message: `editId: edit ${editId} was superseded by ${supersededBy}; retract that one instead`,
    field: 'editId',
    editId,
    supersededBy,
  }),
) {}

export class EditAlreadyActiveError extends defineError('edit_already_active', 'invalid_input', (editId: string) => ({
  message: `editId: edit ${editId} is active; only a retracted or superseded edit can be reinstated`,
  field: 'editId',
  editId,
})) {}

/** Four-eyes review: an edit is approved or rejected once. */
export class EditAlreadyReviewedError extends defineError(
  'edit_already_reviewed',
  'invalid_input',
  (editId: string, review: 'approved' | 'rejected') => ({
    message: `editId: edit ${editId} was already ${review}`,
    field: 'editId',
    editId,
    review,
  }),
) {}

/** Only an active edit can be reviewed (a retracted or superseded one is not going to be trained anyway). */
export class EditNotReviewableError extends defineError(
  'edit_not_reviewable',
  'invalid_input',
  (editId: string, status: string) => ({
    message: `editId: edit ${editId} is ${status}; only an active edit can be approved or rejected`,
    field: 'editId',
    editId,
    status,
  }),
) {}

/** The same upstream (system, ref) was already used for a different fact: a redelivery must not change meaning. */
export class SourceConflictError extends defineError(
  'source_conflict',
  'conflict',
  (system: string, ref: string, detail: string) => ({
    message: `source.ref: ${system}/${ref} ${detail}`,
    field: 'source.ref',
    system,
    ref,
    detail,
  }),
) {}

/** A dataset record is malformed. `recordIndex` is 0-based in file order (JSON array index or JSONL line - 1). */
export class DatasetFormatError extends defineError(
  'dataset_format',
  'invalid_input',
  (recordIndex: number | undefined, field: string | undefined, reason: string) => {
    const where = recordIndex === undefined ? '' : `record ${recordIndex}`;
    const what = field === undefined ? '' : `${where ? ' ' : ''}field "${field}"`;
    return { message: `${where}${what}${where || what ? ': ' : ''}${reason}`, field, recordIndex, reason };
  },
) {}
