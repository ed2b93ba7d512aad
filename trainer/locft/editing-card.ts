// `editing.json` beside a checkpoint: the layer a location sweep chose for editing it (written by
// `npm run eval:paper`, committed for models/base). Training defaults read it; flags and YAML override it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const EDITING_CARD = 'editing.json';

/** The swept layer recorded for the checkpoint in `dir`, or undefined when there is no (valid) card. */
export async function sweptLayer(dir: string): Promise<number | undefined> {
  try {
    const card = JSON.parse(await readFile(join(dir, EDITING_CARD), 'utf8')) as { layer?: unknown };
    return typeof card.layer === 'number' && Number.isInteger(card.layer) && card.layer >= 0 ? card.layer : undefined;
  } catch {
    return undefined;
  }
}
