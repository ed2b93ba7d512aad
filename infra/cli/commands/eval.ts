// `editledger eval --model DIR [--delta ARTIFACT] --edits FILE`: the metric table of a base model and its edited
// version side by side (without --delta: the base alone).
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { failureFor, positiveIntFlag } from '../flags.ts';
import type { EvalPhase } from '../../../trainer/eval/evaluate.ts';

const usage = `usage: editledger eval --model DIR [--delta ARTIFACT] --edits FILE [options]

Evaluates the base checkpoint in DIR and, with --delta, the base with the delta's tensors in place, on the edits'
prompts, rephrasings, locality and portability probes, and prints every metric side by side:
  Reliability / Generalization  greedy answer (<= 32 tokens, stop at ".", newline, EOS), normalised exact match
                                (the LocFT authors), and teacher-forced top-1 token accuracy (EasyEdit)
  Locality                      share of locality answers unchanged from the base; EM vs the expected answer
  Portability                   when the data has probes (world two_hop, EasyEdit "New Question")
  Capability                    held-out perplexity and unedited-fact accuracy, before and after

  --model DIR        base checkpoint folder
  --delta PATH       artifact folder (delta.safetensors + manifest.json) or a delta .safetensors file
  --edits FILE       ZsRE or CounterFact format (JSON or JSONL)
  --limit N          evaluate the first N edits
  --heldout FILE     held-out text, one passage per line (default: DIR/heldout.txt or DIR/world/heldout.txt)
  --facts FILE       unedited facts, JSON [{prompt, ground_truth}] (default: DIR/unedited.json or DIR/world/unedited.json)
  --capability-lines N  at most N held-out lines and N facts (default 200)
  --max-tokens N     generation budget (default 32)
  --json             print the report as JSON
`;

const fail = failureFor('editledger eval', usage);

export const command: CliCommand = {
  name: 'eval',
  summary: 'evaluate a base model and its edited version side by side (reliability, generalization, locality, ...)',
  usage,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    let values;
    let limit: number | undefined;
    let lines: number | undefined;
    let maxNewTokens: number | undefined;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          model: { type: 'string' },
          delta: { type: 'string' },
          edits: { type: 'string' },
          limit: { type: 'string' },
          heldout: { type: 'string' },
          facts: { type: 'string' },
          'capability-lines': { type: 'string' },
          'max-tokens': { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }));
      limit = positiveIntFlag(values.limit, 'limit');
      lines = positiveIntFlag(values['capability-lines'], 'capability-lines');
      maxNewTokens = positiveIntFlag(values['max-tokens'], 'max-tokens');
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
    const { loadCapabilityProbes, loadEvalEdits } = await import('../../../trainer/eval/eval-set.ts');
    const { evaluateEdits } = await import('../../../trainer/eval/evaluate.ts');
    const { evaluationProgress } = await import('../eval-progress.ts');
    const { formatReportTable, reportJson } = await import('../../../trainer/eval/report.ts');
    const { applyDelta, readDeltaArtifact } = await import('../../../trainer/locft/delta-artifact.ts');
    const { readHfCheckpoint, checkpointHash } = await import('../../../trainer/checkpoint/hf-checkpoint.ts');
    const { LlamaModel } = await import('../../../trainer/model/llama.ts');
    const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
    const { initBackend } = await import('../../../trainer/runtime/backend.ts');

    const modelDir = resolve(io.cwd, values.model);
    const fileOr = (flag: string | undefined, fallback: string) =>
      flag !== undefined
        ? resolve(io.cwd, flag)
        : [join(modelDir, fallback), join(modelDir, 'world', fallback)].find((f) => existsSync(f));
    let edits;
    let capability;
    let base;
    let tokenizer;
    let delta;
    try {
      edits = await loadEvalEdits(resolve(io.cwd, values.edits), limit);
      const heldout = fileOr(values.heldout, 'heldout.txt');
      const facts = fileOr(values.facts, 'unedited.json');
      capability = await loadCapabilityProbes({ ...(heldout && { heldout }), ...(facts && { facts }) }, edits, {
        lines: lines ?? 200,
        facts: lines ?? 200,
      });
      base = await readHfCheckpoint(modelDir);
      tokenizer = await loadHfTokenizer(modelDir);
      if (values.delta) {
        delta = await readDeltaArtifact(resolve(io.cwd, values.delta));
        const actual = await checkpointHash(modelDir);
        if (delta.baseHash !== undefined && delta.baseHash !== actual)
          throw new Error(`--delta: trained on base ${delta.baseHash}, but ${modelDir} is ${actual}`);
        const { lossBarelyMovedWarning } = await import('../../../trainer/locft/loss-check.ts');
        const warning = delta.manifest && lossBarelyMovedWarning(delta.manifest.lossCurve);
        if (warning) io.stderr.write(`editledger eval: the delta's training run: ${warning}\n`);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ExitCode.notFound : ExitCode.invalidInput;
      return fail(io, error instanceof Error ? error.message : String(error), code);
    }
    await initBackend();
    const baseModel = LlamaModel.fromHostTensors(base.config, base.tensors);
    const editedModel = delta
      ? LlamaModel.fromHostTensors(base.config, applyDelta(base, delta.tensors).tensors)
      : undefined;
    try {
      io.stderr.write(
        `editledger eval: ${edits.length} edits, ${capability.heldoutText.length} held-out lines, ${capability.facts.length} unedited facts${delta ? '' : ' (no --delta: base only)'}\n`,
      );
      const report = await evaluateEdits({
        base: baseModel,
        ...(editedModel && { edited: editedModel }),
        tokenizer,
        edits,
        capability,
        probe: { ...(maxNewTokens !== undefined && { maxNewTokens }) },
        onPhase: (() => {
          const show = evaluationProgress(io, editedModel ? 2 : 1);
          return (p: EvalPhase) => show({ ...p, versionId: values.delta ? 'delta' : 'base' });
        })(),
      });
      if (values.json) io.stdout.write(JSON.stringify(reportJson(report), null, 2) + '\n');
      else io.stdout.write(formatReportTable(report, `${modelDir}${values.delta ? ` + ${values.delta}` : ''}`));
      return ExitCode.ok;
    } catch (error) {
      return fail(io, error instanceof Error ? error.message : String(error), ExitCode.failure);
    } finally {
      baseModel.dispose();
      editedModel?.dispose();
    }
  },
};
