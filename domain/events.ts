// The ledger's event catalogue: every event type, its zod schema (the single source of truth), and the one
// way to turn an untrusted stored/received event into a typed one.
import type { z } from 'zod';
import type { JsonValue, NewEvent, RecordedEvent } from './ports/event-store.ts';
import { InvalidFieldError, UnknownEventTypeError } from './errors.ts';
import { AuditCheckpointSignedDataSchema } from './events/audit-events.ts';
import {
  EditReinstatedDataSchema,
  EditRetractedDataSchema,
  EditReviewedDataSchema,
  EditSubmittedDataSchema,
  EditSupersededDataSchema,
} from './events/edit-events.ts';
import { DataSubjectErasedDataSchema } from './events/erasure-events.ts';
import { eventSchema } from './events/metadata.ts';
import {
  BaseModelRegisteredDataSchema,
  ModelVersionMaterializedDataSchema,
  ServingPinReleasedDataSchema,
  ServingVersionChangedDataSchema,
  TrainingPolicyRegisteredDataSchema,
} from './events/model-events.ts';

export * from './events/edit-events.ts';
export * from './events/model-events.ts';
export * from './events/metadata.ts';
export * from './events/audit-events.ts';
export * from './events/erasure-events.ts';
export { LIMITS } from './events/fields.ts';

/** Every event type of the ledger, each with its schema: the common envelope (metadata.ts) around its data. */
export const EVENT_SCHEMAS = {
  EditSubmitted: eventSchema('EditSubmitted', EditSubmittedDataSchema),
  EditRetracted: eventSchema('EditRetracted', EditRetractedDataSchema),
  EditSuperseded: eventSchema('EditSuperseded', EditSupersededDataSchema),
  EditReinstated: eventSchema('EditReinstated', EditReinstatedDataSchema),
  EditApproved: eventSchema('EditApproved', EditReviewedDataSchema),
  EditRejected: eventSchema('EditRejected', EditReviewedDataSchema),
  BaseModelRegistered: eventSchema('BaseModelRegistered', BaseModelRegisteredDataSchema),
  TrainingPolicyRegistered: eventSchema('TrainingPolicyRegistered', TrainingPolicyRegisteredDataSchema),
  ModelVersionMaterialized: eventSchema('ModelVersionMaterialized', ModelVersionMaterializedDataSchema),
  ServingVersionChanged: eventSchema('ServingVersionChanged', ServingVersionChangedDataSchema),
  ServingPinReleased: eventSchema('ServingPinReleased', ServingPinReleasedDataSchema),
  AuditCheckpointSigned: eventSchema('AuditCheckpointSigned', AuditCheckpointSignedDataSchema),
  DataSubjectErased: eventSchema('DataSubjectErased', DataSubjectErasedDataSchema),
} as const;

export type LedgerEventType = keyof typeof EVENT_SCHEMAS;
export const LEDGER_EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as LedgerEventType[];
export const EDIT_EVENT_TYPES = [
  'EditSubmitted',
  'EditRetracted',
  'EditSuperseded',
  'EditReinstated',
  'EditApproved',
  'EditRejected',
] as const;

/** The typed event of one type (what its schema parses to), e.g. EventOfType<'ModelVersionMaterialized'>. */
export type EventOfType<Type extends LedgerEventType> = z.infer<(typeof EVENT_SCHEMAS)[Type]>;
export type EditSubmitted = EventOfType<'EditSubmitted'>;
export type EditRetracted = EventOfType<'EditRetracted'>;
export type EditSuperseded = EventOfType<'EditSuperseded'>;
export type EditReinstated = EventOfType<'EditReinstated'>;
export type EditEvent = EventOfType<(typeof EDIT_EVENT_TYPES)[number]>;
export type ModelEvent = EventOfType<
  | 'BaseModelRegistered'
  | 'TrainingPolicyRegistered'
  | 'ModelVersionMaterialized'
  | 'ServingVersionChanged'
  | 'ServingPinReleased'
