// Reusable field schemas for event payloads: bounded, well-formed text so a huge or corrupted string is
// rejected at the door with the field's name instead of ending up in the ledger.
import { z } from 'zod';
import { factKeyProblem } from '../fact-key.ts';

// A lone UTF-16 surrogate is what invalid UTF-8 decodes to in some paths; JSON round-trips it badly.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const LIMITS = {
  prompt: 4_000,
  target: 2_000,
  name: 200,
  reason: 2_000,
  ref: 500,
  url: 2_048,
  probes: 100,
} as const;

/** A string of at most `max` characters with no lone surrogates; may be empty. */
export function text(max: number) {
  return z
    .string()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !LONE_SURROGATE.test(s), { error: 'must be well-formed Unicode (found a lone surrogate)' });
}

/** Like `text`, but blank (empty or whitespace-only) is rejected. */
export function requiredText(max: number) {
  return text(max).refine((s) => s.trim().length > 0, { error: 'must not be empty' });
}

export const uuid = z.uuid({ error: 'must be a UUID' });

export const factKey = z.string().superRefine((value, ctx) => {
  const problem = factKeyProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a lower-case hex sha256 (64 characters)' });

/** A data-subject key id (infra/keys/data-subject-key-store.ts): `k` and 24 hex digits, random, naming no one. */
export const subjectKeyId = z
  .string()
  .regex(/^k[0-9a-f]{24}$/, { error: 'must be a data-subject key id (k + 24 hex digits)' });

export const position = z.number().int().nonnegative();

export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(LIMITS.url, { error: `must be at most ${LIMITS.url} characters` });

export const isoTimestamp = z.iso.datetime({
  error: 'must be an ISO-8601 UTC timestamp, e.g. 2025-01-31T12:00:00.000Z',
});
