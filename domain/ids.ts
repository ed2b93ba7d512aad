// UUIDs for edits and events (RFC 4122 / RFC 9562).
// v4 for fresh ids (correlation ids, a CLI submission without an upstream ref); v5 (name-based, SHA-1) for
// everything derived from an upstream id, so a redelivered correction produces byte-identical ids and the
// store's id check turns it into a no-op instead of a duplicate.
import { createHash, randomUUID } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function uuidV4(): string {
  return randomUUID();
}

function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new TypeError(`namespace: not a UUID: ${uuid}`);
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 4122 §4.3: SHA-1 over namespace bytes + UTF-8 name, truncated to 16 bytes, version 5, variant 10xx. */
export function uuidV5(name: string, namespace: string): string {
  const digest = createHash('sha1').update(uuidToBytes(namespace)).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}

/** RFC 4122 Appendix C: the URL namespace. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** editledger's own namespace, itself a v5 of a URL so it is reproducible rather than a magic constant. */
export const EDITLEDGER_NAMESPACE = uuidV5('https://editledger.dev/ns', URL_NAMESPACE);

/** The edit id of a correction from upstream (system, ref): the same upstream id always names the same edit. */
export function editIdForSource(system: string, ref: string): string {
  // JSON of a pair is unambiguous even when system or ref contain separators.
  return uuidV5(JSON.stringify(['edit', system, ref]), EDITLEDGER_NAMESPACE);
}

/**
 * The id of an event that can happen at most once per subject (an edit is submitted once, retracted once,
 * superseded once), so deriving it from (type, subject) makes the event id stable across redeliveries.
 */
export function eventIdFor(eventType: string, subjectId: string): string {
  return uuidV5(JSON.stringify(['event', eventType, subjectId]), EDITLEDGER_NAMESPACE);
}

/** The id of an event that may legitimately happen many times (a promote, a policy registered again): it follows
 * from the command that caused it, so the same command retried appends nothing. */
export function commandEventIdFor(eventType: string, commandId: string): string {
  return uuidV5(JSON.stringify(['command-event', eventType, commandId]), EDITLEDGER_NAMESPACE);
}
