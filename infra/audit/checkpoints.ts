// Signed checkpoints of the chain head (issue 12). A checkpoint says "at position P the chain hash was H", signed
// with the audit key. It is kept twice: as an event in the ledger's `audit-checkpoints` stream (so it is itself
// chained and travels with the ledger) and as a line of <home>/audit/checkpoints.jsonl (the auditor's copy, so a
// truncation that also removes the checkpoint events is still caught). Rewriting the chain without the private key
// cannot produce checkpoints that verify against the public key.
import { randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { defineError } from '../../domain/errors.ts';
import type { EventStore, JsonValue } from '../../domain/ports/event-store.ts';
import { keyIdOf } from './keys.ts';

export const AUDIT_STREAM = 'audit-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'AuditCheckpointSigned';

export interface SignedCheckpoint {
  readonly v: 1;
  readonly position: number;
  readonly chainHash: string;
  readonly signedAt: string;
  /** keyIdOf the signing key's public half. */
  readonly keyId: string;
  /** Ed25519 signature over checkpointPayload, base64. */
  readonly signature: string;
}

export class NothingToSignError extends defineError('nothing_to_sign', 'invalid_input', (message: string) => ({
  message,
})) {}

export function checkpointsFile(home: string): string {
  return join(home, 'audit', 'checkpoints.jsonl');
}

/** The signed bytes: every field but the signature, as canonical JSON. */
export function checkpointPayload(c: Omit<SignedCheckpoint, 'signature'>): Buffer {
  const { v, position, chainHash, signedAt, keyId } = c;
  return Buffer.from(canonicalJson({ v, position, chainHash, signedAt, keyId }), 'utf8');
}

export function signCheckpoint(
  head: { readonly position: number; readonly chainHash: string },
  privateKey: KeyObject,
  now: Date = new Date(),
): SignedCheckpoint {
  const unsigned = {
    v: 1 as const,
    position: head.position,
    chainHash: head.chainHash,
    signedAt: now.toISOString(),
    keyId: keyIdOf(privateKey),
  };
  return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), privateKey).toString('base64') };
}

export function signatureValid(c: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointPayload(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A checkpoint read from a file or an event, or undefined when it does not have the shape. */
export function asCheckpoint(value: unknown): SignedCheckpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  const ok =
    c['v'] === 1 &&
    Number.isSafeInteger(c['position']) &&
    typeof c['chainHash'] === 'string' &&
    typeof c['signedAt'] === 'string' &&
    typeof c['keyId'] === 'string' &&
    typeof c['signature'] === 'string';
  return ok ? (value as SignedCheckpoint) : undefined;
}

export function appendCheckpointLine(file: string, checkpoint: SignedCheckpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The checkpoints of a JSONL file ([] when it does not exist); `unreadable` counts lines that are not one. */
export function readCheckpointLines(file: string): { checkpoints: SignedCheckpoint[]; unreadable: number[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: [] };
    throw error;
  }
  const checkpoints: SignedCheckpoint[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const checkpoint = asCheckpoint(parsed);
    if (checkpoint === undefined) unreadable.push(i + 1);
    else checkpoints.push(checkpoint);
  });
  return { checkpoints, unreadable };
}

export async function readLedgerCheckpoints(store: EventStore): Promise<SignedCheckpoint[]> {
  const events = await store.readStream(AUDIT_STREAM);
  return events.flatMap((e) => {
    const checkpoint = e.type === CHECKPOINT_EVENT_TYPE ? asCheckpoint(e.data) : undefined;
    return checkpoint === undefined ? [] : [checkpoint];
  });
}

export interface SignHeadOptions {
  readonly store: EventStore;
  readonly privateKey: KeyObject;
  /** The JSONL copy, normally checkpointsFile(home). */
  readonly file: string;
  readonly actor?: string;
  readonly now?: () => Date;
}

/**
 * Signs the current head (position and chain hash) and records the checkpoint in the ledger and the file. Called by
 * `audit checkpoint`, by the trainer consumer after each materialized version, and by the service on a timer.
 */
export async function signHeadCheckpoint(options: SignHeadOptions): Promise<SignedCheckpoint> {
  const { store } = options;
  const head = await store.headPosition();
  if (head === 0) throw new NothingToSignError('the ledger is empty: there is no head to sign');
  let headEvent;
  for await (const e of store.readAll({ after: head - 1, maxCount: 1 })) headEvent = e;
  if (headEvent?.chainHash === undefined)
    throw new NothingToSignError(`the event at position ${head} has no chain link to sign (run \`audit verify\`)`);
  const now = options.now?.() ?? new Date();
  const id = randomUUID();
  const checkpoint = signCheckpoint(
    { position: headEvent.position, chainHash: headEvent.chainHash },
    options.privateKey,
    now,
  );
  await store.append(
    AUDIT_STREAM,
    [
      {
        id,
        type: CHECKPOINT_EVENT_TYPE,
        data: checkpoint as unknown as JsonValue,
        // The ledger's metadata shape (domain/events/metadata.ts), so `log` and every reader parse it.
        metadata: {
          actor: options.actor ?? 'audit',
          channel: 'audit',
          correlationId: id,
          causationId: id,
          recordedAt: now.toISOString(),
        },
      },
    ],
    'any',
  );
  appendCheckpointLine(options.file, checkpoint);
  return checkpoint;
}
