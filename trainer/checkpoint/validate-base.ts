// Checks a base checkpoint folder before `model register` records it (issue 18 point 5): a base that cannot be
// loaded, tokenized or run must be refused at registration, naming the file, not discovered at `materialize`.
// In order, cheapest first:
//   1. the folder exists (a missing folder is "not found", not "invalid");
//   2. every weight file parses (safetensors header, data length) and every tensor has the shape config.json
//      implies (readHfCheckpoint does both);
//   3. every weight is finite: a flipped exponent bit turns a weight into NaN/Inf, which trains to NaN;
//   4. the tokenizer loads and round-trips a probe sentence;
//   5. a one-token forward pass (one generated token) runs on the active backend.
import { stat } from 'node:fs/promises';
import { EditledgerError, InvalidFieldError } from '../../domain/errors.ts';
import { CheckpointError, readHfCheckpoint } from './hf-checkpoint.ts';
import type { HfCheckpoint } from './hf-checkpoint.ts';
import { SafetensorsError } from './safetensors-header.ts';

const PROBE = 'The capital of France is Paris.';

/** A missing checkpoint folder: exit 4 (not found) in the CLI, with the path in the message. */
export class CheckpointFolderNotFoundError extends EditledgerError {
  override readonly name = 'CheckpointFolderNotFoundError';
  readonly code = 'checkpoint_folder_not_found';
  readonly kind = 'not_found' as const;
  override readonly field = 'dir';
  constructor(readonly dir: string) {
    super(
      `dir: ${dir} does not exist (expected a Hugging Face checkpoint folder: config.json, model.safetensors, tokenizer.json)`,
    );
  }
}

function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

async function readChecked(folder: string): Promise<HfCheckpoint> {
  try {
    return await readHfCheckpoint(folder);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof CheckpointError || error instanceof SafetensorsError) {
      const file = /(config\.json|model\.safetensors(?:\.index\.json)?|model-\d+-of-\d+\.safetensors)/.exec(message);
      throw new InvalidFieldError(file?.[1] ?? 'model.safetensors', message);
    }
    throw error;
  }
}

/** Throws InvalidFieldError naming the file at fault, or CheckpointFolderNotFoundError; resolves when usable. */
export async function validateBaseCheckpoint(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new CheckpointFolderNotFoundError(folder);

  const checkpoint = await readChecked(folder);
  for (const [name, tensor] of checkpoint.tensors) {
    const at = firstNonFinite(tensor.data);
    if (at >= 0)
      throw new InvalidFieldError(
        'model.safetensors',
        `tensor "${name}" holds a non-finite value (${tensor.data[at]}) at element ${at}: the weights are damaged`,
      );
  }

  const { loadHfTokenizer } = await import('../tokenizer/hf-tokenizer.ts');
  let tokenizer;
  try {
    tokenizer = await loadHfTokenizer(folder);
  } catch (error) {
    throw new InvalidFieldError('tokenizer.json', error instanceof Error ? error.message : String(error));
  }
  const ids = tokenizer.encode(PROBE, { addSpecialTokens: false });
  const decoded = tokenizer.decode(ids);
  if (ids.length === 0 || decoded.trim() !== PROBE)
    throw new InvalidFieldError('tokenizer.json', `does not round-trip "${PROBE}" (decoded "${decoded}")`);
  const tooLarge = ids.find((id) => id >= checkpoint.config.vocabSize);
  if (tooLarge !== undefined)
    throw new InvalidFieldError(
      'tokenizer.json',
      `gives token id ${tooLarge}, beyond the model's vocabulary (vocab_size ${checkpoint.config.vocabSize})`,
    );

  const { initBackend } = await import('../runtime/backend.ts');
  const { LlamaModel } = await import('../model/llama.ts');
  const { generateIds } = await import('../generate.ts');
  await initBackend();
  const model = LlamaModel.fromHostTensors(checkpoint.config, checkpoint.tensors);
  try {
    const [out] = await generateIds(model, [ids.slice(0, 8)], { maxNewTokens: 1 });
    if (out === undefined || out.ids.length === 0)
      throw new InvalidFieldError('model.safetensors', 'a one-token forward pass produced no token');
  } finally {
    model.dispose();
  }
}
