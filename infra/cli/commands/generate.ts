// `editledger generate --model DIR [options] "prompt" ...`: load a checkpoint folder and print continuations.
import { resolve } from 'node:path';
import { ExitCode } from '../command.ts';
import { CommandFailure, exitingWith } from '../failure.ts';
import { UsageError } from '../format.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'generate',
  summary: 'generate text with a checkpoint (greedy or sampled, batched prompts)',
  synopsis: '(--model DIR | --version V [--home DIR]) [options] "prompt" ["prompt" ...]',
  description: `
Generates a continuation for each prompt (batched) with the model in DIR (config.json, model.safetensors or a
sharded index, tokenizer.json, tokenizer_config.json).`,
  flags: {
    model: { type: 'string', placeholder: 'DIR', description: 'checkpoint folder' },
    version: {
      type: 'string',
      placeholder: 'V',
      description:
        "a materialized model version of the ledger: full id, a unique prefix, or #N (the base plus that version's delta; a corrupt artifact is rebuilt from the ledger)",
    },
    home: {
      type: 'string',
      placeholder: 'DIR',
      description: "the ledger's home with --version (default: $EDITLEDGER_HOME, else ./.editledger)",
    },
    json: {
      type: 'boolean',
      description: 'print a JSON array: {prompt, completion, finishReason, promptTokens, tokens}',
    },
    'max-tokens': {
      type: 'integer',
      check: { ok: (n) => n >= 0, rule: 'a non-negative integer' },
      description: 'new tokens per prompt, EOS included (default: 32)',
    },
    temperature: {
      type: 'number',
      placeholder: 'T',
      check: { ok: (n) => n >= 0, rule: '>= 0' },
      description: '0 = greedy (default); > 0 samples from softmax(logits / T)',
    },
    'top-p': {
      type: 'number',
      placeholder: 'P',
      check: { ok: (n) => n > 0 && n <= 1, rule: 'in (0, 1]' },
      description: 'nucleus sampling mass in (0, 1] (default: 1)',
    },
    seed: {
      type: 'integer',
      placeholder: 'S',
      description: 'sampling seed (default: 0); prompt i uses stream (S, i)',
    },
    stop: {
      type: 'string',
      placeholder: 'STRING',
      multiple: true,
      description: 'stop when the continuation contains STRING; the text is cut before it',
    },
    'no-special-tokens': {
      type: 'boolean',
      description: "do not add the tokenizer's special tokens (e.g. BOS) to the prompts",
    },
  },
  positionals: { placeholder: 'PROMPT', min: 1, max: Infinity, expects: 'at least one prompt' },
  notes: 'The compute backend comes from EDITLEDGER_BACKEND (auto|tensorflow|wasm|wasm-blas|cpu; default auto).',
  async run({ flags, positionals, home, json }, io) {
    if ((flags.model === undefined) === (flags.version === undefined))
      throw new UsageError('give exactly one of --model DIR or --version V');
    // Loaded lazily: tfjs and the model code are only needed when the command actually runs.
    const { initBackend } = await import('../../../trainer/runtime/backend.ts');
    const { loadLlamaModel } = await import('../../../trainer/model/llama.ts');
    const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
    const { generate } = await import('../../../trainer/generate.ts');

    let dir = resolve(io.cwd, flags.model ?? '.');
    if (flags.version !== undefined) {
      const ref = flags.version;
      const { resolveVersionCheckpoint, modelExitCode } = await import('../model-session.ts');
      try {
        ({ dir } = await resolveVersionCheckpoint(io, home, ref));
      } catch (error) {
        throw new CommandFailure((await modelExitCode(error)) ?? ExitCode.failure, error, `--version ${ref}: `);
      }
    }
    const { model, tokenizer } = await exitingWith(
      () => ExitCode.invalidInput,
      async () => {
        const tokenizer = await loadHfTokenizer(dir);
        await initBackend();
        return { model: await loadLlamaModel(dir), tokenizer };
      },
      `cannot load model from ${dir}: `,
    );
    try {
      const results = await generate(model, tokenizer, [...positionals], {
        maxNewTokens: flags['max-tokens'],
        temperature: flags.temperature,
        topP: flags['top-p'],
        seed: flags.seed,
        stop: flags.stop,
        addSpecialTokens: !flags['no-special-tokens'],
      });
      if (json) {
        const out = results.map((r) => ({
          prompt: r.prompt,
          completion: r.text,
          finishReason: r.finishReason,
          promptTokens: r.promptIds.length,
          tokens: r.ids,
        }));
        io.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else if (results.length === 1) {
        io.stdout.write(`${results[0]!.prompt}${results[0]!.text}\n`);
      } else {
        for (const [i, r] of results.entries())
          io.stdout.write(`--- [${i}] (${r.finishReason})\n${r.prompt}${r.text}\n`);
      }
      return ExitCode.ok;
    } finally {
      model.dispose();
    }
  },
});
