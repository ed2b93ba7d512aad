// The hash chain (domain/chain.ts) on EventStoreDB, scope 'stream'. Its $all positions are transaction-log offsets,
// known only after the write, and it has no multi-stream transaction, so a chain over $all cannot be built inside
// an append. Each event instead links to the previous event of ITS stream (the adapter writes at the exact revision
// it checked, so that event is known), and the link travels in the event's metadata under `$chain` (the port
// reserves "$" names, so no application metadata can carry that key). The link is added as the last key and
// removed on read, so the metadata the port returns, and hashes, is exactly what was appended.
import { GENESIS_HASH, linkBatch } from '../../domain/chain.ts';
import type { JsonValue } from '../../domain/ports/event-store.ts';
import type { PreparedEvent } from './event-input.ts';

export const CHAIN_METADATA_KEY = '$chain';

/** The links of a batch appended to `stream` after the event with link `prev` (undefined: a new stream). */
export function streamLinks(
  stream: string,
  events: readonly PreparedEvent[],
  firstRevision: number,
  prev: string | undefined,
): string[] {
  return linkBatch(
    prev ?? GENESIS_HASH,
    events.map((event, i) => ({ ...event, stream, revision: firstRevision + i })),
    undefined,
  );
}

/** Metadata as written: the application's, then the link. */
export function withChain(metadata: { readonly [key: string]: JsonValue }, link: string): { [key: string]: JsonValue } {
  return { ...metadata, [CHAIN_METADATA_KEY]: link };
}

/** Metadata as read, split into the application's and the link (undefined for events written without one). */
export function splitChain(metadata: { readonly [key: string]: JsonValue }): {
  metadata: { [key: string]: JsonValue };
  chainHash: string | undefined;
} {
  const { [CHAIN_METADATA_KEY]: link, ...rest } = metadata;
  return { metadata: rest, chainHash: typeof link === 'string' ? link : undefined };
}
