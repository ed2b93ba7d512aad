// One audit of a ledger: walk the chain (domain/chain-walk.ts) and hold every signed checkpoint (from the ledger's
// audit stream and from the auditor's file) against it. `audit verify` prints this report; the service's
// /v1/audit routes can return it as is.
import type { KeyObject } from 'node:crypto';
import type { ChainBreak, ChainScope } from '../../domain/chain.ts';
import { chainPages, walkChain } from '../../domain/chain-walk.ts';
import type { ChainEntry, EventStore } from '../../domain/ports/event-store.ts';
import { EventStoreCorruptedError } from '../eventstore/errors.ts';
import { readLedgerCheckpoints, signatureValid, type SignedCheckpoint } from './checkpoints.ts';
import { keyIdOf } from './keys.ts';

export type CheckpointStatus =
  | 'ok' // the chain has this hash at this position (and, with a public key, the signature is that key's)
  | 'other_key' // signed by a key other than the one given
  | 'bad_signature' // claims the given key, but the signature does not verify
  | 'rewritten' // the chain at this position has another hash: history before it was changed and re-chained
  | 'truncated' // the position is past the ledger's end
  | 'unchecked'; // at or after the chain's first break, or after the position audited up to

export interface CheckpointFinding {
  readonly position: number;
  readonly source: 'ledger' | 'file';
  readonly status: CheckpointStatus;
  readonly signedAt: string;
  readonly keyId: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly chain: {
    readonly intact: boolean;
    readonly verified: number;
    readonly head: { readonly position: number; readonly chainHash: string };
    readonly firstBreak?: ChainBreak;
  };
  readonly signaturesChecked: boolean;
  readonly keyId?: string;
  readonly checkpoints: readonly CheckpointFinding[];
  /** The first thing wrong, by position: the chain break or a failing checkpoint. */
  readonly firstProblem?: { readonly position: number; readonly what: string };
  readonly warnings: readonly string[];
}

export interface AuditOptions {
  readonly scope?: ChainScope;
  readonly publicKey?: KeyObject;
  /** The auditor's copy (readCheckpointLines). */
  readonly fileCheckpoints?: readonly SignedCheckpoint[];
  /** Audit the chain only up to this position (a version's). */
  readonly upTo?: number;
}

const FAILING: ReadonlySet<CheckpointStatus> = new Set(['other_key', 'bad_signature', 'rewritten', 'truncated']);

export async function auditLedger(store: EventStore, options: AuditOptions = {}): Promise<AuditReport> {
  const fromLedger = await readLedgerCheckpoints(store);
  const seen = new Set(fromLedger.map((c) => c.signature));
  const all = [
    ...fromLedger.map((c) => ({ c, source: 'ledger' as const })),
    ...(options.fileCheckpoints ?? []).map((c) => ({ c, source: 'file' as const })),
  ].filter(({ c, source }) => source === 'ledger' || !seen.has(c.signature));
  const positions = new Set(all.map(({ c }) => c.position));

  let lastRead = 0;
  async function* tracked(): AsyncGenerator<readonly ChainEntry[]> {
    for await (const page of chainPages(store)) {
      yield page;
      lastRead = page.at(-1)?.position ?? lastRead;
    }
  }
  let walk;
  try {
    walk = await walkChain(tracked(), {
      positions,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.upTo === undefined ? {} : { upTo: options.upTo }),
    });
  } catch (error) {
    if (!(error instanceof EventStoreCorruptedError)) throw error;
    // A stored row that is not even JSON any more (a store without readChain parses it): the tampering broke it.
    const position = lastRead + 1;
    const firstBreak: ChainBreak = { position, kind: 'modified', detail: `unreadable event: ${error.message}` };
    walk = { intact: false, verified: 0, head: { position: lastRead, chainHash: '' }, firstBreak, hashesAt: new Map() };
  }

  const keyId = options.publicKey === undefined ? undefined : keyIdOf(options.publicKey);
  const breakAt = walk.firstBreak?.position ?? Number.POSITIVE_INFINITY;
  const end = walk.head.position;
  const checkpoints: CheckpointFinding[] = all
    .map(({ c, source }) => {
      let status: CheckpointStatus;
      if (keyId !== undefined && c.keyId !== keyId) status = 'other_key';
      else if (options.publicKey !== undefined && !signatureValid(c, options.publicKey)) status = 'bad_signature';
      else if (c.position >= breakAt || (options.upTo !== undefined && c.position > options.upTo)) status = 'unchecked';
      else if (walk.intact && c.position > end) status = 'truncated';
      else status = walk.hashesAt.get(c.position) === c.chainHash ? 'ok' : 'rewritten';
      return { position: c.position, source, status, signedAt: c.signedAt, keyId: c.keyId };
    })
    .sort((a, b) => a.position - b.position);

  const problems: Array<{ position: number; what: string }> = [];
  if (walk.firstBreak !== undefined)
    problems.push({ position: walk.firstBreak.position, what: `${walk.firstBreak.kind}: ${walk.firstBreak.detail}` });
  for (const f of checkpoints.filter((x) => FAILING.has(x.status)))
    problems.push({ position: f.position, what: checkpointProblem(f, end, lastGood(checkpoints, f.position)) });
  problems.sort((a, b) => a.position - b.position);

  const warnings: string[] = [];
  if (options.publicKey === undefined && all.length > 0)
    warnings.push('signatures not checked: pass --public-key to detect a chain rewritten without the key');
  if (all.length === 0)
    warnings.push('no signed checkpoints: a truncated tail or a chain rewritten from scratch cannot be detected');
  const { firstBreak } = walk;
  return {
    ok: problems.length === 0,
    chain: { intact: walk.intact, verified: walk.verified, head: walk.head, ...(firstBreak ? { firstBreak } : {}) },
    signaturesChecked: options.publicKey !== undefined,
    ...(keyId === undefined ? {} : { keyId }),
    checkpoints,
    ...(problems[0] === undefined ? {} : { firstProblem: problems[0] }),
    warnings,
  };
}

function lastGood(findings: readonly CheckpointFinding[], before: number): number | undefined {
  return findings.filter((f) => f.status === 'ok' && f.position < before).at(-1)?.position;
}

function checkpointProblem(f: CheckpointFinding, end: number, good: number | undefined): string {
  const from = `checkpoint of position ${f.position} (${f.source}, signed ${f.signedAt})`;
  switch (f.status) {
    case 'other_key':
      return `${from} is signed by key ${f.keyId}, not the given key: forged or re-signed`;
    case 'bad_signature':
      return `${from} has a signature that does not verify: forged or altered`;
    case 'truncated':
      return `truncated: the ledger ends at position ${end}, but a ${from} covers events up to position ${f.position}`;
    default:
      return `rewritten: the chain at position ${f.position} is not the one signed in the ${from}; events ${good === undefined ? 'at or before it' : `between positions ${good + 1} and ${f.position}`} were changed and the chain recomputed`;
  }
}
