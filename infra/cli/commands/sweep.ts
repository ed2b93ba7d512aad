// `editledger sweep --model DIR --edits FILE --layers ... --modules ...`: the location analysis (the paper's
// Figure 5): train at every layer x module, evaluate each, write sweep.csv and sweep.png.
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { failureFor, positiveIntFlag } from '../flags.ts';

const usage = `usage: editledger sweep --model DIR --edits FILE --layers L --modules M --out DIR [options]

For every layer x module: train the edits with LocFT (same seed and hyper-parameters), evaluate against the base,
and write OUT/sweep.csv (one row per point, every metric plus base values) and OUT/sweep.png (Reliability,
Generalization, Locality, Capability vs layer, one line per module).

  --model DIR         base checkpoint folder
  --edits FILE        ZsRE or CounterFact format (JSON or JSONL)
  --layers L          "0-7", "2,4,6", ... (default: every layer)
  --modules M         comma list of down, up, gate, mlp, attn, o, layer (default: down,up,mlp,attn,layer)
  --out DIR           output folder (default ./sweep)
  --limit N           use the first N edits
  --config YAML       the authors' YAML for lr, batch_size, num_steps (layer/rewrite_module are swept)
  --lr X, --batch-size N, --epochs N, --seed N, --schedule S   as in editledger train
  --heldout FILE, --facts FILE, --capability-lines N, --max-tokens N   as in editledger eval
  --no-cache, --full-logits   as in editledger train (the cache is per run, in memory)
  --json              print the points as JSON
Capability in the plot = unedited-fact accuracy after / before when facts are given, else base / edited perplexity.
`;

const fail = failureFor('editledger sweep', usage);

export const command: CliCommand = {
  name: 'sweep',
  summary: 'location analysis: train and evaluate per layer x module, write a CSV and a plot',
  usage,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          model: { type: 'string' },
          edits: { type: 'string' },
          layers: { type: 'string' },
          modules: { type: 'string' },
          out: { type: 'string' },
          limit: { type: 'string' },
          config: { type: 'string' },
          lr: { type: 'string' },
          'batch-size': { type: 'string' },
          epochs: { type: 'string' },
          seed: { type: 'string' },
          schedule: { type: 'string' },
          heldout: { type: 'string' },
          facts: { type: 'string' },
          'capability-lines': { type: 'string' },
          'max-tokens': { type: 'string' },
          'no-cache': { type: 'boolean', default: false },
          'full-logits': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }));
    } catch (error) {
      return fail(io, error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
      io.stdout.write(usage);
      return ExitCode.ok;
    }
    if (!values.model) return fail(io, '--model DIR is required');
    if (!values.edits) return fail(io, '--edits FILE is required');

    const { resolve, join } = await import('node:path');
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

    const modelDir = resolve(io.cwd, values.model);
    const outDir = resolve(io.cwd, values.out ?? 'sweep');
    let setup;
    try {
      const limit = positiveIntFlag(values.limit, 'limit');
      const lines = positiveIntFlag(values['capability-lines'], 'capability-lines') ?? 200;
      const maxNewTokens = positiveIntFlag(values['max-tokens'], 'max-tokens');
      const modules = parseSweepModules(values.modules ?? 'down,up,mlp,attn,layer');
      const checkpoint = await readHfCheckpoint(modelDir);
      const layers =
        values.layers === undefined
          ? Array.from({ length: checkpoint.config.numLayers }, (_, i) => i)
          : parseLayerList(values.layers, '--layers');
      const bad = layers.find((l) => l >= checkpoint.config.numLayers);
      if (bad !== undefined)
        throw new Error(
          `--layers: layer ${bad} is out of range; the model has ${checkpoint.config.numLayers} layers (0-${checkpoint.config.numLayers - 1})`,
        );
      const edits = await loadEvalEdits(resolve(io.cwd, values.edits), limit);
      const fileOr = (flag: string | undefined, fallback: string) =>
        flag !== undefined
          ? resolve(io.cwd, flag)
          : [join(modelDir, fallback), join(modelDir, 'world', fallback)].find((f) => existsSync(f));
      const heldout = fileOr(values.heldout, 'heldout.txt');
      const facts = fileOr(values.facts, 'unedited.json');
      const capability = await loadCapabilityProbes({ ...(heldout && { heldout }), ...(facts && { facts }) }, edits, {
        lines,
        facts: lines,
      });
      const { hyperParams } = await hyperParamsFromFlags(
        { ...values, layer: String(layers[0] ?? 0), ...(values.config && { config: resolve(io.cwd, values.config) }) },
        modelDir,
      );
      const { layers: _l, rewriteModules: _m, ...rest } = hyperParams;
      setup = {
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
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ExitCode.notFound : ExitCode.invalidInput;
      return fail(io, error instanceof Error ? error.message : String(error), code);
    }
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
        options: { activationCache: values['no-cache'] ? 'off' : 'auto', targetOnlyLogits: !values['full-logits'] },
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
      if (values.json) {
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
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const bad = ['EditEncodingError', 'ParameterSelectionError', 'TuningPlanError'].includes(name);
      return fail(
        io,
        error instanceof Error ? error.message : String(error),
        bad ? ExitCode.invalidInput : ExitCode.failure,
      );
    } finally {
      model.dispose();
    }
  },
};

/** "  elapsed 1m 05s, ETA 4m 20s" after `done` of `total` points (points take about equally long). */
function sweepEta(startedMs: number, done: number, total: number): string {
  const elapsed = (performance.now() - startedMs) / 1000;
  const clock = (s: number) => `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `  elapsed ${clock(elapsed)}${done < total ? `, ETA ${clock((elapsed / done) * (total - done))}` : ''}`;
}
