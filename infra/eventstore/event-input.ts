// Validation shared by every event-store adapter: what `append` accepts, what read options accept,
// and how two events' contents are compared for idempotent redelivery.
//
// Both adapters store data and metadata as JSON text, so anything JSON.stringify would silently change
// (NaN -> null, a Date -> a string, a Map -> {}, a lone UTF-16 surrogate -> U+FFFD once encoded as UTF-8)
// is rejected up front with an InvalidEventError naming the exact field, before anything is written.

import { createHash } from 'node:crypto';
import type {
  AllFilter,
  ExpectedRevision,
  JsonValue,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../../domain/ports/event-store.ts';
import { InvalidEventError } from './errors.ts';

/**
 * Per-event limit on the UTF-8 size of data + metadata JSON. 1 MiB matches EventStoreDB's default
 * maximum append size, so an event accepted by one adapter is accepted by the other.
 */
export const DEFAULT_MAX_EVENT_BYTES = 1_048_576;
const MAX_NAME_LENGTH = 1000;
const MAX_JSON_DEPTH = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** An event that passed validation, with its JSON text computed once. */
export interface PreparedEvent {
  readonly id: string; // lower-case canonical UUID
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: { readonly [key: string]: JsonValue };
  readonly dataJson: string;
  readonly metadataJson: string;
}

export function prepareAppend(
  stream: unknown,
  events: unknown,
  expected: unknown,
  maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
): PreparedEvent[] {
  checkStreamName(stream, 'stream');
  checkExpectedRevision(expected);
  if (!Array.isArray(events))
    throw new InvalidEventError('events', `must be an array of events, got ${describe(events)}`);
  if (events.length === 0) throw new InvalidEventError('events', 'must contain at least one event');
  const prepared: PreparedEvent[] = [];
  const seen = new Map<string, number>();
  events.forEach((event: unknown, i) => {
    const p = prepareEvent(event, `events[${i}]`, maxEventBytes);
    const earlier = seen.get(p.id);
    if (earlier !== undefined)
      throw new InvalidEventError(
        `events[${i}].id`,
        `${p.id} is also events[${earlier}].id; an id may appear once per batch`,
      );
    seen.set(p.id, i);
    prepared.push(p);
  });
  return prepared;
}

function prepareEvent(event: unknown, field: string, maxEventBytes: number): PreparedEvent {
  if (!isPlainObject(event))
    throw new InvalidEventError(field, `must be an object {id, type, data, metadata}, got ${describe(event)}`);
  const { id, type, data, metadata } = event;
  if (typeof id !== 'string' || !UUID.test(id))
    throw new InvalidEventError(`${field}.id`, `must be a UUID string, got ${describe(id)}`);
  checkName(type, `${field}.type`);
  checkJson(data, `${field}.data`);
  if (!isPlainObject(metadata))
    throw new InvalidEventError(`${field}.metadata`, `must be a plain object, got ${describe(metadata)}`);
  checkJson(metadata, `${field}.metadata`);
  const dataJson = JSON.stringify(data);
  const metadataJson = JSON.stringify(metadata);
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so the exact count is only needed near the limit.
  if ((dataJson.length + metadataJson.length) * 3 > maxEventBytes) {
    const bytes = Buffer.byteLength(dataJson, 'utf8') + Buffer.byteLength(metadataJson, 'utf8');
    if (bytes > maxEventBytes) {
      throw new InvalidEventError(
        field,
        `data + metadata are ${bytes} bytes of JSON; the limit is ${maxEventBytes} bytes per event`,
      );
    }
  }
  return {
    id: id.toLowerCase(),
    type: type,
    data: data as JsonValue,
    metadata: metadata as { [key: string]: JsonValue },
    dataJson,
    metadataJson,
  };
}

/** Stream names and event types: non-empty, well-formed text, and no leading `$` (reserved for system streams). */
function checkName(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidEventError(field, `must be a string, got ${describe(value)}`);
  if (value.length === 0) throw new InvalidEventError(field, 'must not be empty');
  if (value.length > MAX_NAME_LENGTH)
    throw new InvalidEventError(field, `is ${value.length} characters; the limit is ${MAX_NAME_LENGTH}`);
  if (value.startsWith('$'))
    throw new InvalidEventError(field, `"${value}" starts with "$", which is reserved for system streams and events`);
  checkString(value, field);
}

/** Whether a stream whose last revision is `last` (null/undefined: no stream) meets `expected`. */
export function revisionMatches(expected: ExpectedRevision, last: number | null | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return last === null || last === undefined;
    case 'stream_exists':
      return last !== null && last !== undefined;
    default:
      return last === expected;
  }
}

/** The port's rules for `readStream` arguments, shared by every adapter so they fail alike. */
export function checkReadStream(stream: unknown, options: ReadStreamOptions): asserts stream is string {
  checkStreamName(stream, 'stream');
  checkNonNegativeInteger(options.fromRevision ?? 0, 'fromRevision');
  if (options.maxCount !== undefined) checkCount(options.maxCount, 'maxCount');
}

/** The port's rules for `readAll` options. */
export function checkReadAll(options: ReadAllOptions): void {
  checkNonNegativeInteger(options.after ?? 0, 'after');
  if (options.maxCount !== undefined) checkCount(options.maxCount, 'maxCount');
  checkFilter(options.filter, 'filter');
}

/** The port's rules for `subscribeToAll` options. */
export function checkSubscribe(options: Pick<SubscribeOptions, 'after' | 'filter'>): void {
  if (options.after !== undefined) checkNonNegativeInteger(options.after, 'after');
  checkFilter(options.filter, 'filter');
}