>;
export type AuditEvent = EventOfType<'AuditCheckpointSigned'>;
export type LedgerEvent = EventOfType<LedgerEventType>;

/** A ledger event together with where the store put it. */
export interface PositionedEvent<E extends LedgerEvent = LedgerEvent> {
  readonly event: E;
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
  /** The store's commit time (metadata.recordedAt is the application's decision time). */
  readonly storedAt: string;
}

export function isLedgerEventType(type: string): type is LedgerEventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

export function isEditEvent(event: LedgerEvent): event is EditEvent {
  return (EDIT_EVENT_TYPES as readonly string[]).includes(event.type);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(event)' : path.map(String).join('.');
}

/** One InvalidFieldError for all of a zod error's issues: `field` is the first one, the message lists all. */
export function toInvalidFieldError(error: z.ZodError, prefix: readonly PropertyKey[] = []): InvalidFieldError {
  const described = error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return { field: fieldPath([...path, issue.keys[0] ?? '']), reason: `unknown field(s) ${issue.keys.join(', ')}` };
    }
    return { field: fieldPath(path), reason: issue.message };
  });
  const first = described[0] ?? { field: fieldPath(prefix), reason: 'invalid' };
  const rest = described
    .slice(1)
    .map((d) => `; ${d.field}: ${d.reason}`)
    .join('');
  return new InvalidFieldError(first.field, `${first.reason}${rest}`);
}

/** `value` checked against `schema`; a failure is one InvalidFieldError whose field starts with `prefix`. */
export function validated<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(value);
  if (!result.success) throw toInvalidFieldError(result.error, prefix);
  return result.data;
}

/**
 * Parse an untrusted `{id, type, data, metadata}` into a typed ledger event.
 * Throws UnknownEventTypeError for a type outside the catalogue and InvalidFieldError naming the field otherwise.
 */
export function parseLedgerEvent(raw: unknown): LedgerEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidFieldError('(event)', 'must be an object with id, type, data and metadata');
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') throw new InvalidFieldError('type', 'must be a string naming the event type');
  if (!isLedgerEventType(type)) throw new UnknownEventTypeError(type);
  const result = EVENT_SCHEMAS[type].safeParse(withChannel(raw));
  if (!result.success) throw toInvalidFieldError(result.error);
  return result.data;
}

/** An event recorded before metadata.source was renamed metadata.channel, read with the new name. */
function withChannel(raw: object): object {
  const metadata = (raw as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null || !Object.hasOwn(metadata, 'source')) return raw;
  if (Object.hasOwn(metadata, 'channel')) return raw;
  const { source, ...rest } = metadata as Record<string, unknown>;
  return { ...raw, metadata: { ...rest, channel: source } };
}

/** Parse what the store returned; the error names the event position as well as the field. */
export function parseRecordedEvent(recorded: RecordedEvent): PositionedEvent {
  const { id, type, data, metadata } = recorded;
  let event: LedgerEvent;
  try {
    event = parseLedgerEvent({ id, type, data, metadata });
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    throw new InvalidFieldError(
      error.field,
      `${error.reason} (event ${id} at position ${recorded.position}, stream ${recorded.stream})`,
    );
  }
  return {
    event,
    stream: recorded.stream,
    revision: recorded.revision,
    position: recorded.position,
    storedAt: recorded.storedAt,
  };
}

/** Deep copy without `undefined` properties, so the payload is plain JSON as the port requires. */
function toJson(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toJson(item);
    return out;
  }
  return value as JsonValue;
}

/** Any typed event (of the catalogue's shape) -> what the store appends. */
export function toNewEvent(event: {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}): NewEvent {
  return {
    id: event.id,
    type: event.type,
    data: toJson(event.data),
    metadata: toJson(event.metadata) as { [key: string]: JsonValue },
  };
}
