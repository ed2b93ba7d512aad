// Builds the world, its splits and its tokenizer, and writes them to a folder with a manifest.
// Same options -> same bytes in every file (no timestamps, fixed key order, "\n" line ends).
//
// Folder layout (all UTF-8):
//   manifest.json          format, seed, the full (defaulted) configs, measured sizes, {name, bytes, sha256} per file
//   world.json             entities, facts (with their template assignment), relations, chains, templates
//   pretrain.txt           pretraining corpus: one sequence per line ("<prompt> <object>", no final period);
//                          a pretrainer feeds each line as <|bos|> line <|eos|>
//   heldout.txt            held-out perplexity text, same line format (see corpus.ts for what it holds)
//   recall.json            fact recall probes (RecallProbeSchema), split "pretrain" / "heldout"
//   edits.json             counterfactual edit set, LocFT CounterFact shape (CounterfactEditSchema)
//   unedited.json          facts no edit touches (UneditedFactSchema), for capability checks
//   tokenizer.json, tokenizer_config.json   the byte-level BPE tokenizer trained on pretrain.txt (bpe-json.ts)
// JSON arrays are written one record per line, so the files stay greppable and diffable.

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BpeTokenizer } from '../tokenizer/bpe-encoder.ts';
import { type WrittenFile, writeTokenizerFiles } from '../tokenizer/bpe-json.ts';
import type { BpeModel } from '../tokenizer/bpe-model.ts';
import { BpeTrainerConfigSchema, type BpeTrainerConfigInput, trainBpe } from '../tokenizer/bpe-trainer.ts';
import { buildCorpus, type Corpus, type CorpusConfigInput } from './corpus.ts';
import { CHAIN_TEMPLATES, RELATION_TEMPLATES } from './templates.ts';
import {
  ENTITY_TYPES,
  generateWorld,
  RELATION_IDS,
  RELATIONS,
  TWO_HOP_CHAINS,
  type World,
  type WorldConfigInput,
} from './world.ts';

export const WORLD_FORMAT = 'editledger-world/1';
export const MANIFEST_FILE = 'manifest.json';

export interface WorldBuildOptions {
  readonly world: WorldConfigInput;
  readonly corpus?: CorpusConfigInput;
  readonly tokenizer?: BpeTrainerConfigInput;
}

export interface BuiltWorld {
  readonly world: World;
  readonly corpus: Corpus;
  readonly tokenizer: BpeModel;
}

/** Progress: a stage name, with done/total when the stage can count. */
export type WorldBuildProgress = (stage: string, done?: number, total?: number) => void;

/** Everything in memory: world, splits, tokenizer (trained on the pretraining lines). */
export function buildWorld(options: WorldBuildOptions, onProgress?: WorldBuildProgress): BuiltWorld {
  onProgress?.('generating world');
  const world = generateWorld(options.world);
  onProgress?.('building corpus and edit set');
  const corpus = buildCorpus(world, options.corpus ?? {});
  const tokenizer = trainBpe(corpus.pretrain, options.tokenizer ?? {}, (done, total) =>
    onProgress?.('training tokenizer', done, total),
  );
  return { world, corpus, tokenizer };
}

export type ManifestFile = WrittenFile;

export interface WorldSizes {
  readonly entities: number;
  readonly entitiesByType: Record<string, number>;
  readonly facts: number;
  readonly factsByRelation: Record<string, number>;
  readonly pretrainSequences: number;
  readonly pretrainChars: number;
  /** Tokens of the pretraining text without BOS/EOS; add 2 per sequence for the framed total. */
  readonly pretrainTokens: number;
  readonly pretrainTokensWithBosEos: number;
  readonly charsPerToken: number;
  readonly twoHopStatements: number;
  readonly heldoutSequences: number;
  readonly heldoutTokens: number;
  readonly recallProbes: number;
  readonly edits: number;
  readonly portabilityProbes: number;
  readonly uneditedFacts: number;
  readonly vocabSize: number;
  readonly merges: number;
}

export interface WorldManifest {
  readonly format: string;
  readonly seed: number | string;
  readonly config: {
    world: World['config'];
    corpus: Corpus['config'];
    tokenizer: { vocabSize: number; minFrequency: number };
  };
  readonly sizes: WorldSizes;
  readonly files: readonly ManifestFile[];
}

