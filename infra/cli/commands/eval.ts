// `editledger eval --model DIR [--delta ARTIFACT] --edits FILE`: the metric table of a base model and its edited
// version side by side (without --delta: the base alone).
import { join, resolve } from 'node:path';
import type { EvalPhase } from '../../../domain/ports/model-editor.ts';
import { ExitCode } from '../command.ts';
import { exitingWith, inputExitCode } from '../failure.ts';
import { EDITS_FLAG, LIMIT_FLAG, PROBE_FLAGS } from '../locft-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'eval',
  summary: 'evaluate a base model and its edited version side by side (reliability, generalization, locality, ...)',
  synopsis: '--model DIR [--delta ARTIFACT] --edits FILE [options]',
  description: `
Evaluates the base checkpoint in DIR and, with --delta, the base with the delta's tensors in place, on the edits'
prompts, rephrasings, locality and portability probes, and prints every metric side by side:
  Reliability / Generalization  greedy answer (<= 32 tokens, stop at ".", newline, EOS), normalised exact match
                                (the LocFT authors), and teacher-forced top-1 token accuracy (EasyEdit)
  Locality                      share of locality answers unchanged from the base; EM vs the expected answer
  Portability                   when the data has probes (world two_hop, EasyEdit "New Question")
  Capability                    held-out perplexity and unedited-fact accuracy, before and after`,
  flags: {
    model: { type: 'string', placeholder: 'DIR', required: true, description: 'base checkpoint folder' },
    delta: {
      type: 'string',
      placeholder: 'PATH',
      description: 'artifact folder (delta.safetensors + manifest.json) or a delta .safetensors file',
    },
    edits: EDITS_FLAG,
    limit: { ...LIMIT_FLAG, description: 'evaluate the first N edits' },
    ...PROBE_FLAGS,
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  home: false,
  async run({ flags, json }, io) {
    const { existsSync } = await import('node:fs');
    const { loadCapabilityProbes, loadEvalEdits } = await import('../../../trainer/eval/eval-set.ts');
    const { evaluateEdits } = await import('../../../trainer/eval/evaluate.ts');
    const { evaluationProgress } = await import('../eval-progress.ts');
    const { formatReportTable, reportJson } = await import('../../../trainer/eval/report.ts');
    const { applyDelta, readDeltaArtifact } = await import('../../../trainer/locft/delta-artifact.ts');
    const { readHfCheckpoint, checkpointHash } = await import('../../../trainer/checkpoint/hf-checkpoint.ts');
    const { LlamaModel } = await import('../../../trainer/model/llama.ts');
    const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
    const { initBackend } = await import('../../../trainer/runtime/backend.ts');

    const modelDir = resolve(io.cwd, flags.model);
    const fileOr = (flag: string | undefined, fallback: string) =>
      flag !== undefined
        ? resolve(io.cwd, flag)
        : [join(modelDir, fallback), join(modelDir, 'world', fallback)].find((f) => existsSync(f));
    const { edits, capability, base, tokenizer, delta } = await exitingWith(inputExitCode, async () => {
      const edits = await loadEvalEdits(resolve(io.cwd, flags.edits), flags.limit);
      const heldout = fileOr(flags.heldout, 'heldout.txt');
      const facts = fileOr(flags.facts, 'unedited.json');
      const lines = flags['capability-lines'];
      const capability = await loadCapabilityProbes({ ...(heldout && { heldout }), ...(facts && { facts }) }, edits, {
        lines,
        facts: lines,
      });
      const base = await readHfCheckpoint(modelDir);
      const tokenizer = await loadHfTokenizer(modelDir);
      const delta = flags.delta === undefined ? undefined : await readDeltaArtifact(resolve(io.cwd, flags.delta));
      if (delta !== undefined) {
        const actual = await checkpointHash(modelDir);
        if (delta.baseHash !== undefined && delta.baseHash !== actual)
          throw new Error(`--delta: trained on base ${delta.baseHash}, but ${modelDir} is ${actual}`);
        const { lossBarelyMovedWarning } = await import('../../../trainer/locft/loss-check.ts');
        const warning = delta.manifest && lossBarelyMovedWarning(delta.manifest.lossCurve);
        if (warning) io.stderr.write(`editledger eval: the delta's training run: ${warning}\n`);
      }
      return { edits, capability, base, tokenizer, delta };
    });
    await initBackend();
    const baseModel = LlamaModel.fromHostTensors(base.config, base.tensors);
    const editedModel = delta
      ? LlamaModel.fromHostTensors(base.config, applyDelta(base, delta.tensors).tensors)
      : undefined;
    try {
      io.stderr.write(
        `editledger eval: ${edits.length} edits, ${capability.heldoutText.length} held-out lines, ${capability.facts.length} unedited facts${delta ? '' : ' (no --delta: base only)'}\n`,
      );
      const show = evaluationProgress(io, editedModel ? 2 : 1);
      // An evaluation that fails once the models are loaded is editledger's failure, not the input's.
      const report = await exitingWith(
        () => ExitCode.failure,
        () =>
          evaluateEdits({
            base: baseModel,
            ...(editedModel && { edited: editedModel }),
            tokenizer,
            edits,
            capability,
            probe: { ...(flags['max-tokens'] !== undefined && { maxNewTokens: flags['max-tokens'] }) },
            onPhase: (p: EvalPhase) => show({ ...p, versionId: flags.delta ? 'delta' : 'base' }),
          }),
      );
      if (json) io.stdout.write(JSON.stringify(reportJson(report), null, 2) + '\n');
      else io.stdout.write(formatReportTable(report, `${modelDir}${flags.delta ? ` + ${flags.delta}` : ''}`));
      return ExitCode.ok;
    } finally {
      baseModel.dispose();
      editedModel?.dispose();
    }
  },
});
