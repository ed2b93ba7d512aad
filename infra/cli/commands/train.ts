// `editledger train --model DIR --edits FILE --out DIR [...]`: one LocFT run outside the ledger; writes the delta
// artifact (delta.safetensors + manifest.json) and, optionally, the full edited checkpoint.
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { failureFor, positiveIntFlag } from '../flags.ts';

const usage = `usage: editledger train --model DIR --edits FILE --out DIR [options]

Fine-tunes the selected tensor(s) of the checkpoint in DIR on the edits with LocFT-BF (breadth-first, seeded
mini-batches, loss on target tokens only, EOS appended to every target) and writes DIR/delta.safetensors and
DIR/manifest.json to --out. Progress (epoch, loss, edits/s, ETA) goes to stderr.

  --model DIR            base checkpoint folder (config.json, model.safetensors, tokenizer.json, ...)
  --edits FILE           edits in LocFT's formats: ZsRE (src/alt/...) or CounterFact (prompt/target_new/...), JSON or JSONL
  --out DIR              where to write the delta artifact
  --config YAML          the authors' YAML (layer, rewrite_module, lr, batch_size, num_steps); flags override it
  --layer L              layer(s): "5", "3,7", "2-4" (default: YAML, else DIR/editing.json)
  --module NAME          tensor(s) inside the layer, repeatable: mlp.down_proj (default), mlp, self_attn, or a pattern with {}
  --lr X                 Adam learning rate (default: YAML, else DIR/editing.json, else 5e-4)
  --batch-size N         edits per mini-batch (default: YAML, else DIR/editing.json, else 100)
  --epochs N             at most N epochs; stop early when the epoch mean loss < 1e-2 (default: YAML, else
                         DIR/editing.json, else 25)
  --seed N               shuffle seed (default 0)
  --schedule S           breadth-first (default) or depth-first (the baseline: one edit at a time)
  --limit N              train on the first N edits of the file
  --cache-dir DIR        keep frozen activations here across runs (default: $EDITLEDGER_HOME/activation-cache,
                         else ./.editledger/activation-cache)
  --no-cache             recompute the frozen layers every step (slow; for comparison)
  --full-logits          project every position to the vocabulary (slow; for comparison)
  --engine E             auto (default: the native host step where it applies, else tfjs), host or tfjs
  --write-checkpoint DIR also write the full edited checkpoint (Hugging Face layout, float32)
  --json                 print the manifest as JSON on stdout
The compute backend comes from EDITLEDGER_BACKEND (auto|tensorflow|wasm|wasm-blas|cpu; default auto).
`;

const fail = failureFor('editledger train', usage);

