// An EventStore that seals personal data before it is stored and opens it when read (domain/personal-data.ts says
// which fields). It wraps any adapter, so the inner store, its hash chain and `audit verify` only ever see
// ciphertext: destroying a data subject's key (erasure) leaves every chain link valid, and what was sealed under it
// reads as ERASED from then on. Seeing a DataSubjectErased event drops that key from this process's caches, so a
// long-running service stops opening erased data as soon as another process erased it.
import {
  ACTOR_DATA_FIELDS,
  erasedValueOf,
  ERASED,
  FREE_TEXT_FIELDS,
  SUBJECT_CONTENT_FIELDS,
} from '../../domain/personal-data.ts';
import type { DataSubjectKeys } from '../../domain/ports/data-subject-keys.ts';
import type {
  AppendResult,
  ChainEntry,
  EventStore,
  ExpectedRevision,
  JsonValue,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../domain/ports/event-store.ts';
import { toChainEntry } from '../../domain/chain.ts';
import { EditledgerError } from '../../domain/errors.ts';
import { isSealed, seal, sealedKeyId, unseal } from '../keys/sealing.ts';

/** The event type whose `data.keyId` names a destroyed key (domain/events/model-events.ts). */
const ERASURE_EVENT = 'DataSubjectErased';
const DATA_FIELDS: readonly string[] = [...ACTOR_DATA_FIELDS, ...FREE_TEXT_FIELDS, ...SUBJECT_CONTENT_FIELDS];
const MEMO_LIMIT = 50_000;

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A sealed field that cannot be written (its key is destroyed) or does not open (its bytes were altered). */
export class SealedFieldError extends EditledgerError {
  override readonly name = 'SealedFieldError';
  readonly code = 'sealed_field';
  readonly kind = 'conflict' as const;
}

export class SealingEventStore implements EventStore {
  /** key id -> key, or null once known to be destroyed. */
  private readonly keys = new Map<string, Uint8Array | null>();
  /** actor name -> key id, so appends do not ask the key store for every event. */
  private readonly actorKeyIds = new Map<string, string>();
  /** sealed text -> opened value (sealing is deterministic, so repeated actors and reasons open once). */
  private readonly opened = new Map<string, JsonValue>();
  /** (key id, field, value JSON) -> sealed text, for the same reason on the way in. */
  private readonly sealedMemo = new Map<string, string>();
  readonly readChain: (after: number, maxCount: number) => Promise<ChainEntry[]>;

  constructor(
    private readonly inner: EventStore,
    private readonly subjectKeys: DataSubjectKeys,
  ) {
    // The chain covers what is stored (ciphertext): always the inner store's events, never the opened ones.
    this.readChain = inner.readChain
      ? (after, maxCount) => inner.readChain!(after, maxCount)
      : async (after, maxCount) => {
          const page: ChainEntry[] = [];
          for await (const event of inner.readAll({ after, maxCount })) page.push(toChainEntry(event));
          return page;
        };
  }

  /** The store underneath (ciphertext), for tools that must see exactly what is stored. */
  get unsealed(): EventStore {
    return this.inner;
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const sealed: NewEvent[] = [];
    for (const event of events) sealed.push(await this.sealEvent(event));
    return this.inner.append(stream, sealed, expected);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(stream, options);
    const out: RecordedEvent[] = [];
    for (const event of events) {
      const opened = this.openEvent(event);
      out.push(opened instanceof Promise ? await opened : opened);
    }
    return out;
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    // A plain iterator over the inner one rather than a second async generator: one await per event, not three.
    const inner = this.inner.readAll(options);
    return {
      [Symbol.asyncIterator]: () => {
        const it = inner[Symbol.asyncIterator]();
        return {
          next: async (): Promise<IteratorResult<RecordedEvent>> => {
            const step = await it.next();
            if (step.done === true) return step;
            const opened = this.openEvent(step.value);
            return { done: false, value: opened instanceof Promise ? await opened : opened };
          },
          return: async (): Promise<IteratorResult<RecordedEvent>> => {
            await it.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll({
      ...options,
      onEvent: async (event) => options.onEvent(await this.openAsync(event)),
    });
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Forget a destroyed key (and what was opened with it) in this process. */
  forget(keyId: string): void {
    this.keys.set(keyId, null);
    for (const [actor, id] of this.actorKeyIds) if (id === keyId) this.actorKeyIds.delete(actor);
    for (const sealed of this.opened.keys()) if (sealedKeyId(sealed) === keyId) this.opened.delete(sealed);
    for (const [memo, sealed] of this.sealedMemo) if (sealedKeyId(sealed) === keyId) this.sealedMemo.delete(memo);
  }

  // --- sealing -------------------------------------------------------------------------------------------------

  private async sealEvent(event: NewEvent): Promise<NewEvent> {
    const data = event.data;
    const actor = event.metadata.actor;
    const actorKeyId = typeof actor === 'string' && !isSealed(actor) ? await this.actorKeyId(actor) : undefined;
    const metadata =
      actorKeyId === undefined || typeof actor !== 'string'
        ? event.metadata
        : { ...event.metadata, actor: await this.sealValue(actorKeyId, 'metadata.actor', actor) };
    if (!isObject(data)) return { ...event, metadata };
    const subjectKeyId = typeof data.subjectKeyId === 'string' ? data.subjectKeyId : undefined;
    const sealedData: JsonObject = { ...data };
    for (const field of ACTOR_DATA_FIELDS) {
      const value = data[field];
      if (typeof value === 'string' && !isSealed(value))
        sealedData[field] = await this.sealValue(await this.actorKeyId(value), `data.${field}`, value);
    }
    const freeTextKey = subjectKeyId ?? actorKeyId;
    if (freeTextKey !== undefined)
      for (const field of FREE_TEXT_FIELDS) {
        const value = data[field];
        if (value !== undefined && !isSealed(value))
          sealedData[field] = await this.sealValue(freeTextKey, `data.${field}`, value);
      }
    if (subjectKeyId !== undefined)
      for (const field of SUBJECT_CONTENT_FIELDS) {
        const value = data[field];
        if (value !== undefined && !isSealed(value))
          sealedData[field] = await this.sealValue(subjectKeyId, `data.${field}`, value);
      }
    return { ...event, data: sealedData, metadata };
  }

  private async actorKeyId(actor: string): Promise<string> {
    let keyId = this.actorKeyIds.get(actor);
    if (keyId === undefined) {
      keyId = await this.subjectKeys.keyIdFor(actor);
      this.actorKeyIds.set(actor, keyId);
    }
    return keyId;
  }

  private async sealValue(keyId: string, field: string, value: JsonValue): Promise<string> {
    const memoKey = typeof value === 'string' ? `${keyId}\0${field}\0${value}` : undefined;
    const memo = memoKey === undefined ? undefined : this.sealedMemo.get(memoKey);
    if (memo !== undefined) return memo;
    const key = await this.key(keyId);
    if (key !== undefined) {
      const sealed = seal(key, keyId, field, value);
      if (memoKey !== undefined) {
        if (this.sealedMemo.size >= MEMO_LIMIT) this.sealedMemo.clear();
        this.sealedMemo.set(memoKey, sealed);
      }
      return sealed;
    }
    throw new SealedFieldError(
      `${field}: the data subject's key ${keyId} was destroyed (erased); nothing more can be recorded under it`,
    );
  }

  // --- opening -------------------------------------------------------------------------------------------------

  /** Synchronous when every key the event needs is cached (the common case), so a long read pays no extra awaits. */
  private openEvent(event: RecordedEvent): RecordedEvent | Promise<RecordedEvent> {
    if (event.type === ERASURE_EVENT && isObject(event.data) && typeof event.data.keyId === 'string')
      this.forget(event.data.keyId);
    const missing = this.uncachedKeyIds(event);
    if (missing.length === 0) return this.openWithCachedKeys(event);
    return Promise.all(missing.map((keyId) => this.key(keyId))).then(() => this.openWithCachedKeys(event));
  }

  private async openAsync(event: RecordedEvent): Promise<RecordedEvent> {
    return this.openEvent(event);
  }

  /** Key ids of the event's sealed fields that this process has not looked up yet. */
  private uncachedKeyIds(event: RecordedEvent): string[] {
    const missing: string[] = [];
    const note = (value: JsonValue | undefined) => {
      if (!isSealed(value) || this.opened.has(value)) return;
      const keyId = sealedKeyId(value);
      if (!this.keys.has(keyId) && !missing.includes(keyId)) missing.push(keyId);
    };
    note(event.metadata.actor);
    if (isObject(event.data)) for (const field of DATA_FIELDS) note(event.data[field]);
    return missing;
  }

  private openWithCachedKeys(event: RecordedEvent): RecordedEvent {
    const actor = event.metadata.actor;
    const data = event.data;
    let openedData: JsonObject | undefined;
    if (isObject(data))
      for (const field of DATA_FIELDS) {
        const value = data[field];
        if (!isSealed(value)) continue;
        openedData ??= { ...data };
        const opened = this.openValue(event, `data.${field}`, value);
        if (opened === undefined) {
          const erased = erasedValueOf(field);
          if (erased === undefined) delete openedData[field];
          else openedData[field] = erased;
        } else openedData[field] = opened;
      }
    const openedActor = isSealed(actor) ? (this.openValue(event, 'metadata.actor', actor) ?? ERASED) : undefined;
    if (openedData === undefined && openedActor === undefined) return event;
    return {
      ...event,
      ...(openedData !== undefined && { data: openedData }),
      ...(openedActor !== undefined && { metadata: { ...event.metadata, actor: openedActor } }),
    };
  }

  /** The opened value (its key already looked up), or undefined when the key was destroyed. */
  private openValue(event: RecordedEvent, field: string, sealed: string): JsonValue | undefined {
    const memo = this.opened.get(sealed);
    if (memo !== undefined) return typeof memo === 'object' && memo !== null ? structuredClone(memo) : memo;
    const key = this.keys.get(sealedKeyId(sealed));
    if (key === undefined || key === null) return undefined;
    let value: JsonValue;
    try {
      value = unseal(key, field, sealed);
    } catch (error) {
      throw new SealedFieldError(
        `event at position ${event.position} (${event.type}): the sealed ${field} does not open with its key: it was altered`,
        { cause: error },
      );
    }
    if (this.opened.size >= MEMO_LIMIT) this.opened.clear();
    this.opened.set(sealed, value);
    return typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }

  private async key(keyId: string): Promise<Uint8Array | undefined> {
    const cached = this.keys.get(keyId);
    if (cached !== undefined) return cached ?? undefined;
    const key = await this.subjectKeys.keyOf(keyId);
    this.keys.set(keyId, key ?? null);
    return key;
  }
}