/** Measures the built world (token counts use its own tokenizer). */
export function measureWorld(built: BuiltWorld): WorldSizes {
  const { world, corpus, tokenizer } = built;
  const encoder = new BpeTokenizer(tokenizer);
  const count = (lines: readonly string[]): number =>
    lines.reduce((n, l) => n + encoder.encode(l, { addSpecialTokens: false }).length, 0);
  const pretrainTokens = count(corpus.pretrain);
  const pretrainChars = corpus.pretrain.reduce((n, l) => n + l.length, 0);
  const tally = <K extends string>(keys: readonly K[], of: (k: K) => number): Record<string, number> =>
    Object.fromEntries(keys.map((k) => [k, of(k)]));
  return {
    entities: world.entities.length,
    entitiesByType: tally(ENTITY_TYPES, (t) => world.entities.filter((e) => e.type === t).length),
    facts: world.facts.length,
    factsByRelation: tally(RELATION_IDS, (r) => world.facts.filter((f) => f.relation === r).length),
    pretrainSequences: corpus.pretrain.length,
    pretrainChars,
    pretrainTokens,
    pretrainTokensWithBosEos: pretrainTokens + 2 * corpus.pretrain.length,
    charsPerToken: Math.round((pretrainChars / Math.max(1, pretrainTokens)) * 1000) / 1000,
    twoHopStatements: corpus.twoHopPretrained.length,
    heldoutSequences: corpus.heldout.length,
    heldoutTokens: count(corpus.heldout),
    recallProbes: corpus.recall.length,
    edits: corpus.edits.length,
    portabilityProbes: corpus.edits.reduce((n, e) => n + e.portability.two_hop.length, 0),
    uneditedFacts: corpus.unedited.length,
    vocabSize: tokenizer.vocab.length,
    merges: tokenizer.merges.length,
  };
}

/** A JSON array with one compact record per line. */
function jsonArray(items: readonly unknown[]): string {
  return items.length === 0 ? '[]' : `[\n${items.map((x) => JSON.stringify(x)).join(',\n')}\n]`;
}

/** A JSON object whose top-level values are indented, arrays one record per line. */
function jsonDocument(doc: Record<string, unknown>): string {
  const body = Object.entries(doc).map(([k, v]) => {
    const value = Array.isArray(v) ? jsonArray(v) : JSON.stringify(v, null, 2);
    return `${JSON.stringify(k)}: ${value.replace(/\n/g, '\n  ')}`;
  });
  return `{\n  ${body.join(',\n  ')}\n}\n`;
}

function worldDocument(built: BuiltWorld): Record<string, unknown> {
  const { world, corpus } = built;
  return {
    format: WORLD_FORMAT,
    seed: world.config.seed,
    relations: RELATIONS,
    chains: TWO_HOP_CHAINS,
    templates: RELATION_TEMPLATES,
    chain_templates: CHAIN_TEMPLATES,
    entities: world.entities,
    facts: world.facts.map((f) => {
      const t = corpus.templates[f.id];
      return {
        ...f,
        pretrain_templates: t?.pretrain,
        probe_template: t?.probe,
        perplexity_template: t?.perplexity,
        primary_template: t?.primary,
      };
    }),
    two_hop_pretrained: corpus.twoHopPretrained,
  };
}

const lines = (items: readonly string[]): string => (items.length === 0 ? '' : `${items.join('\n')}\n`);

/** Builds everything and writes the folder; returns the manifest (also written as manifest.json). */
export async function writeWorldFolder(
  dir: string,
  options: WorldBuildOptions,
  onProgress?: WorldBuildProgress,
): Promise<WorldManifest> {
  const built = buildWorld(options, onProgress);
  onProgress?.('measuring');
  const sizes = measureWorld(built);
  const { world, corpus, tokenizer } = built;
  const contents: [string, string][] = [
    ['world.json', jsonDocument(worldDocument(built))],
    ['pretrain.txt', lines(corpus.pretrain)],
    ['heldout.txt', lines(corpus.heldout)],
    ['recall.json', `${jsonArray(corpus.recall)}\n`],
    ['edits.json', `${jsonArray(corpus.edits)}\n`],
    ['unedited.json', `${jsonArray(corpus.unedited)}\n`],
  ];
  await mkdir(dir, { recursive: true });
  const files: ManifestFile[] = [];
  for (const [i, [name, text]] of contents.entries()) {
    onProgress?.('writing files', i, contents.length);
    const data = Buffer.from(text, 'utf8');
    await writeFile(join(dir, name), data);
    files.push({ name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  }
  files.push(...(await writeTokenizerFiles(dir, tokenizer)));
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tokenizerConfig = BpeTrainerConfigSchema.parse(options.tokenizer ?? {});
  const manifest: WorldManifest = {
    format: WORLD_FORMAT,
    seed: world.config.seed,
    config: { world: world.config, corpus: corpus.config, tokenizer: tokenizerConfig },
    sizes,
    files,
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  onProgress?.('done', contents.length, contents.length);
  return manifest;
}
