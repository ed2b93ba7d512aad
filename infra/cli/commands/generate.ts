// `editledger generate --model DIR [options] "prompt" ...`: load a checkpoint folder and print continuations.
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';

const usage = `usage: editledger generate (--model DIR | --version V [--home DIR]) [--json] [--max-tokens N] [--temperature T] [--top-p P] [--seed S]
                          [--stop STRING ...] [--no-special-tokens] "prompt" ["prompt" ...]

Generates a continuation for each prompt (batched) with the model in DIR (config.json, model.safetensors or a
sharded index, tokenizer.json, tokenizer_config.json).

  --model DIR          checkpoint folder
  --version V          a materialized model version of the ledger: full id, a unique prefix, or #N
                       (the base plus that version's delta; a corrupt artifact is rebuilt from the ledger)
  --home DIR           the ledger's home with --version (default: $EDITLEDGER_HOME, else ./.editledger)
  --json               print a JSON array: {prompt, completion, finishReason, promptTokens, tokens}
  --max-tokens N       new tokens per prompt, EOS included (default 32)
  --temperature T      0 = greedy (default); > 0 samples from softmax(logits / T)
  --top-p P            nucleus sampling mass in (0, 1] (default 1)
  --seed S             sampling seed (default 0); prompt i uses stream (S, i)
  --stop STRING        stop when the continuation contains STRING (repeatable); the text is cut before it
  --no-special-tokens  do not add the tokenizer's special tokens (e.g. BOS) to the prompts
The compute backend comes from EDITLEDGER_BACKEND (auto|tensorflow|wasm|wasm-blas|cpu; default auto).
`;

function fail(io: CliIO, message: string): number {
  io.stderr.write(`editledger generate: ${message}\n\n${usage}`);
  return ExitCode.usage;
}

/** Parses a number flag, naming the flag in the error. */
function numberFlag(
  value: string | undefined,
  flag: string,
  check: (n: number) => boolean,
  rule: string,
): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n))
    return new Error(`--${flag}: ${rule}, got ${JSON.stringify(value)}`);
  return n;
}

export const command: CliCommand = {
  name: 'generate',
  summary: 'generate text with a checkpoint (greedy or sampled, batched prompts)',
  usage,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          model: { type: 'string' },
          version: { type: 'string' },
          home: { type: 'string' },
          json: { type: 'boolean', default: false },
          'max-tokens': { type: 'string' },
          temperature: { type: 'string' },
          'top-p': { type: 'string' },
          seed: { type: 'string' },
          stop: { type: 'string', multiple: true },
          'no-special-tokens': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (error) {
      return fail(io, error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(usage);
      return ExitCode.ok;
    }
    if ((values.model === undefined) === (values.version === undefined))
      return fail(io, 'give exactly one of --model DIR or --version V');
    if (positionals.length === 0) return fail(io, 'give at least one prompt');

    const maxNewTokens = numberFlag(
      values['max-tokens'],
      'max-tokens',
      (n) => Number.isInteger(n) && n >= 0,
      'must be a non-negative integer',
    );
    const temperature = numberFlag(values.temperature, 'temperature', (n) => n >= 0, 'must be >= 0');
    const topP = numberFlag(values['top-p'], 'top-p', (n) => n > 0 && n <= 1, 'must be in (0, 1]');
    const seed = numberFlag(values.seed, 'seed', (n) => Number.isSafeInteger(n), 'must be an integer');
    for (const v of [maxNewTokens, temperature, topP, seed]) if (v instanceof Error) return fail(io, v.message);

    // Loaded lazily: tfjs and the model code are only needed when the command actually runs.
    const { resolve } = await import('node:path');
    const { initBackend } = await import('../../../trainer/runtime/backend.ts');
    const { loadLlamaModel } = await import('../../../trainer/model/llama.ts');
    const { loadHfTokenizer } = await import('../../../trainer/tokenizer/hf-tokenizer.ts');
    const { generate } = await import('../../../trainer/generate.ts');

    let dir: string;
    if (values.version !== undefined) {
      const { resolveVersionCheckpoint, modelExitCode } = await import('../model-session.ts');
      try {
        ({ dir } = await resolveVersionCheckpoint(io, values.home, values.version));
      } catch (error) {
        io.stderr.write(
          `editledger generate: --version ${values.version}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return (await modelExitCode(error)) ?? ExitCode.failure;
      }
    } else {
      dir = resolve(io.cwd, values.model ?? '.');
    }
    let model;
    let tokenizer;
    try {
      tokenizer = await loadHfTokenizer(dir);
      await initBackend();
      model = await loadLlamaModel(dir);
    } catch (error) {
      io.stderr.write(
        `editledger generate: cannot load model from ${dir}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return ExitCode.invalidInput;
    }
    try {
      const results = await generate(model, tokenizer, positionals, {
        maxNewTokens: maxNewTokens as number | undefined,
        temperature: temperature as number | undefined,
        topP: topP as number | undefined,
        seed: seed as number | undefined,
        stop: values.stop ?? [],
        addSpecialTokens: !values['no-special-tokens'],
      });
      if (values.json) {
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
    } catch (error) {
      io.stderr.write(`editledger generate: ${error instanceof Error ? error.message : String(error)}\n`);
      return error instanceof Error && error.name === 'GenerateError' ? ExitCode.invalidInput : ExitCode.failure;
    } finally {
      model.dispose();
    }
  },
};
