// `editledger train --model DIR --edits FILE --out DIR [...]`: one LocFT run outside the ledger; writes the delta
// artifact (delta.safetensors + manifest.json) and, optionally, the full edited checkpoint.
import { join, resolve } from 'node:path';
import { ExitCode } from '../command.ts';
import { exitingWith, inputExitCode } from '../failure.ts';
import { hyperParamInput, LIMIT_FLAG, SPEED_FLAGS, TRAINING_FLAGS, trainingExitCode } from '../locft-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'train',
  summary: 'fine-tune a checkpoint on edits with LocFT-BF and write a delta artifact',
  description: `
Fine-tunes the selected tensor(s) of the checkpoint in DIR on the edits with LocFT-BF (breadth-first, seeded
mini-batches, loss on target tokens only, EOS appended to every target) and writes DIR/delta.safetensors and
DIR/manifest.json to --out. Progress (epoch, loss, edits/s, ETA) goes to stderr.`,
  flags: {
    model: {
      type: 'string',
      placeholder: 'DIR',
      required: true,
      description: 'base checkpoint folder (config.json, model.safetensors, tokenizer.json, ...)',
    },
    edits: {
      type: 'string',
      placeholder: 'FILE',
      required: true,
      description: "edits in LocFT's formats: ZsRE (src/alt/...) or CounterFact (prompt/target_new/...), JSON or JSONL",
    },
    out: { type: 'string', placeholder: 'DIR', required: true, description: 'where to write the delta artifact' },
    config: {
      type: 'string',
      placeholder: 'YAML',
      description: "the authors' YAML (layer, rewrite_module, lr, batch_size, num_steps); flags override it",
    },
    layer: {
      type: 'string',
      placeholder: 'L',
      description: 'layer(s): "5", "3,7", "2-4" (default: YAML, else DIR/editing.json)',
    },
    module: {
      type: 'string',
      placeholder: 'NAME',
      multiple: true,
      description: 'tensor(s) inside the layer: mlp.down_proj (default), mlp, self_attn, or a pattern with {}',
    },
    ...TRAINING_FLAGS,
    limit: { ...LIMIT_FLAG, description: 'train on the first N edits of the file' },
    'cache-dir': {
      type: 'string',
      placeholder: 'DIR',
      description:
        'keep frozen activations here across runs (default: $EDITLEDGER_HOME/activation-cache, else ./.editledger/activation-cache)',
    },
    ...SPEED_FLAGS,
    engine: {
      type: 'string',
      placeholder: 'E',
      choices: ['auto', 'host', 'tfjs'],
      default: 'auto',
      description: 'auto (the native host step where it applies, else tfjs), host or tfjs',
    },
    'write-checkpoint': {
      type: 'string',
      placeholder: 'DIR',
      description: 'also write the full edited checkpoint (Hugging Face layout, float32)',
    },
    json: { type: 'boolean', description: 'print the manifest as JSON on stdout' },
  },
  // It trains outside the ledger: no --home (the activation cache follows $EDITLEDGER_HOME).
  home: false,
  notes: 'The compute backend comes from EDITLEDGER_BACKEND (auto|tensorflow|wasm|wasm-blas|cpu; default auto).',
  exitCodeOf: trainingExitCode,
  async run({ flags, json }, io) {
    const { readFile } = await import('node:fs/promises');
    const { parseDatasetBytes } = await import('../../../domain/dataset-formats.ts');
    const { hyperParamsFromFlags } = await import('../../../trainer/locft/flag-overrides.ts');
    const { runLocft } = await import('../../../trainer/locft/run.ts');
    const { applyDeltaArtifact } = await import('../../../trainer/locft/delta-artifact.ts');
    const { progressWriter, formatDurationMs } = await import('../../../trainer/locft/progress-line.ts');

    const modelDir = resolve(io.cwd, flags.model);
    const outDir = resolve(io.cwd, flags.out);
    const { edits, hyperParams } = await exitingWith(inputExitCode, async () => {
      const parsed = parseDatasetBytes(new Uint8Array(await readFile(resolve(io.cwd, flags.edits))));
      const hp = await hyperParamsFromFlags(hyperParamInput(flags, io.cwd), modelDir);
      for (const note of hp.notes) io.stderr.write(`editledger train: ${note}\n`);
      return {
        edits: parsed.requests.slice(0, flags.limit).map((r) => ({ prompt: r.prompt, target: r.target })),
        hyperParams: hp.hyperParams,
      };
    });
    const home = io.env['EDITLEDGER_HOME']
      ? resolve(io.cwd, io.env['EDITLEDGER_HOME'])
      : resolve(io.cwd, '.editledger');
    const cacheDir = flags['cache-dir'] ? resolve(io.cwd, flags['cache-dir']) : join(home, 'activation-cache');
    io.stderr.write(
      `editledger train: ${edits.length} edits, ${hyperParams.schedule}, layers ${hyperParams.layers.join(',')} ${hyperParams.rewriteModules.join(' ')}, lr ${hyperParams.lr}, batch ${hyperParams.batchSize}, <= ${hyperParams.epochs} epochs, seed ${hyperParams.seed}\n`,
    );
    const out = await runLocft({
      modelDir,
      edits,
      hyperParams,
      outDir,
      options: {
        activationCache: flags['no-cache'] ? 'off' : 'auto',
        cacheDir,
        targetOnlyLogits: !flags['full-logits'],
        engine: flags.engine,
      },
      onProgress: progressWriter(io.stderr, 'train: '),
    });
    const m = out.artifact.manifest;
    const { lossBarelyMovedWarning } = await import('../../../trainer/locft/loss-check.ts');
    const warning = lossBarelyMovedWarning(m.lossCurve);
    if (warning !== undefined) io.stderr.write(`editledger train: ${warning}\n`);
    if (flags['write-checkpoint']) {
      const dir = resolve(io.cwd, flags['write-checkpoint']);
      const { outHash } = await applyDeltaArtifact(modelDir, outDir, dir);
      io.stderr.write(`editledger train: edited checkpoint written to ${dir} (checkpoint hash ${outHash})\n`);
    }
    if (json) {
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
  },
});
