// Walking the hash chain (domain/chain.ts): recompute every link in order, stop at the first one that does not
// follow, and say what most likely happened there by trying the few explanations that fit a broken link.
// Pure over an async iterable of pages of chain entries (chainPages: a store's readChain, else its readAll), so
// every adapter is audited the same way.
import type { ChainEntry, EventStore } from './ports/event-store.ts';
import { expectedLink, GENESIS_HASH, toChainEntry } from './chain.ts';
import type { ChainBreak, ChainScope } from './chain.ts';

export interface ChainWalkOptions {
  readonly scope?: ChainScope;
  /** Positions whose chain hash the caller wants back (signed checkpoints to compare). */
  readonly positions?: ReadonlySet<number>;
  /** Stop after this position (an audit of a version "up to its position"). */
  readonly upTo?: number;
  /** Events read past a break to tell a reorder, insertion or deletion from a modification. Default 32. */
  readonly lookahead?: number;
}

export interface ChainWalkReport {
  readonly intact: boolean;
  /** Events whose link was checked and found right. */
  readonly verified: number;
  /** The last verified event (position 0 and the genesis hash when none). */
  readonly head: { readonly position: number; readonly chainHash: string };
  readonly firstBreak?: ChainBreak;
  /** chainHash at each requested position that was verified. */
  readonly hashesAt: ReadonlyMap<number, string>;
}

/** A verified link: where it is and its hash. */
interface Anchor {
  readonly position: number;
  readonly hash: string;
}

/**
 * The store's events in $all order as the chain covers them, a page at a time: readChain's stored text when the
 * store has it, else readAll's events re-serialized. Pages, not single events, because one await per event would
 * cost as much as hashing it.
 */
export async function* chainPages(store: EventStore, pageSize = 5000): AsyncGenerator<readonly ChainEntry[]> {
  if (store.readChain === undefined) {
    let page: ChainEntry[] = [];
    for await (const event of store.readAll()) {
      page.push(toChainEntry(event));
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
    return;
  }
  let after = 0;
  for (;;) {
    const page = await store.readChain(after, pageSize);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    after = last.position;
  }
}

export async function walkChain(
  pages: AsyncIterable<readonly ChainEntry[]>,
  options: ChainWalkOptions = {},
): Promise<ChainWalkReport> {
  const scope = options.scope ?? 'all';
  const lookahead = options.lookahead ?? 32;
  const { positions, upTo = Number.POSITIVE_INFINITY } = options;
  const hashesAt = new Map<number, string>();
  const perStream = new Map<string, Anchor & { readonly revision: number }>();
  let before: Anchor = { position: 0, hash: GENESIS_HASH }; // the anchor before `last` (for an insertion)
  let last: Anchor = before;
  let verified = 0;
  const iterator = pages[Symbol.asyncIterator]();
  const report = (firstBreak?: ChainBreak): ChainWalkReport => ({
    intact: firstBreak === undefined,
    verified,
    head: { position: last.position, chainHash: last.hash },
    ...(firstBreak === undefined ? {} : { firstBreak }),
    hashesAt,
  });
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      const page = next.value;
      for (let i = 0; i < page.length; i++) {
        const event = page[i]!;
        if (event.position > upTo) return report();
        const prev = scope === 'all' ? last.hash : (perStream.get(event.stream)?.hash ?? GENESIS_HASH);
        if (event.chainHash === undefined || event.chainHash !== expectedLink(prev, event, scope)) {
          const ahead = page.slice(i, i + lookahead + 1);
          while (ahead.length <= lookahead) {
            // An unreadable event after the break only ends the look ahead: the break is already found.
            const more = await iterator.next().catch(() => undefined);
            if (more === undefined || more.done === true) break;
            ahead.push(...more.value.slice(0, lookahead + 1 - ahead.length));
          }
          return report(
            scope === 'all' ? diagnose(ahead, last, before) : diagnoseStream(event, perStream.get(event.stream)),
          );
        }
        if (positions?.has(event.position) === true) hashesAt.set(event.position, event.chainHash);
        verified++;
        before = last;
        last = { position: event.position, hash: event.chainHash };
        if (scope === 'stream') perStream.set(event.stream, { ...last, revision: event.revision });
      }
    }
  } finally {
    await iterator.return?.();
  }
  return report();
}

function where(event: ChainEntry): string {
  return `${event.type} in stream "${event.stream}" revision ${event.revision}`;
}

