// npm run build:demo-corrections — writes examples/fact-corrections.jsonl, the batch of fact corrections the demo
// (`npm start`) streams into the ledger "as an upstream system would".
//
// The corrections are the first edits of the base model's own counterfactual edit set (models/base/world/edits.json,
// shipped with the model; without it, the `base` recipe's world is rebuilt here deterministically), so the base
// model knows the old answers and each correction really changes what it says. The stream is cut in three deliveries (`batch`):
//   1. 16 corrections;
//   2. 10 more, plus 2 that SUPERSEDE batch-1 corrections (same fact, another target);
//   3. 2 RETRACTIONS of batch-1 corrections, plus 6 more corrections.
// (Smaller edit sets are cut in the same proportions.)
// Each line is one upstream message: {"op":"submit", "batch", "system", "ref", "factKey", "prompt", "target",
// "subject", "rephrase", "locality", "reason", "by"} or {"op":"retract", "batch", "system", "ref", "factKey",
// "reason", "by"}. Same recipe -> same bytes.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildCorpus } from '../trainer/basemodel/corpus.ts';
import { CounterfactEditSchema } from '../trainer/basemodel/corpus-schemas.ts';
import type { CounterfactEdit } from '../trainer/basemodel/corpus-schemas.ts';
import { generateWorld } from '../trainer/basemodel/world.ts';
import { RECIPES } from '../trainer/pretrain/recipe.ts';

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** The shipped world's edit set, or the recipe's rebuilt when the base model is not there. */
export async function baseEditSet(
  shipped = 'models/base/world/edits.json',
): Promise<{ edits: readonly CounterfactEdit[]; from: string }> {
  try {
    const edits = CounterfactEditSchema.array().parse(JSON.parse(await readFile(shipped, 'utf8')));
    return { edits, from: shipped };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const recipe = RECIPES.base;
    return { edits: buildCorpus(generateWorld(recipe.world), recipe.corpus).edits, from: 'the base recipe (rebuilt)' };
  }
}

export function demoCorrections(edits: readonly CounterfactEdit[]): object[] {
  const system = 'wikidata-sync';
  const submit = (batch: number, i: number, target?: string, note?: string) => {
    const e = edits[i]!;
    return {
      op: 'submit',
      batch,
      system,
      ref: `${system}/${e.case_id}${target === undefined ? '' : '-rev2'}`,
      factKey: `${slug(e.subject)}::${slug(e.relation)}`,
      prompt: e.prompt,
      target: target ?? e.target_new,
      subject: e.subject,
      rephrase: [e.rephrase_prompt],
      locality: e.locality.other_subjects.slice(0, 2).map((p) => ({ prompt: p.prompt, answer: p.ground_truth })),
      reason: note ?? `upstream correction ${e.case_id}: ${e.ground_truth} -> ${target ?? e.target_new}`,
      by: 'wikidata-sync',
    };
  };
  // 32 edits when the set has them: deliveries of 16 / 10 (+2 superseding) / 6 (+2 retractions).
  const n = Math.min(32, edits.length);
  const first = Math.round(n / 2);
  const second = first + Math.round((n * 10) / 32);
  if (first < 6) throw new Error(`the edit set has ${edits.length} edits; the demo needs at least 12`);
  const lines: object[] = [];
  for (let i = 0; i < first; i++) lines.push(submit(1, i));
  for (let i = first; i < second; i++) lines.push(submit(2, i));
  // Supersessions: a newer correction of the same fact; its target is another edit's (same relation) new object.
  for (const i of [2, 5]) {
    const e = edits[i]!;
    const other = edits.find(
      (o, j) =>
        j !== i && o.relation === e.relation && o.target_new !== e.target_new && o.target_new !== e.ground_truth,
    );
    if (other !== undefined)
      lines.push(
        submit(
          2,
          i,
          other.target_new,
          `upstream re-correction of ${e.case_id}: ${e.target_new} -> ${other.target_new}`,
        ),
      );
  }
  for (const i of [first - 3, first - 1]) {
    const e = edits[i]!;
    lines.push({
      op: 'retract',
      batch: 3,
      system,
      ref: `${system}/${e.case_id}`,
      factKey: `${slug(e.subject)}::${slug(e.relation)}`,
      reason: `upstream retracted correction ${e.case_id}`,
      by: 'wikidata-sync',
    });
  }
  for (let i = second; i < n; i++) lines.push(submit(3, i));
  return lines;
}

const isEntry =
  process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isEntry) {
  // usage: build-demo-corrections.ts [OUT] [EDITS_JSON]
  const out = resolve(process.argv[2] ?? 'examples/fact-corrections.jsonl');
  const { edits, from } = await baseEditSet(process.argv[3]);
  const lines = demoCorrections(edits);
  await writeFile(out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  process.stderr.write(`wrote ${lines.length} messages to ${out} from ${from}\n`);
}
