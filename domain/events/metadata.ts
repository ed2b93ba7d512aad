// Metadata carried by every ledger event: who caused it, through which channel, and how it chains to others.
import { z } from 'zod';
import { isoTimestamp, LIMITS, requiredText, uuid } from './fields.ts';

export const EventMetadataSchema = z.object({
  /** Who asked for it: a user name or a service principal. */
  actor: requiredText(LIMITS.name),
  /**
   * Which channel it came through: `cli`, `http`, `kafka:<topic>`, `trainer`, ... (not the upstream system: that is
   * an edit's data.source). Events recorded before this name was chosen say `source`; parseLedgerEvent reads both.
   */
  channel: requiredText(LIMITS.name),
  /** Shared by every event of one logical operation (an import run, one HTTP request). */
  correlationId: uuid,
  /** The command or event that directly caused this one. */
  causationId: uuid,
  /** When the application decided the event (the store adds its own commit time separately). */
  recordedAt: isoTimestamp,
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

/** The envelope every stored event has: a UUID, its type name, its schema-versioned data and the metadata above. */
export function eventSchema<const Type extends string, Data extends z.ZodType>(type: Type, data: Data) {
  return z.strictObject({ id: uuid, type: z.literal(type), data, metadata: EventMetadataSchema });
}
