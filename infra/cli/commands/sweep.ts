// `editledger sweep --model DIR --edits FILE --layers ... --modules ...`: the location analysis (the paper's
// Figure 5): train at every layer x module, evaluate each, write sweep.csv and sweep.png.
import { join, resolve } from 'node:path';
import { ExitCode } from '../command.ts';
import { exitingWith, inputExitCode } from '../failure.ts';
import { numberValue } from '../flag-spec.ts';
import type { NumberFlag } from '../flag-spec.ts';
import {
  asText,
  EDITS_FLAG,
  hyperParamInput,
  LIMIT_FLAG,
  PROBE_FLAGS,
  SPEED_FLAGS,
  TRAINING_FLAGS,
  trainingExitCode,
} from '../locft-flags.ts';
import { defineCommand } from '../subcommand.ts';

const { 'capability-lines': CAPABILITY_LINES, 'max-tokens': MAX_TOKENS, ...PROBE_FILES } = PROBE_FLAGS;

export const command = defineCommand({
  name: 'sweep',
  summary: 'location analysis: train and evaluate per layer x module, write a CSV and a plot',
  synopsis: '--model DIR --edits FILE --layers L --modules M --out DIR [options]',
  description: `
For every layer x module: train the edits with LocFT (same seed and hyper-parameters), evaluate against the base,
and write OUT/sweep.csv (one row per point, every metric plus base values) and OUT/sweep.png (Reliability,
Generalization, Locality, Capability vs layer, one line per module).`,
  flags: {
    model: { type: 'string', placeholder: 'DIR', required: true, description: 'base checkpoint folder' },
    edits: EDITS_FLAG,
    layers: { type: 'string', placeholder: 'L', description: '"0-7", "2,4,6", ... (default: every layer)' },
    modules: {
      type: 'string',
      placeholder: 'M',
      default: 'down,up,mlp,attn,layer',
      description: 'comma list of down, up, gate, mlp, attn, o, layer',
    },
    out: { type: 'string', placeholder: 'DIR', default: 'sweep', description: 'output folder' },
    limit: asText(LIMIT_FLAG),
    config: {
      type: 'string',
      placeholder: 'YAML',
      description: "the authors' YAML for lr, batch_size, num_steps (layer/rewrite_module are swept)",
    },
    ...TRAINING_FLAGS,
    ...PROBE_FILES,
    'capability-lines': asText(CAPABILITY_LINES),
    'max-tokens': asText(MAX_TOKENS),
    ...SPEED_FLAGS,
    json: { type: 'boolean', description: 'print the points as JSON' },
  },
  home: false,
  notes: `
The activation cache is per run, in memory. Capability in the plot = unedited-fact accuracy after / before when
facts are given, else base / edited perplexity.`,
  exitCodeOf: trainingExitCode,
  async run({ flags, json }, io) {
    const { existsSync } = await import('node:fs');
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { loadCapabilityProbes, loadEvalEdits } = await import('../../../trainer/eval/eval-set.ts');
    const { hyperParamsFromFlags } = await import('../../../trainer/locft/flag-overrides.ts');
    const { parseSweepModules, runSweep, sweepCsv, sweepPlot } = await import('../../../trainer/locft/sweep.ts');
    const { progressWriter } = await import('../../../trainer/locft/progress-line.ts');
    const { parseLayerList } = await import('../../../trainer/model/params.ts');
    const { readHfCheckpoint, checkpointHash } = await import('../../../trainer/checkpoint/hf-checkpoint.ts');
    const { LlamaModel } = await import('../../../trainer/model/llama.ts');
    const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
    const { initBackend } = await import('../../../trainer/runtime/backend.ts');

    const modelDir = resolve(io.cwd, flags.model);
    const outDir = resolve(io.cwd, flags.out);
    const count = (name: 'limit' | 'capability-lines' | 'max-tokens', flag: NumberFlag) => {
      const raw = flags[name];
      return raw === undefined ? undefined : numberValue(name, flag, raw);
    };
    const setup = await exitingWith(inputExitCode, async () => {
      const limit = count('limit', LIMIT_FLAG);
      const lines = count('capability-lines', CAPABILITY_LINES) ?? CAPABILITY_LINES.default;
      const maxNewTokens = count('max-tokens', MAX_TOKENS);
      const modules = parseSweepModules(flags.modules);
      const checkpoint = await readHfCheckpoint(modelDir);
      const layers =
        flags.layers === undefined
          ? Array.from({ length: checkpoint.config.numLayers }, (_, i) => i)
          : parseLayerList(flags.layers, '--layers');
      const bad = layers.find((l) => l >= checkpoint.config.numLayers);
      if (bad !== undefined)
        throw new Error(
          `--layers: layer ${bad} is out of range; the model has ${checkpoint.config.numLayers} layers (0-${checkpoint.config.numLayers - 1})`,
        );
      const edits = await loadEvalEdits(resolve(io.cwd, flags.edits), limit);
      const fileOr = (flag: string | undefined, fallback: string) =>
        flag !== undefined
          ? resolve(io.cwd, flag)
          : [join(modelDir, fallback), join(modelDir, 'world', fallback)].find((f) => existsSync(f));
      const heldout = fileOr(flags.heldout, 'heldout.txt');
      const facts = fileOr(flags.facts, 'unedited.json');
      const capability = await loadCapabilityProbes({ ...(heldout && { heldout }), ...(facts && { facts }) }, edits, {
        lines,
        facts: lines,
      });
      const { hyperParams } = await hyperParamsFromFlags(
        { ...hyperParamInput(flags, io.cwd), layer: String(layers[0] ?? 0) },
        modelDir,
      );
      const { layers: _l, rewriteModules: _m, ...rest } = hyperParams;
      return {
        modules,
        checkpoint,
        layers,
        edits,
        capability,
        hyperParams: rest,
        maxNewTokens,
        tokenizer: await loadHfTokenizer(modelDir),
        baseHash: await checkpointHash(modelDir),
      };
    });
    await initBackend();
    const model = LlamaModel.fromHostTensors(setup.checkpoint.config, setup.checkpoint.tensors);
    try {
      const total = setup.layers.length * setup.modules.length;
      io.stderr.write(
        `editledger sweep: ${total} points (${setup.modules.join(',')} x layers ${setup.layers.join(',')}), ${setup.edits.length} edits\n`,
      );
      const write = progressWriter(io.stderr);
      const sweepStarted = performance.now();
      const points = await runSweep({
        model,
        tokenizer: setup.tokenizer,
        baseHash: setup.baseHash,
        edits: setup.edits,
        layers: setup.layers,
        modules: setup.modules,
        hyperParams: setup.hyperParams,
        capability: setup.capability,
        options: { activationCache: flags['no-cache'] ? 'off' : 'auto', targetOnlyLogits: !flags['full-logits'] },
        probe: { ...(setup.maxNewTokens !== undefined && { maxNewTokens: setup.maxNewTokens }) },
        onProgress: (p) => {
          if (!p.done) write(p);
        },
        onPoint: (p, i, n) => {
          const m = p.report.metrics;
          const f = (v: number | null) => (v === null ? '-' : v.toFixed(3));
          io.stderr.write(
            `[${i + 1}/${n}] layer ${p.layer} ${p.module}: rel ${f(m.reliability.edited)} gen ${f(m.generalization.edited)} loc ${f(m.localityUnchanged.edited)} cap ${f(p.capability)} (${p.epochs} epochs)${sweepEta(sweepStarted, i + 1, n)}\n`,
          );
        },
      });
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'sweep.csv'), sweepCsv(points));
      await writeFile(
        join(outDir, 'sweep.png'),
        sweepPlot(points, `LocFT location sweep (${setup.edits.length} edits)`),
      );
      if (json) {
        io.stdout.write(
          JSON.stringify(
            points.map((p) => ({
              layer: p.layer,
              module: p.module,
              capability: p.capability,
              epochs: p.epochs,
              finalLoss: p.finalLoss,
              trainMs: Math.round(p.trainMs),
              metrics: p.report.metrics,
            })),
            null,
            2,
          ) + '\n',
        );
      } else {
        io.stdout.write(`wrote ${join(outDir, 'sweep.csv')} and ${join(outDir, 'sweep.png')}\n`);
      }
      return ExitCode.ok;
    } finally {
      model.dispose();
    }
  },
});

/** "  elapsed 1m 05s, ETA 4m 20s" after `done` of `total` points (points take about equally long). */
function sweepEta(startedMs: number, done: number, total: number): string {
  const elapsed = (performance.now() - startedMs) / 1000;
  const clock = (s: number) => `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `  elapsed ${clock(elapsed)}${done < total ? `, ETA ${clock((elapsed / done) * (total - done))}` : ''}`;
}
