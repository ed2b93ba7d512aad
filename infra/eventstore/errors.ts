// Errors the event-store adapters raise besides the port's own (WrongExpectedRevisionError,
// EventIdConflictError). Each names what was wrong so a CLI can print it as is.
import { EditledgerError } from '../../domain/errors.ts';

/** Something handed to `append` (or a read option) cannot be stored; `field` says which part, e.g. `events[2].data.prompt`. */
export class InvalidEventError extends EditledgerError {
  override readonly name = 'InvalidEventError';
  readonly code = 'invalid_event';
  readonly kind = 'invalid_input' as const;
  constructor(
    override readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The store file is not a database, is damaged, or belongs to another application. Nothing was changed. */
export class EventStoreCorruptedError extends EditledgerError {
  override readonly name = 'EventStoreCorruptedError';
  readonly code = 'event_store_corrupted';
  readonly kind = 'internal' as const;
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`event store "${path}": ${problem}`, options);
  }
}

/** The store cannot be reached or used (closed, unreachable server, unsupported server version). */
export class EventStoreUnavailableError extends EditledgerError {
  override readonly name = 'EventStoreUnavailableError';
  readonly code = 'event_store_unavailable';
  readonly kind = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
