// Which event fields can hold personal data, and what an erased one reads as (GDPR Art. 17 by crypto-shredding).
// The store adapter seals these fields with a per-data-subject key before they are written (so the hash chain is
// over ciphertext and stays valid when a key is destroyed); reading them back after the key is gone yields ERASED.
//
// - Actors (`metadata.actor`, `submittedBy`, `by`) are data subjects themselves: each is sealed under its own key.
// - Free text (`reason`, `evidenceUrl`) is sealed under the key of the data subject the event is about
//   (`subjectKeyId`), else under the acting user's key.
// - The whole content of an edit about a person (a submission that named a data subject) is sealed under that
//   subject's key.

/** What an erased text field reads as. */
export const ERASED = '[erased]';

/** Sealed under the key of the name they hold. */
export const ACTOR_DATA_FIELDS = ['submittedBy', 'by', 'changedBy', 'releasedBy', 'erasedBy'] as const;

/** Sealed under the event's data subject, else under the actor. */
export const FREE_TEXT_FIELDS = ['reason', 'evidenceUrl'] as const;

/** Sealed under the event's data subject, when it names one. */
export const SUBJECT_CONTENT_FIELDS = ['prompt', 'target', 'subject', 'rephrase', 'locality'] as const;

/** Fields that read as an empty list when erased (they are lists); evidenceUrl is dropped (optional URL). */
const ERASED_AS_EMPTY_LIST: ReadonlySet<string> = new Set(['rephrase', 'locality']);
const ERASED_AS_ABSENT: ReadonlySet<string> = new Set(['evidenceUrl']);

/** How an erased field reads: ERASED for text, [] for lists, undefined (dropped) for optional URLs. */
export function erasedValueOf(field: string): string | [] | undefined {
  if (ERASED_AS_EMPTY_LIST.has(field)) return [];
  if (ERASED_AS_ABSENT.has(field)) return undefined;
  return ERASED;
}

/** Whether an edit's content was erased (its data subject's key is gone): it can never be trained or reinstated. */
export function isErasedContent(content: { readonly prompt: string; readonly target: string }): boolean {
  return content.prompt === ERASED && content.target === ERASED;
}

/**
 * The fact key of an edit about a data subject: a keyed pseudonym of the fact key the submission would have had,
 * so the stream name and every event about the fact name neither the person nor the fact. `digest` is an HMAC under
 * the subject's key (DataSubjectKeys.pseudonym), `keyId` the key's random id.
 */
export function pseudonymousFactKey(keyId: string, digest: string): string {
  return `ds-${keyId}::${digest}`;
}
