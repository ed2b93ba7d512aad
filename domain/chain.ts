// The ledger's hash chain (issue 12, tamper evidence): every stored event carries a link that commits to its own
// content and to the link before it, so changing, removing, inserting or reordering any stored event breaks
// every link from there on.
//
// Definition (version 1):
//   digest = sha256( JSON.stringify([id, stream, type]) "\n" dataJson "\n" metadataJson )
//   link   = sha256( prev "\n" position "\n" revision "\n" digest )          scope 'all'
//   link   = sha256( prev "\n" "stream" "\n" revision "\n" digest )          scope 'stream'
// - dataJson / metadataJson are the event's JSON text exactly as the stores keep it: JSON.stringify of the
//   appended value. Every adapter stores that text (SQLite TEXT, PostgreSQL `json`, EventStoreDB's bytes), and
//   JSON.stringify of a value parsed from it gives the same text back, so a reader can recompute the link from a
//   RecordedEvent (toChainEntry) when the store cannot hand out the raw text (EventStore.readChain). Hashing the stored bytes (not a re-sorted canonical form) is also what
//   keeps the chain valid when fields are later stored encrypted: the ciphertext is what is hashed. It is fast,
//   too: canonicalJson costs ~4 µs an event, which alone would take 1,000,000 events past the 10 s target.
// - Every part is fixed-format (hex, decimal integers, JSON text without raw newlines), so the framing is
//   unambiguous. The store's `recordedAt` (its own clock) is not chained; the decision time the application
//   records, metadata.recordedAt, is.
// - Scope 'all' (SQLite, PostgreSQL, in-memory): prev is the link of the event before in $all (64 zeros for the
//   first), and positions are contiguous. Scope 'stream' (EventStoreDB, whose $all positions are log offsets not
//   known before the write): prev is the link of the event before in the same stream.
import { createHash } from 'node:crypto';
import { defineError } from './errors.ts';
import type { ChainEntry, RecordedEvent } from './ports/event-store.ts';

export const GENESIS_HASH = '0'.repeat(64);
export type ChainScope = 'all' | 'stream';

export interface ChainContent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  /** JSON.stringify(data), as stored. */
  readonly dataJson: string;
  /** JSON.stringify(metadata), as stored. */
  readonly metadataJson: string;
}

/** The placement-independent part: what the event says. */
export function eventDigest(content: ChainContent): string {
  return createHash('sha256')
    .update(
      `${JSON.stringify([content.id, content.stream, content.type])}\n${content.dataJson}\n${content.metadataJson}`,
    )
    .digest('hex');
}

/** One link; `position` undefined for the 'stream' scope. The PostgreSQL append function computes the same in SQL. */
export function chainLink(prev: string, position: number | undefined, revision: number, digest: string): string {
  return createHash('sha256')
    .update(`${prev}\n${position === undefined ? 'stream' : position}\n${revision}\n${digest}`)
    .digest('hex');
}

/** A recorded event as the chain covers it: JSON.stringify of a parsed value gives back the stored text. */
export function toChainEntry(event: RecordedEvent): ChainEntry {
  return {
    position: event.position,
    stream: event.stream,
    revision: event.revision,
    id: event.id,
    type: event.type,
    dataJson: JSON.stringify(event.data),
    metadataJson: JSON.stringify(event.metadata),
    ...(event.chainHash === undefined ? {} : { chainHash: event.chainHash }),
  };
}

/** The link `entry` should carry after `prev`, were it at `position` (default: where it is). */
export function expectedLink(prev: string, entry: ChainEntry, scope: ChainScope, position = entry.position): string {
  return chainLink(prev, scope === 'all' ? position : undefined, entry.revision, eventDigest(entry));
}

/** Links for a batch being appended after `prev`, at positions first, first + 1, ... */
export function linkBatch(
  prev: string,
  events: ReadonlyArray<ChainContent & { readonly revision: number }>,
  firstPosition: number | undefined,
): string[] {
  const links: string[] = [];
  let last = prev;
  events.forEach((event, i) => {
    last = chainLink(
      last,
      firstPosition === undefined ? undefined : firstPosition + i,
      event.revision,
      eventDigest(event),
    );
    links.push(last);
  });
  return links;
}

export type ChainBreakKind = 'unchained' | 'modified' | 'deleted' | 'inserted' | 'reordered' | 'broken';

export interface ChainBreak {
  /** The first position at which the ledger is not what was chained. */
  readonly position: number;
  readonly kind: ChainBreakKind;
  readonly detail: string;
}

/** A ledger whose stored events, chain or signed checkpoints disagree. */
// 'conflict': what is stored clashes with what was recorded (its own chain, its signed checkpoints); exit 5.
export class LedgerTamperedError extends defineError(
  'ledger_tampered',
  'conflict',
  (position: number, what: string) => ({
    message: `ledger tampered at position ${position}: ${what}`,
    position,
    what,
  }),
) {}
