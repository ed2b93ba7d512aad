// Errors the event-store adapters raise besides the port's own (WrongExpectedRevisionError,
// EventIdConflictError). Each names what was wrong so a CLI can print it as is.

/** Something handed to `append` (or a read option) cannot be stored; `field` says which part, e.g. `events[2].data.prompt`. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The store file is not a database, is damaged, or belongs to another application. Nothing was changed. */
export class EventStoreCorruptedError extends Error {
  override readonly name = 'EventStoreCorruptedError';
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`event store "${path}": ${problem}`, options);
  }
}

/** The store cannot be reached or used (closed, unreachable server, unsupported server version). */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
