// Sealing one field value under a data-subject key: AES-256-GCM over the value's JSON, stored as the string
// `sealed:v1:<keyId>:<base64url(iv | ciphertext | tag)>`. The IV is synthetic (an HMAC of the field name and the
// plaintext under the key), so sealing is deterministic: the same value sealed again gives the same bytes, which
// keeps redelivered events byte-identical (the store's idempotency) and lets readers cache what they opened.
// Equal values under one key are thus recognisable as equal; nothing else about them is.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { JsonValue } from '../../domain/ports/event-store.ts';

const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The key id a sealed value names. */
export function sealedKeyId(sealed: string): string {
  const end = sealed.indexOf(':', PREFIX.length);
  return sealed.slice(PREFIX.length, end);
}

export function seal(key: Uint8Array, keyId: string, field: string, value: JsonValue): string {
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  const iv = createHmac('sha256', key).update('iv\0').update(field).update('\0').update(plaintext).digest();
  const cipher = createCipheriv('aes-256-gcm', key, iv.subarray(0, IV_BYTES));
  cipher.setAAD(Buffer.from(field, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const packed = Buffer.concat([iv.subarray(0, IV_BYTES), body, cipher.getAuthTag()]);
  return `${PREFIX}${keyId}:${packed.toString('base64url')}`;
}

/** Opens a sealed value; throws when the bytes or the field name do not match what was sealed (tampering). */
export function unseal(key: Uint8Array, field: string, sealed: string): JsonValue {
  const packed = Buffer.from(sealed.slice(sealed.indexOf(':', PREFIX.length) + 1), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(field, 'utf8'));
  decipher.setAuthTag(packed.subarray(packed.length - TAG_BYTES));
  const plaintext = Buffer.concat([
    decipher.update(packed.subarray(IV_BYTES, packed.length - TAG_BYTES)),
    decipher.final(),
  ]);
  return JSON.parse(plaintext.toString('utf8')) as JsonValue;
}
