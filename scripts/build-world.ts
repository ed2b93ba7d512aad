// npm run build:world -- [--out DIR] [--seed N|TEXT] [--preset tiny|small|default] [--vocab-size N] [--edits N]
//                        [--two-hop-fraction F]
// Writes the synthetic world, its splits and its BPE tokenizer to DIR (default ./.editledger/world, which git
// ignores, so nothing large is committed by accident). Same arguments -> same bytes; see manifest.json.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeWorldFolder, type WorldManifest } from '../trainer/basemodel/world-folder.ts';
import { DEFAULT_WORLD_SEED, WORLD_PRESET_NAMES, WORLD_PRESETS, type WorldPreset } from '../trainer/basemodel/world.ts';

const USAGE =
  'usage: npm run build:world -- [--out DIR] [--seed N|TEXT] [--preset tiny|small|default] [--vocab-size N] [--edits N] [--two-hop-fraction F]';

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new RangeError(`--${name}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

export async function buildWorldCli(
  argv: readonly string[],
  stderr: NodeJS.WritableStream,
  cwd: string,
): Promise<WorldManifest> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string', default: '.editledger/world' },
      seed: { type: 'string' },
      preset: { type: 'string', default: 'default' },
      'vocab-size': { type: 'string' },
      edits: { type: 'string' },
      'two-hop-fraction': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const preset = values.preset;
  if (!WORLD_PRESET_NAMES.includes(preset as WorldPreset)) {
    throw new RangeError(`--preset: expected one of ${WORLD_PRESET_NAMES.join(', ')}, got ${JSON.stringify(preset)}`);
  }
  const seedText = values.seed;
  const seed = seedText === undefined ? DEFAULT_WORLD_SEED : /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  const out = resolve(cwd, values.out);
  const edits = numberFlag('edits', values.edits);
  const twoHop = numberFlag('two-hop-fraction', values['two-hop-fraction']);
  const vocabSize = numberFlag('vocab-size', values['vocab-size']);

  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  let lastStage = '';
  const manifest = await writeWorldFolder(
    out,
    {
      world: { seed, ...WORLD_PRESETS[preset as WorldPreset] },
      corpus: {
        ...(edits === undefined ? {} : { edits }),
        ...(twoHop === undefined ? {} : { twoHopPretrainFraction: twoHop }),
      },
      tokenizer: vocabSize === undefined ? {} : { vocabSize },
    },
    (stage, done, total) => {
      const counter = done !== undefined && total !== undefined ? ` ${done}/${total}` : '';
      if (tty) stderr.write(`\r\x1b[K[build:world] ${stage}${counter}`);
      else if (stage !== lastStage) stderr.write(`[build:world] ${stage}\n`);
      lastStage = stage;
    },
  );
  if (tty) stderr.write('\n');
  const s = manifest.sizes;
  stderr.write(
    `[build:world] wrote ${out}: ${s.entities} entities, ${s.facts} facts, ${s.pretrainSequences} pretraining sequences ` +
      `(${s.pretrainTokensWithBosEos} tokens with BOS/EOS, ${s.charsPerToken} chars/token at vocab ${s.vocabSize}), ` +
      `${s.edits} edits, ${s.uneditedFacts} unedited facts\n`,
  );
  return manifest;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildWorldCli(process.argv.slice(2), process.stderr, process.cwd()).catch((error: unknown) => {
    process.stderr.write(`build:world failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 1;
  });
}
