// The VersionEditor the trainer consumer uses: LocFT-BF training of ONE weight matrix and the version's evaluation.
//
// INTERIM: trainer/locft (the LocFT-BF issue) had not published its train/eval API when this was written, so this
// file carries a compact, exact LocFT-BF loop behind the consumer's port; swapping in trainer/locft's trainer and
// trainer/eval's metric table changes only this file. The recipe, as the authors run it:
// - trainable: model.layers.{layer}.{module}.weight only; everything else frozen;
// - target gets a leading space if it lacks one and the tokenizer's EOS appended; loss = token cross-entropy over
//   target tokens only (prompt and padding masked), averaged per sample, then over the batch;
// - breadth-first: each epoch shuffles all edits with a seeded RNG and walks them in mini-batches; a batch whose
//   loss is already below skipBatchLoss makes no update; stop when the epoch mean loss < stopLoss;
// - Adam (PyTorch defaults: betas 0.9/0.999, eps 1e-8), no weight decay.
// Same (base, edits, policy, backend) -> same float32 bytes: fixed op order, seeded shuffles, deterministic kernels.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingPolicy } from '../../domain/events.ts';
import { policyHashOf } from '../../domain/model-version.ts';
import type { ActiveEdit } from '../../projections/edit-set.ts';
import { readHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../checkpoint/safetensors.ts';
import { exactMatch } from '../eval/normalize.ts';
import { generate } from '../generate.ts';
import { LlamaModel, createContext, tokenIds } from '../model/llama.ts';
import { initBackend, tf } from '../runtime/backend.ts';
import type { BackendChoice } from '../runtime/backend.ts';
import { pickLastDim } from '../runtime/ops.ts';
import { loadHfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import { DELTA_MANIFEST } from './materializer.ts';
import type { EvaluateRequest, Metrics, TrainRequest, TrainedDelta, VersionEditor } from './ports.ts';
import { DELTA_FILE, applyDelta, parseDelta, serializeDelta } from './version-model.ts';

export interface LocftEditorOptions {
  /** Compute backend; default: whatever initBackend() picks (EDITLEDGER_BACKEND, else auto). */
  readonly backend?: BackendChoice;
  /** Greedy answer budget in evaluation. Default 32 tokens (the authors'). */
  readonly maxAnswerTokens?: number;
  /** Held-out text lines used for the capability (perplexity) check. Default: the base folder's heldout.txt. */
  readonly capabilityLines?: number;
}

interface Sample {
  /** prompt + target tokens, without the last one (the model input). */
  readonly input: number[];
  /** The next token at every input position. */
  readonly labels: number[];
  /** 1 where the label is a target token. */
  readonly targetMask: number[];
}

/** mulberry32: small, well-mixed, and the same in every JavaScript engine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export function tunedParameterName(policy: Pick<TrainingPolicy, 'layer' | 'module'>): string {
  return `model.layers.${policy.layer}.${policy.module}.weight`;
}

function encodeSample(tokenizer: HfTokenizer, prompt: string, target: string, appendEos: boolean, where: string): Sample {
  const promptIds = tokenizer.encode(prompt, { addSpecialTokens: true });
  const spaced = target.startsWith(' ') ? target : ` ${target}`;
  const targetIds = tokenizer.encode(spaced, { addSpecialTokens: false });
  if (appendEos) {
    if (tokenizer.eosTokenId === null) throw new Error(`${where}: the tokenizer has no EOS token to append`);
    targetIds.push(tokenizer.eosTokenId);
  }
  if (promptIds.length === 0) throw new Error(`${where}.prompt: encodes to no tokens`);
  if (targetIds.length === 0) throw new Error(`${where}.target: encodes to no tokens`);
  const all = [...promptIds, ...targetIds];
  return {
    input: all.slice(0, -1),
    labels: all.slice(1),
    targetMask: all.slice(1).map((_, i) => (i + 1 >= promptIds.length ? 1 : 0)),
  };
}

/** Mean over the batch of each sample's mean target-token cross-entropy. */
function batchLoss(model: LlamaModel, samples: readonly Sample[], padId: number): tf.Scalar {
  const width = Math.max(...samples.map((s) => s.input.length));
  const pad = (row: readonly number[], value: number) => [...row, ...new Array<number>(width - row.length).fill(value)];
  const ids = tokenIds(samples.map((s) => pad(s.input, padId)), model.config.vocabSize);
  const ctx = createContext(model.config, { attentionMask: samples.map((s) => pad(s.input.map(() => 1), 0)) });
  try {
    const weights = samples.map((s) => {
      const count = s.targetMask.reduce((a, b) => a + b, 0);
      return pad(s.targetMask.map((m) => m / count / samples.length), 0);
    });
    return tf.tidy(() => {
      const logp = tf.logSoftmax(model.forward(ids, ctx));
      const picked = pickLastDim(logp, tf.tensor2d(samples.map((s) => pad(s.labels, 0)), [samples.length, width], 'int32'));
      return tf.neg(tf.sum(tf.mul(picked, tf.tensor2d(weights, [samples.length, width])))) as tf.Scalar;
    });
  } finally {
    ids.dispose();
    ctx.dispose();
  }
}

export class LocftEditor implements VersionEditor {
  constructor(private readonly options: LocftEditorOptions = {}) {}

  private async backend(): Promise<string> {
    const info = this.options.backend === undefined ? await initBackend() : await initBackend(this.options.backend);
    return info.name;
  }

  async train(request: TrainRequest): Promise<TrainedDelta> {
    const started = Date.now();
    const backend = await this.backend();
    const { policy } = request;
    if (policy.method !== 'locft-bf') throw new Error(`policy.method: ${String(policy.method)} is not supported`);
    const checkpoint = await readHfCheckpoint(request.baseDir);
    if (policy.layer >= checkpoint.config.numLayers) throw new Error(`policy.layer: ${policy.layer} is out of range; the model has ${checkpoint.config.numLayers} layers`);
    const name = tunedParameterName(policy);
    const original = checkpoint.tensors.get(name);
    if (original === undefined) throw new Error(`policy.module: "${policy.module}" names no parameter (${name} is not in the checkpoint)`);

    const lossCurve: number[] = [];
    let tuned: HostTensor = { shape: [...original.shape], data: new Float32Array(original.data) };
    let epochs = 0;
    if (request.edits.length > 0) {
      const tokenizer = await loadHfTokenizer(request.baseDir);
      const samples = request.edits.map((e, i) => encodeSample(tokenizer, e.prompt, e.target, policy.appendEos, `edits[${i}]`));
      const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
      const model = LlamaModel.fromHostTensors(checkpoint.config, checkpoint.tensors);
      const variable = tf.variable(model.param(name), true, `locft/${name}`);
      model.weights.get(name)!.dispose();
      model.weights.set(name, variable);
      const optimizer = tf.train.adam(policy.lr, 0.9, 0.999, 1e-8);
      const next = rng(policy.seed);
      const batches = Math.ceil(samples.length / policy.batchSize);
      try {
        for (let epoch = 0; epoch < policy.epochs; epoch++) {
          const order = shuffled(samples.length, next);
          let sum = 0;
          for (let b = 0; b < batches; b++) {
            const batch = order.slice(b * policy.batchSize, (b + 1) * policy.batchSize).map((i) => samples[i]!);
            const { value, grads } = tf.variableGrads(() => batchLoss(model, batch, padId), [variable]);
            const loss = (await value.data())[0]!;
            if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch + 1}`);
            if (loss >= policy.skipBatchLoss) optimizer.applyGradients([{ name: variable.name, tensor: grads[variable.name]! }]);
            tf.dispose([value, ...Object.values(grads)]);
            sum += loss;
            const elapsedMs = Date.now() - started;
            const done = epoch * batches + b + 1;
            request.onProgress?.({
              epoch: epoch + 1, epochs: policy.epochs, batch: b + 1, batches, loss: sum / (b + 1), elapsedMs,
              etaMs: (elapsedMs / done) * (policy.epochs * batches - done),
            });
          }
          epochs = epoch + 1;
          lossCurve.push(sum / batches);
          if (sum / batches < policy.stopLoss) break;
        }
        const last = lossCurve.at(-1) ?? 0;
        request.onProgress?.({ epoch: epochs, epochs: policy.epochs, batch: batches, batches, loss: last, elapsedMs: Date.now() - started, etaMs: 0, done: true });
        tuned = { shape: [...original.shape], data: new Float32Array(await variable.data()) };
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    }
    const policyHash = policyHashOf(policy);
    const delta = serializeDelta(new Map([[name, tuned]]), { baseHash: request.baseHash, editSetHash: request.editSetHash, policyHash });
    const manifest = {
      format: 'editledger-delta-manifest/1',
      deltaSha256: createHash('sha256').update(delta).digest('hex'),
      baseHash: request.baseHash,
      editSetHash: request.editSetHash,
      policy,
      policyHash,
      tensors: [name],
      edits: request.edits.length,
      epochs,
      lossCurve,
      backend,
      tfjs: tf.version_core,
      node: process.version,
      durationMs: Date.now() - started,
      trainer: 'trainer/consumer/locft-editor.ts (interim LocFT-BF)',
    };
    return {
      primary: DELTA_FILE,
      files: new Map([
        [DELTA_FILE, delta],
        [DELTA_MANIFEST, Buffer.from(JSON.stringify(manifest, null, 2) + '\n')],
      ]),
      epochs,
      finalLoss: lossCurve.at(-1),
      backend,
    };
  }

  /**
   * Reliability / Generalization: normalized exact match of the greedy answer (stop at "." or newline) on the
   * edit prompts / rephrase prompts. Locality: share of locality prompts whose greedy answer is unchanged from the
   * base model. Capability: recall of unedited facts relative to the base when the base ships unedited.json,
   * else base perplexity / edited perplexity on held-out text (1 = unchanged, < 1 = worse).
   */
  async evaluate(request: EvaluateRequest): Promise<Metrics> {
    await this.backend();
    const base = await readHfCheckpoint(request.baseDir);
    const deltaBytes = request.artifact.files.get(DELTA_FILE);
    if (deltaBytes === undefined) throw new Error(`artifact ${request.artifact.sha256}: no ${DELTA_FILE}`);
    const edited = applyDelta(base, parseDelta(deltaBytes));
    const tokenizer = await loadHfTokenizer(request.baseDir);
    const baseModel = LlamaModel.fromHostTensors(base.config, base.tensors);
    const editedModel = LlamaModel.fromHostTensors(edited.config, edited.tensors);
    try {
      const answers = async (model: LlamaModel, prompts: readonly string[]) =>
        prompts.length === 0 ? [] : (await generate(model, tokenizer, prompts, { maxNewTokens: this.options.maxAnswerTokens ?? 32, stop: ['.', '\n'] })).map((g) => g.text);
      const metrics: Record<string, number> = {};
      const rate = (flags: readonly boolean[]) => flags.filter(Boolean).length / flags.length;
      const edits = request.edits;
      if (edits.length > 0) {
        const reliable = await answers(editedModel, edits.map((e) => e.prompt));
        metrics['reliability'] = rate(reliable.map((a, i) => exactMatch(a, edits[i]!.target)));
        const rephrase = edits.flatMap((e) => e.rephrase.map((prompt) => ({ prompt, target: e.target })));
        if (rephrase.length > 0) {
          const general = await answers(editedModel, rephrase.map((r) => r.prompt));
          metrics['generalization'] = rate(general.map((a, i) => exactMatch(a, rephrase[i]!.target)));
        }
        const locality = edits.flatMap((e) => e.locality.map((l) => l.prompt));
        if (locality.length > 0) {
          const before = await answers(baseModel, locality);
          const after = await answers(editedModel, locality);
          metrics['locality'] = rate(after.map((a, i) => a.trim() === before[i]!.trim()));
        }
      }
      const heldout = await this.heldoutText(request.baseDir, edits);
      if (heldout.length > 0) {
        const basePpl = perplexity(baseModel, tokenizer, heldout);
        const editedPpl = perplexity(editedModel, tokenizer, heldout);
        metrics['perplexityBase'] = basePpl;
        metrics['perplexity'] = editedPpl;
        metrics['capability'] = basePpl / editedPpl;
      }
      // Facts no edit touches (a base built from the project's world ships them): recall before and after.
      const unedited = (await this.uneditedFacts(request.baseDir)).filter((f) => !edits.some((e) => e.prompt === f.prompt));
      if (unedited.length > 0) {
        const before = await answers(baseModel, unedited.map((f) => f.prompt));
        const after = await answers(editedModel, unedited.map((f) => f.prompt));
        const baseAccuracy = rate(before.map((a, i) => exactMatch(a, unedited[i]!.answer)));
        metrics['uneditedRecallBase'] = baseAccuracy;
        metrics['uneditedRecall'] = rate(after.map((a, i) => exactMatch(a, unedited[i]!.answer)));
        // Capability = unedited-fact recall relative to the base (1 = nothing forgotten), when there is some.
        if (baseAccuracy > 0) metrics['capability'] = metrics['uneditedRecall']! / baseAccuracy;
      }
      return metrics;
    } finally {
      baseModel.dispose();
      editedModel.dispose();
    }
  }

  /** unedited.json of the base folder ({prompt, ground_truth} records, first lines), or nothing. */
  private async uneditedFacts(baseDir: string): Promise<Array<{ prompt: string; answer: string }>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(join(baseDir, 'unedited.json'), 'utf8'));
    } catch {
      return [];
    }
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((r): r is { prompt: string; ground_truth: string } => typeof r?.prompt === 'string' && typeof r?.ground_truth === 'string')
      .slice(0, this.options.capabilityLines ?? 64)
      .map((r) => ({ prompt: r.prompt, answer: r.ground_truth }));
  }

  /** heldout.txt of the base folder (first lines), else the edits' locality prompts with their known answers. */
  private async heldoutText(baseDir: string, edits: readonly ActiveEdit[]): Promise<string[]> {
    const lines = this.options.capabilityLines ?? 64;
    try {
      const text = await readFile(join(baseDir, 'heldout.txt'), 'utf8');
      return text.split('\n').filter((l) => l.trim().length > 0).slice(0, lines);
    } catch {
      return edits.flatMap((e) => e.locality.filter((l) => l.answer !== undefined).map((l) => `${l.prompt} ${l.answer}`)).slice(0, lines);
    }
  }
}

/** exp(mean NLL) over every next-token prediction of the lines (each with the tokenizer's special tokens). */
function perplexity(model: LlamaModel, tokenizer: HfTokenizer, lines: readonly string[]): number {
  let nll = 0;
  let count = 0;
  const chunk = 32;
  for (let start = 0; start < lines.length; start += chunk) {
    const rows = lines.slice(start, start + chunk).map((l) => tokenizer.encode(l, { addSpecialTokens: true })).filter((ids) => ids.length >= 2);
    if (rows.length === 0) continue;
    const samples: Sample[] = rows.map((ids) => ({ input: ids.slice(0, -1), labels: ids.slice(1), targetMask: ids.slice(1).map(() => 1) }));
    const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
    const tokens = samples.reduce((a, s) => a + s.labels.length, 0);
    // batchLoss averages per sample; weight back to a per-token sum.
    for (const s of samples) {
      const loss = batchLoss(model, [s], padId);
      nll += loss.dataSync()[0]! * s.labels.length;
      loss.dispose();
    }
    count += tokens;
  }
  return count === 0 ? 1 : Math.exp(nll / count);
}
