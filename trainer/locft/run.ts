// One LocFT run from a checkpoint folder: load the base and its tokenizer, hash it, train, build the delta
// artifact and (with outDir) write it. The CLI and the trainer consumer call this; tests call trainLocft directly.
import { checkpointHash, readHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import { LlamaModel } from '../model/llama.ts';
import { initBackend } from '../runtime/backend.ts';
import type { BackendChoice } from '../runtime/backend.ts';
import { loadHfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import type { LocftHyperParamsInput, LocftRunOptionsInput } from './config.ts';
import { buildDeltaArtifact, writeDeltaArtifact } from './delta-artifact.ts';
import type { DeltaArtifact } from './delta-artifact.ts';
import type { EditText } from './encode.ts';
import { trainLocft } from './trainer.ts';
import type { LocftProgress, LocftTrainResult } from './trainer.ts';

export interface RunLocftInput {
  readonly modelDir: string;
  readonly edits: readonly EditText[];
  readonly hyperParams: LocftHyperParamsInput;
  readonly options?: LocftRunOptionsInput;
  /** Write delta.safetensors + manifest.json here. */
  readonly outDir?: string;
  /** The ledger's edit-set hash, when the caller has one; default: hash of the edits' {prompt, target} in order. */
  readonly editSetHash?: string;
  /** Default: whatever initBackend() picks (EDITLEDGER_BACKEND, else auto). */
  readonly backend?: BackendChoice;
  readonly onProgress?: (progress: LocftProgress) => void;
}

export interface RunLocftOutput {
  readonly result: LocftTrainResult;
  readonly artifact: DeltaArtifact;
  readonly baseHash: string;
  readonly paths?: { readonly deltaPath: string; readonly manifestPath: string };
}

export async function runLocft(input: RunLocftInput): Promise<RunLocftOutput> {
  await (input.backend === undefined ? initBackend() : initBackend(input.backend));
  const [checkpoint, tokenizer, baseHash] = await Promise.all([
    readHfCheckpoint(input.modelDir),
    loadHfTokenizer(input.modelDir),
    checkpointHash(input.modelDir),
  ]);
  const model = LlamaModel.fromHostTensors(checkpoint.config, checkpoint.tensors);
  try {
    const result = await trainLocft({
      model,
      tokenizer,
      baseHash,
      edits: input.edits,
      hyperParams: input.hyperParams,
      ...(input.options !== undefined && { options: input.options }),
      ...(input.onProgress !== undefined && { onProgress: input.onProgress }),
    });
    const artifact = buildDeltaArtifact(result, {
      baseHash,
      edits: input.edits,
      ...(input.editSetHash !== undefined && { editSetHash: input.editSetHash }),
    });
    const paths = input.outDir === undefined ? undefined : await writeDeltaArtifact(input.outDir, artifact);
    return { result, artifact, baseHash, ...(paths && { paths }) };
  } finally {
    model.dispose();
  }
}