export function checkStreamName(value: unknown, field: string): asserts value is string {
  checkName(value, field);
}

export function checkExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEventError(
    'expectedRevision',
    `must be a revision (integer >= 0), 'any', 'no_stream' or 'stream_exists', got ${describe(expected)}`,
  );
}

/** Positions and revisions in read options: integers >= 0. */
export function checkNonNegativeInteger(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidEventError(field, `must be an integer >= 0, got ${describe(value)}`);
  }
}

/** maxCount: an integer >= 1. */
export function checkCount(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidEventError(field, `must be an integer >= 1, got ${describe(value)}`);
  }
}

export function checkFilter(filter: unknown, field: string): asserts filter is AllFilter | undefined {
  if (filter === undefined) return;
  if (!isPlainObject(filter)) throw new InvalidEventError(field, `must be an object, got ${describe(filter)}`);
  for (const key of ['streamPrefixes', 'eventTypes'] as const) {
    const list = filter[key];
    if (list === undefined) continue;
    if (!Array.isArray(list))
      throw new InvalidEventError(`${field}.${key}`, `must be an array of strings, got ${describe(list)}`);
    list.forEach((item: unknown, i) => {
      if (typeof item !== 'string' || item.length === 0)
        throw new InvalidEventError(`${field}.${key}[${i}]`, `must be a non-empty string, got ${describe(item)}`);
      checkString(item, `${field}.${key}[${i}]`);
    });
  }
}

/** True when an event matches a filter (empty or missing lists match everything). */
export function matchesFilter(stream: string, type: string, filter: AllFilter | undefined): boolean {
  if (!filter) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes && streamPrefixes.length > 0 && !streamPrefixes.some((p) => stream.startsWith(p))) return false;
  if (eventTypes && eventTypes.length > 0 && !eventTypes.includes(type)) return false;
  return true;
}

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);

function checkString(value: string, field: string): void {
  if (isWellFormed(value)) return;
  const at = value.search(LONE_SURROGATE);
  const unit = value.charCodeAt(at).toString(16).toUpperCase();
  throw new InvalidEventError(
    field,
    `contains a lone UTF-16 surrogate U+${unit} at index ${at}, which has no UTF-8 encoding (invalid UTF-8 input?)`,
  );
}

/**
 * Checks that a value is plain JSON. This runs for every event of every append, so the common case is a
 * tight walk that allocates nothing; only when it finds a problem does a second walk work out the exact
 * field (e.g. `events[0].data.prompt`) and what is wrong with it.
 */
function checkJson(root: unknown, field: string): void {
  if (!isPlainJson(root, 0)) explainJson(root, field);
}

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false; // also how a cycle ends up here
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        if (!isWellFormed(key)) return false;
        const child = record[key];
        if (child !== undefined && !isPlainJson(child, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The slow walk: throws an InvalidEventError naming the first offending field. */
function explainJson(root: unknown, field: string): void {
  const path: Array<string | number> = [];
  const ancestors = new Set<object>();
  const fail = (problem: string): never => {
    throw new InvalidEventError(formatPath(field, path), problem);
  };
  const visit = (value: unknown): void => {
    switch (typeof value) {
      case 'string':
        if (!isWellFormed(value)) checkString(value, formatPath(field, path));
        return;
      case 'number':
        if (!Number.isFinite(value)) fail(`${value} is not a JSON number`);
        return;
      case 'boolean':
        return;
      case 'object':
        break;
      case 'undefined':
        return fail('undefined is not a JSON value');
      case 'bigint':
        return fail('a bigint is not a JSON value (store it as a string)');
      default:
        return fail(`a ${typeof value} is not a JSON value`);
    }
    if (value === null) return;
    if (path.length >= MAX_JSON_DEPTH) fail(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    if (ancestors.has(value)) fail('is a circular reference');
    ancestors.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i]);
        path.pop();
      }
    } else if (isPlainObject(value)) {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (!isWellFormed(key)) checkString(key, `${formatPath(field, path)} (key ${JSON.stringify(key)})`);
        const child = value[key];
        // JSON.stringify omits undefined-valued properties, and so does the stored JSON: an absent optional field.
        if (child === undefined) continue;
        path.push(key);
        visit(child);
        path.pop();
      }
    } else {
      fail(
        `a ${describe(value)} is not plain JSON data (use plain objects, arrays, strings, finite numbers, booleans and null)`,
      );
    }
    ancestors.delete(value);
  };
  visit(root);
  throw new InvalidEventError(field, 'is not plain JSON data');
}

function formatPath(field: string, path: ReadonlyArray<string | number>): string {
  let out = field;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `${name} object` : 'an object';
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  // What is left is a number, boolean, bigint or undefined, which String() prints as themselves.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `${typeof value} ${String(value)}`;
}

/** JSON with object keys sorted at every level: equal JSON values give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const child = value[key];
    if (child !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(child)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Same type, data and metadata as JSON values (object key order does not matter). */
export function sameJsonText(a: string, b: string): boolean {
  if (a === b) return true;
  return canonicalJson(JSON.parse(a) as JsonValue) === canonicalJson(JSON.parse(b) as JsonValue);
}

/** A content fingerprint for idempotency checks where only a digest is kept. */
export function contentFingerprint(event: Pick<NewEvent, 'type' | 'data' | 'metadata'>): string {
  return createHash('sha256')
    .update(event.type)
    .update('\u0000')
    .update(canonicalJson(event.data))
    .update('\u0000')
    .update(canonicalJson(event.metadata))
    .digest('hex');
}
