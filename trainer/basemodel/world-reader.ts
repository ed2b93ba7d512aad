// Reads a folder written by writeWorldFolder back, refusing anything that does not match its manifest:
// every listed file must exist with the recorded size and sha256, and every record must parse with its schema.
// Errors name the file (and the record index / field for schema failures).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fromTokenizerJson, TOKENIZER_FILE } from '../tokenizer/bpe-json.ts';
import type { BpeModel } from '../tokenizer/bpe-model.ts';
import { CounterfactEditSchema, RecallProbeSchema, UneditedFactSchema } from './corpus-schemas.ts';
import type { Corpus } from './corpus.ts';
import { MANIFEST_FILE, WORLD_FORMAT } from './world-folder.ts';

const ManifestSchema = z.object({
  format: z.literal(WORLD_FORMAT, { error: `format must be "${WORLD_FORMAT}"` }),
  seed: z.union([z.int().nonnegative(), z.string()]),
  config: z.record(z.string(), z.unknown()),
  sizes: z.record(z.string(), z.unknown()),
  files: z.array(
    z.object({ name: z.string().min(1), bytes: z.int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
});
export type ReadManifest = z.infer<typeof ManifestSchema>;

/** A world folder read back: the corpus's texts and records as written (pretrain.txt, heldout.txt, the JSON files). */
export interface WorldFolder extends Pick<Corpus, 'pretrain' | 'heldout' | 'recall' | 'edits' | 'unedited'> {
  readonly manifest: ReadManifest;
  readonly tokenizer: BpeModel;
}

function parseRecords<T>(file: string, text: string, schema: z.ZodType<T>): T[] {
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array`);
  return raw.map((item, i) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}

const splitLines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

export async function readWorldFolder(dir: string): Promise<WorldFolder> {
  const manifestParsed = ManifestSchema.safeParse(
    JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as unknown,
  );
  if (!manifestParsed.success) {
    const issue = manifestParsed.error.issues[0];
    throw new Error(`${MANIFEST_FILE} ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const manifest = manifestParsed.data;
  const texts = new Map<string, string>();
  for (const f of manifest.files) {
    const data = await readFile(join(dir, f.name));
    const sha = createHash('sha256').update(data).digest('hex');
    if (data.length !== f.bytes || sha !== f.sha256) {
      throw new Error(`${f.name}: content does not match ${MANIFEST_FILE} (sha256 ${sha}, expected ${f.sha256})`);
    }
    texts.set(f.name, data.toString('utf8'));
  }
  const text = (name: string): string => {
    const t = texts.get(name);
    if (t === undefined) throw new Error(`${MANIFEST_FILE}: no entry for ${name}`);
    return t;
  };
  return {
    manifest,
    pretrain: splitLines(text('pretrain.txt')),
    heldout: splitLines(text('heldout.txt')),
    recall: parseRecords('recall.json', text('recall.json'), RecallProbeSchema),
    edits: parseRecords('edits.json', text('edits.json'), CounterfactEditSchema),
    unedited: parseRecords('unedited.json', text('unedited.json'), UneditedFactSchema),
    tokenizer: fromTokenizerJson(JSON.parse(text(TOKENIZER_FILE)) as unknown),
  };
}
