// Errors of erasure (GDPR Art. 17): what cannot be done with data whose key was destroyed.
import { EditledgerError } from './errors.ts';

/** No key for the data subject named: never seen, or already erased. */
export class DataSubjectNotFoundError extends EditledgerError {
  override readonly name = 'DataSubjectNotFoundError';
  readonly code = 'data_subject_not_found';
  readonly kind = 'not_found' as const;
  override readonly field = 'dataSubject';
  constructor() {
    // The id is personal data: it is not repeated in the message (messages reach logs).
    super('dataSubject: no data subject with that id has data in this ledger (never submitted, or already erased)');
  }
}

/** A version built from erased data: its weights encode the erased facts, so it is never served again. */
export class VersionRetiredError extends EditledgerError {
  override readonly name = 'VersionRetiredError';
  readonly code = 'version_retired';
  readonly kind = 'conflict' as const;
  constructor(
    readonly versionId: string,
    readonly ordinal: number,
  ) {
    super(
      `version #${ordinal} ${versionId.slice(0, 12)} is retired: it was built from erased personal data, so it cannot be served, rolled back to or checked out`,
    );
  }
}

/** An edit whose content was erased can never be trained or made active again. */
export class EditErasedError extends EditledgerError {
  override readonly name = 'EditErasedError';
  readonly code = 'edit_erased';
  readonly kind = 'conflict' as const;
  constructor(readonly editId: string) {
    super(`edit ${editId} was erased (its data subject's key is destroyed): it cannot be reinstated or trained`);
  }
}
