// Errors of erasure (GDPR Art. 17): what cannot be done with data whose key was destroyed.
import { defineError } from './errors.ts';

/** No key for the data subject named: never seen, or already erased. */
export class DataSubjectNotFoundError extends defineError('data_subject_not_found', 'not_found', () => ({
  // The id is personal data: it is not repeated in the message (messages reach logs).
  message: 'dataSubject: no data subject with that id has data in this ledger (never submitted, or already erased)',
  field: 'dataSubject',
})) {}

/** A version built from erased data: its weights encode the erased facts, so it is never served again. */
export class VersionRetiredError extends defineError(
  'version_retired',
  'conflict',
  (versionId: string, ordinal: number) => ({
    message: `version #${ordinal} ${versionId.slice(0, 12)} is retired: it was built from erased personal data, so it cannot be served, rolled back to or checked out`,
    versionId,
    ordinal,
  }),
) {}

/** An edit whose content was erased can never be trained or made active again. */
export class EditErasedError extends defineError('edit_erased', 'conflict', (editId: string) => ({
  message: `edit ${editId} was erased (its data subject's key is destroyed): it cannot be reinstated or trained`,
  editId,
})) {}
