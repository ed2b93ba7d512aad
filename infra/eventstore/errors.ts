// Errors the event-store adapters raise besides the port's own (WrongExpectedRevisionError,
// EventIdConflictError). Each names what was wrong so a CLI can print it as is.
import { defineError, fieldErrorClass } from '../../domain/errors.ts';

/** Something handed to `append` (or a read option) cannot be stored; `field` says which part, e.g. `events[2].data.prompt`. */
export class InvalidEventError extends fieldErrorClass('invalid_event') {}

/** The store file is not a database, is damaged, or belongs to another application. Nothing was changed. */
export class EventStoreCorruptedError extends defineError(
  'event_store_corrupted',
  'internal',
  (path: string, problem: string, options?: { cause?: unknown }) => ({
    message: `event store "${path}": ${problem}`,
    cause: options?.cause,
    path,
  }),
) {}

/** The store cannot be reached or used (closed, unreachable server, unsupported server version). */
export class EventStoreUnavailableError extends defineError(
  'event_store_unavailable',
  'unavailable',
  (message: string, options?: { cause?: unknown }) => ({ message, cause: options?.cause }),
) {}