export const command: CliCommand = {
  name: 'train',
  summary: 'fine-tune a checkpoint on edits with LocFT-BF and write a delta artifact',
  usage,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          model: { type: 'string' },
          edits: { type: 'string' },
          out: { type: 'string' },
          config: { type: 'string' },
          layer: { type: 'string' },
          module: { type: 'string', multiple: true },
          lr: { type: 'string' },
          'batch-size': { type: 'string' },
          epochs: { type: 'string' },
          seed: { type: 'string' },
          schedule: { type: 'string' },
          limit: { type: 'string' },
          'cache-dir': { type: 'string' },
          'no-cache': { type: 'boolean', default: false },
          'full-logits': { type: 'boolean', default: false },
          'write-checkpoint': { type: 'string' },
          engine: { type: 'string', default: 'auto' },
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
    for (const flag of ['model', 'edits', 'out'] as const) if (!values[flag]) return fail(io, `--${flag} is required`);
    let limit: number | undefined;
    try {
      limit = positiveIntFlag(values.limit, 'limit');
    } catch (error) {
      return fail(io, (error as Error).message);
    }

    const { resolve, join } = await import('node:path');
    const { readFile } = await import('node:fs/promises');
    const { parseDatasetBytes } = await import('../../../domain/dataset-formats.ts');
    const { hyperParamsFromFlags } = await import('../../../trainer/locft/flag-overrides.ts');
    const { runLocft } = await import('../../../trainer/locft/run.ts');
    const { applyDeltaArtifact } = await import('../../../trainer/locft/delta-artifact.ts');
    const { progressWriter, formatDurationMs } = await import('../../../trainer/locft/progress-line.ts');

    const modelDir = resolve(io.cwd, values.model!);
    const outDir = resolve(io.cwd, values.out!);
    let edits;
    let hyperParams;
    try {
      const parsed = parseDatasetBytes(new Uint8Array(await readFile(resolve(io.cwd, values.edits!))));
      edits = parsed.requests.slice(0, limit).map((r) => ({ prompt: r.prompt, target: r.target }));
      const hp = await hyperParamsFromFlags(
        { ...values, ...(values.config && { config: resolve(io.cwd, values.config) }) },
        modelDir,
      );
      hyperParams = hp.hyperParams;
      for (const note of hp.notes) io.stderr.write(`editledger train: ${note}\n`);
    } catch (error) {
      return fail(
        io,
        error instanceof Error ? error.message : String(error),
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? ExitCode.notFound : ExitCode.invalidInput,
      );
    }
    const home = io.env['EDITLEDGER_HOME']
      ? resolve(io.cwd, io.env['EDITLEDGER_HOME'])
      : resolve(io.cwd, '.editledger');
    const cacheDir = values['cache-dir'] ? resolve(io.cwd, values['cache-dir']) : join(home, 'activation-cache');
    const engine = values.engine;
    if (engine !== 'auto' && engine !== 'host' && engine !== 'tfjs')
      return fail(io, `--engine: expected auto, host or tfjs, got ${JSON.stringify(engine)}`);
    io.stderr.write(
      `editledger train: ${edits.length} edits, ${hyperParams.schedule}, layers ${hyperParams.layers.join(',')} ${hyperParams.rewriteModules.join(' ')}, lr ${hyperParams.lr}, batch ${hyperParams.batchSize}, <= ${hyperParams.numSteps} epochs, seed ${hyperParams.seed}\n`,
    );
    try {
      const out = await runLocft({
        modelDir,
        edits,
        hyperParams,
        outDir,
        options: {
          activationCache: values['no-cache'] ? 'off' : 'auto',
          cacheDir,
          targetOnlyLogits: !values['full-logits'],
          engine,
        },
        onProgress: progressWriter(io.stderr, 'train: '),
      });
      const m = out.artifact.manifest;
      const { lossBarelyMovedWarning } = await import('../../../trainer/locft/loss-check.ts');
      const warning = lossBarelyMovedWarning(m.lossCurve);
      if (warning !== undefined) io.stderr.write(`editledger train: ${warning}\n`);
      if (values['write-checkpoint']) {
        const dir = resolve(io.cwd, values['write-checkpoint']);
        const { outHash } = await applyDeltaArtifact(modelDir, outDir, dir);
        io.stderr.write(`editledger train: edited checkpoint written to ${dir} (checkpoint hash ${outHash})\n`);
      }
      if (values.json) {
        io.stdout.write(JSON.stringify(m, null, 2) + '\n');
      } else {
        io.stdout.write(
          `delta     ${out.paths?.deltaPath}\n` +
            `sha256    ${m.deltaSha256}\n` +
            `tensors   ${m.tensors.map((t) => `${t.name} [${t.shape.join('x')}]`).join(', ')}\n` +
            `epochs    ${m.epochs} (${m.converged ? 'converged' : 'epoch budget reached'}), ${m.steps} steps, ${m.updates} updates, ${m.skippedBatches} skipped\n` +
            `loss      ${m.lossCurve.map((l) => l.toFixed(4)).join(' ')}\n` +
            `cache     ${m.cache.level}: ${m.cache.computed} computed, ${m.cache.reused} reused\n` +
            `time      ${formatDurationMs(m.durationMs)} on ${m.backend}\n`,
        );
      }
      return ExitCode.ok;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const name = error instanceof Error ? error.name : '';
      const bad = [
        'EditEncodingError',
        'ParameterSelectionError',
        'TuningPlanError',
        'BatchError',
        'CheckpointError',
        'ModelConfigError',
        'TokenizerError',
      ].includes(name);
      return fail(
        io,
        message,
        bad
          ? ExitCode.invalidInput
          : (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? ExitCode.notFound
            : ExitCode.failure,
      );
    }
  },
};
