// One upstream message -> one normalized EditRequest, with exactly the record shapes and rules of `edit import`
// (ZsRE or CounterFact/WikiBigEdit keys, detected per message). Errors are InvalidFieldError naming the field in
// the message's own vocabulary (`alt`, `target_new`, `rephrase_prompt[1]`, ...) or `payload` when the message as a
// whole is unusable (empty, not UTF-8, not JSON, not an object, unknown shape).
import { parseDataset } from '../../domain/dataset-formats.ts';
import type { EditRequest } from '../../domain/dataset-formats.ts';
import { DatasetFormatError, InvalidFieldError } from '../../domain/errors.ts';

const PAYLOAD = 'payload';

export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Parse one message payload: a JSON object holding one correction. Throws InvalidFieldError naming the field. */
export function parseCorrection(payload: Uint8Array): EditRequest {
  if (payload.length === 0) throw new InvalidFieldError(PAYLOAD, 'is empty: expected one correction as a JSON object');
  const decoded = decodeUtf8(payload);
  if (decoded === undefined) throw new InvalidFieldError(PAYLOAD, 'is not valid UTF-8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidFieldError(PAYLOAD, `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFieldError(
      PAYLOAD,
      'must be one correction as a JSON object (ZsRE keys src, alt, ... or CounterFact keys prompt, target_new, ...)',
    );
  }
  try {
    // A one-record dataset: the same shape detection, normalization and limits as `edit import`.
    const [request] = parseDataset(JSON.stringify([value])).requests;
    return request!;
  } catch (error) {
    if (error instanceof DatasetFormatError) throw new InvalidFieldError(error.field ?? PAYLOAD, error.reason);
    throw error;
  }
}
