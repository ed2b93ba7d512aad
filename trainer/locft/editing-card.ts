// `editing.json` beside a checkpoint: the editing policy that suits this model (the layer a location sweep chose,
// and the learning rate, batch size and epochs that move a model of its size). Every command that edits the model
// (`train`, `sweep`, `model register`, the demo) takes it as its default; the authors' YAML and flags override it.
// Without a card the paper's defaults apply (lr 5e-4, batch 100, 25 epochs: made for 7B models).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GovernanceSchema } from '../../domain/governance.ts';

export const EDITING_CARD = 'editing.json';

export const EditingCardSchema = z.looseObject({
  layer: z.number().int().min(0).optional(),
  module: z.string().min(1).optional(),
  lr: z.number().positive().max(1).optional(),
  batchSize: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  /** The change envelope and promotion rules `model register` declares with the policy (domain/governance.ts). */
  governance: GovernanceSchema.optional(),
});
export type EditingCard = z.infer<typeof EditingCardSchema>;

/** The card of the checkpoint in `dir`; {} when there is none. A card that does not parse is an error naming it. */
export async function readEditingCard(dir: string): Promise<EditingCard> {
  let text: string;
  try {
    text = await readFile(join(dir, EDITING_CARD), 'utf8');
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${join(dir, EDITING_CARD)}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const result = EditingCardSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `${join(dir, EDITING_CARD)}: field "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/** The swept layer recorded for the checkpoint in `dir`, or undefined when there is no (valid) card. */
export async function sweptLayer(dir: string): Promise<number | undefined> {
  try {
    return (await readEditingCard(dir)).layer;
  } catch {
    return undefined;
  }
}

/** "layer 6, lr 0.005, batch 4, 25 epochs" for what the card set. */
export function describeCard(card: EditingCard): string {
  const parts: string[] = [];
  if (card.layer !== undefined) parts.push(`layer ${card.layer}`);
  if (card.lr !== undefined) parts.push(`lr ${card.lr}`);
  if (card.batchSize !== undefined) parts.push(`batch ${card.batchSize}`);
  if (card.epochs !== undefined) parts.push(`${card.epochs} epochs`);
  return parts.join(', ');
}