/** Whether `event` carries the link it would have after `prev` at `position`. */
function linksAt(prev: string, event: ChainEntry | undefined, position?: number): boolean {
  return event?.chainHash !== undefined && event.chainHash === expectedLink(prev, event, 'all', position);
}

/**
 * `ahead[0]` does not follow `last` (the last verified link; `before` is the one before it). Each explanation is a
 * hash identity, so a match is proof, not a guess: the events were chained that way when they were appended.
 */
function diagnose(ahead: readonly ChainEntry[], last: Anchor, before: Anchor): ChainBreak {
  const event = ahead[0]!;
  const position = event.position;
  if (event.chainHash === undefined) {
    return {
      position,
      kind: 'unchained',
      detail: `the event at position ${position} has no chain link (appended with the chain disabled, or by a tool that bypassed editledger)`,
    };
  }
  // Reordered: a later event was chained right here, after `last`, and this one was chained where that one is now
  // (after the event just before it). Without the second half it is an insertion that shifted the rest down.
  const k = ahead.findIndex((e, i) => i > 0 && linksAt(last.hash, e, position));
  const moved = k > 0 ? ahead[k]! : undefined;
  const displaced =
    moved !== undefined &&
    (linksAt(moved.chainHash!, event, position + 1) || linksAt(ahead[k - 1]!.chainHash!, event, moved.position));
  if (moved !== undefined && displaced) {
    return {
      position,
      kind: 'reordered',
      detail: `the event now at position ${moved.position} (${where(moved)}) was chained at position ${position}; events were moved`,
    };
  }
  // Inserted: the next event was chained directly after `last`, one position earlier than it now is (or where it is).
  const after = ahead[1];
  if (after !== undefined && (linksAt(last.hash, after, after.position - 1) || linksAt(last.hash, after))) {
    return {
      position,
      kind: 'inserted',
      detail: `the event at position ${position} (${where(event)}) was not in the chain; the chain continues at position ${after.position}`,
    };
  }
  // Inserted with a valid-looking link: this event was chained after `before`, so the one at `last` was slipped in.
  if (last.position > 0 && linksAt(before.hash, event, position - 1)) {
    return {
      position: last.position,
      kind: 'inserted',
      detail: `the event at position ${last.position} was not in the chain (the event now at position ${position} was chained right after position ${before.position})`,
    };
  }
  if (position > last.position + 1) {
    const missing = position - last.position - 1;
    return {
      position: last.position + 1,
      kind: 'deleted',
      detail: `${missing === 1 ? `the event at position ${last.position + 1} is` : `the ${missing} events at positions ${last.position + 1}-${position - 1} are`} missing`,
    };
  }
  // Deleted and the rest renumbered: the chain continues from this event, but at higher positions.
  if (after !== undefined) {
    for (let shift = 1; shift <= 16; shift++) {
      if (linksAt(event.chainHash, after, after.position + shift)) {
        return {
          position,
          kind: 'deleted',
          detail: `${shift} event(s) before the one now at position ${position} were removed and the later ones renumbered`,
        };
      }
    }
  }
  if (after === undefined || linksAt(event.chainHash, after)) {
    return {
      position,
      kind: 'modified',
      detail:
        `the event at position ${position} (${where(event)}) is not what was chained: its data, metadata, type, id, ` +
        `stream or revision changed${after === undefined ? ' (or it was added at the tail without the chain)' : ''}`,
    };
  }
  return {
    position,
    kind: 'broken',
    detail: `the chain link at position ${position} does not follow from position ${last.position}: a link was rewritten`,
  };
}

/** The 'stream' scope: the previous event of the same stream is the only reference. */
function diagnoseStream(event: ChainEntry, previous: { readonly revision: number } | undefined): ChainBreak {
  const expectedRevision = previous === undefined ? 0 : previous.revision + 1;
  if (event.chainHash === undefined)
    return {
      position: event.position,
      kind: 'unchained',
      detail: `the event at position ${event.position} has no chain link`,
    };
  if (event.revision > expectedRevision)
    return {
      position: event.position,
      kind: 'deleted',
      detail: `stream "${event.stream}" skips from revision ${expectedRevision - 1} to ${event.revision}`,
    };
  return {
    position: event.position,
    kind: 'modified',
    detail: `the event at position ${event.position} (${where(event)}) is not what was chained in its stream`,
  };
}
