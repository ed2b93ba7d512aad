// Errors of the access layer, in the one taxonomy (domain/errors.ts).
import { EditledgerError } from '../../domain/errors.ts';
import type { ErrorKind } from '../../domain/errors.ts';

/** A named thing (a token, a job) does not exist. */
export class NotFoundError extends EditledgerError {
  override readonly name = 'NotFoundError';
  readonly code: string;
  readonly kind: ErrorKind = 'not_found';
  constructor(what: string, message: string) {
    super(message);
    this.code = `${what}_not_found`;
  }
}
