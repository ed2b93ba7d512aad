// The VersionEditor the trainer consumer uses: LocFT-BF training (trainer/locft) and the evaluation table
// (trainer/eval), adapted to the ledger's vocabulary:
//   TrainingPolicy (ledger)  -> LocFT hyper-parameters (rewrite module model.layers.{layer}.{module}.weight, Adam,
//                               lr, batch size, epochs, loss threshold, seed, breadth-first)
//   active edit set          -> edits {prompt, target} in training order (content order; the shuffle permutes it)
//   LocFT run                -> delta.safetensors (deterministic bytes) + manifest.json (how it was made)
//   evaluation report        -> the version's named metrics (reliability, generalization, locality, capability, ...)
// An empty edit set is a valid version: the base itself (its untouched tensor as the delta, no training).
import { defineError } from '../../domain/errors.ts';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingPolicy } from '../../domain/events.ts';
import { policyHashOf } from '../../domain/model-version.ts';
import { readHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import { loadCapabilityProbes } from '../eval/eval-set.ts';
import type { EvalEdit } from '../eval/eval-set.ts';
import { evaluateEdits } from '../eval/evaluate.ts';
import type { EvalReport } from '../eval/metric-table.ts';
import type { LocftHyperParamsInput } from '../locft/config.ts';
import { DELTA_FILE, MANIFEST_FILE, buildDeltaArtifact, serializeDelta } from '../locft/delta-artifact.ts';
import { libraryVersions } from '../locft/library-versions.ts';
import { trainLocft } from '../locft/trainer.ts';
import { LlamaModel } from '../model/llama.ts';
import { initBackend } from '../runtime/backend.ts';
import type { BackendChoice } from '../runtime/backend.ts';
import { loadHfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import type { Metrics } from '../../domain/model-version.ts';
import type { EvaluateRequest, TrainRequest, TrainedDelta, VersionEditor } from '../../domain/ports/model-editor.ts';
import { readVersionCheckpoint } from './version-model.ts';

export interface LocftEditorOptions {
  /** Compute backend; default: whatever initBackend() picks (EDITLEDGER_BACKEND, else auto). */
  readonly backend?: BackendChoice;
  /** Persist frozen activations here across runs (e.g. <home>/cache/activations); default: memory only. */
  readonly cacheDir?: string;
  /** Held-out lines / unedited facts used for capability. Default 64 each. */
  readonly capabilityLines?: number;
  readonly capabilityFacts?: number;
}

export class PolicyNotSupportedError extends defineError(
  'policy_not_supported',
  'invalid_input',
  (field: string, message: string) => ({ message: `policy.${field}: ${message}`, field }),
) {}

export function tunedParameterName(policy: Pick<TrainingPolicy, 'layer' | 'module'>): string {
  return `model.layers.${policy.layer}.${policy.module}.weight`;
}

/** The ledger's policy as LocFT hyper-parameters; what LocFT cannot express is a typed error, not a silent change. */
export function hyperParamsOf(policy: TrainingPolicy): LocftHyperParamsInput {
  if (policy.method !== 'locft-bf')
    throw new PolicyNotSupportedError('method', `${String(policy.method)} is not supported`);
  if (!policy.appendEos) throw new PolicyNotSupportedError('appendEos', 'LocFT always appends EOS to targets');
  if (policy.stopLoss !== policy.skipBatchLoss)
    throw new PolicyNotSupportedError(
      'skipBatchLoss',
      `LocFT uses one threshold for skipping batches and stopping; got ${policy.skipBatchLoss} and ${policy.stopLoss}`,
    );
  if (policy.seed < 0 || policy.seed > 0xffffffff) throw new PolicyNotSupportedError('seed', 'must be in [0, 2^32)');
  return {
    rewriteModules: [`model.layers.{}.${policy.module}.weight`],
    layers: [policy.layer],
    lr: policy.lr,
    weightDecay: 0,
    batchSize: policy.batchSize,
    epochs: policy.epochs,
    lossThreshold: policy.stopLoss,
    seed: policy.seed,
    schedule: 'breadth-first',
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
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
    const hyperParams = hyperParamsOf(request.policy);
    if (request.edits.length === 0) return this.baseAsVersion(request, backend, started);

    const [checkpoint, tokenizer] = await Promise.all([
      readHfCheckpoint(request.baseDir),
      loadHfTokenizer(request.baseDir),
    ]);
    if (request.policy.layer >= checkpoint.config.numLayers)
      throw new PolicyNotSupportedError(
        'layer',
        `${request.policy.layer} is out of range; the model has ${checkpoint.config.numLayers} layers`,
      );
    const model = LlamaModel.fromHostTensors(checkpoint.config, checkpoint.tensors);
    const edits = request.edits.map((e) => ({ prompt: e.prompt, target: e.target }));
    try {
      const result = await trainLocft({
        model,
        tokenizer,
        baseHash: request.baseHash,
        edits,
        hyperParams,
        options: {
          activationCache: 'auto',
          engine: request.engine ?? 'auto',
          ...(this.options.cacheDir !== undefined && { cacheDir: this.options.cacheDir }),
        },
        onProgress: (p) => {
          if (p.phase !== 'train' || p.done === true) return;
          request.onProgress?.({
            epoch: p.epoch,
            epochs: p.epochs,
            batch: p.batch,
            batches: p.batches,
            loss: p.loss,
            elapsedMs: Date.now() - started,
            etaMs: p.etaMs,
          });
        },
      });
      const last = result.lossCurve.at(-1);
      request.onProgress?.({
        epoch: result.epochs,
        epochs: request.policy.epochs,
        batch: 1,
        batches: 1,
        loss: last ?? 0,
        elapsedMs: Date.now() - started,
        etaMs: 0,
        done: true,
      });
      const artifact = buildDeltaArtifact(result, {
        baseHash: request.baseHash,
        edits,
        editSetHash: request.trainingSetHash,
      });
      return {
        primary: DELTA_FILE,
        files: new Map([
          [DELTA_FILE, artifact.delta],
          [
            MANIFEST_FILE,
            Buffer.from(
              JSON.stringify(
                { ...artifact.manifest, policy: request.policy, policyHash: policyHashOf(request.policy) },
                null,
                2,
              ) + '\n',
            ),
          ],
        ]),
        epochs: result.epochs,
        finalLoss: last,
        backend: result.backend,
      };
    } finally {
      model.dispose();
    }
  }

  /** The version of an empty edit set: the tuned tensor exactly as in the base. */
  private async baseAsVersion(request: TrainRequest, backend: string, started: number): Promise<TrainedDelta> {
    const checkpoint = await readHfCheckpoint(request.baseDir);
    const name = tunedParameterName(request.policy);
    const tensor = checkpoint.tensors.get(name);
    if (tensor === undefined)
      throw new PolicyNotSupportedError(
        'module',
        `"${request.policy.module}" names no parameter (${name} is not in the checkpoint)`,
      );
    const delta = serializeDelta(new Map([[name, tensor]]), {
      baseHash: request.baseHash,
      editSetHash: request.trainingSetHash,
      hyperParamsHash: policyHashOf(request.policy),
    });
    const manifest = {
      format: 'editledger-base-version/1',
      deltaFile: DELTA_FILE,
      deltaSha256: createHash('sha256').update(delta).digest('hex'),
      baseHash: request.baseHash,
      editSetHash: request.trainingSetHash,
      policy: request.policy,
      policyHash: policyHashOf(request.policy),
      backend,
      libraries: libraryVersions(),
      edits: 0,
      epochs: 0,
      note: 'empty edit set: the base model itself, no training',
      durationMs: Date.now() - started,
      createdAt: new Date().toISOString(),
    };
    return {
      primary: DELTA_FILE,
      files: new Map([
        [DELTA_FILE, delta],
        [MANIFEST_FILE, Buffer.from(JSON.stringify(manifest, null, 2) + '\n')],
      ]),
      epochs: 0,
      finalLoss: undefined,
      backend,
    };
  }

  /**
   * trainer/eval's table for base vs edited on the edits' own probes, flattened to the version's metrics:
   *   reliability / generalization   greedy exact match (authors), edited model
   *   reliabilityTf / generalizationTf   teacher-forced top-1 (EasyEdit)
   *   locality                        share of locality answers unchanged from the base
   *   capability                      unedited-fact recall relative to the base when the base ships unedited.json,
   *                                   else base / edited perplexity on held-out text (1 = unchanged, < 1 = worse)
   * plus the raw capability numbers (perplexity, uneditedFactAccuracy, and their *Base values).
   */
  async evaluate(request: EvaluateRequest): Promise<Metrics> {
    await this.backend();
    const deltaBytes = request.artifact.files.get(DELTA_FILE);
    if (deltaBytes === undefined) throw new Error(`artifact ${request.artifact.sha256}: no ${DELTA_FILE}`);
    const [base, edited, tokenizer] = await Promise.all([
      readHfCheckpoint(request.baseDir),
      readVersionCheckpoint(request.baseDir, deltaBytes),
      loadHfTokenizer(request.baseDir),
    ]);
    const edits: EvalEdit[] = request.edits.map((e) => ({
      prompt: e.prompt,
      target: e.target,
      rephrase: e.rephrase,
      locality: e.locality,
    }));
    const heldout = join(request.baseDir, 'heldout.txt');
    const facts = join(request.baseDir, 'unedited.json');
    const capability = await loadCapabilityProbes(
      { ...((await exists(heldout)) && { heldout }), ...((await exists(facts)) && { facts }) },
      edits,
      { lines: this.options.capabilityLines ?? 64, facts: this.options.capabilityFacts ?? 64 },
    );
    const baseModel = LlamaModel.fromHostTensors(base.config, base.tensors);
    const editedModel = LlamaModel.fromHostTensors(edited.config, edited.tensors);
    try {
      return metricsOf(
        await evaluateEdits({
          base: baseModel,
          edited: editedModel,
          tokenizer,
          edits,
          capability,
          ...(request.onPhase !== undefined && { onPhase: request.onPhase }),
        }),
      );
    } finally {
      baseModel.dispose();
      editedModel.dispose();
    }
  }
}

/** The version's metrics from an evaluation report (null rows, i.e. nothing to measure, are left out). */
export function metricsOf(report: EvalReport): Record<string, number> {
  const m = report.metrics;
  const out: Record<string, number> = {};
  const put = (name: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined && Number.isFinite(value)) out[name] = value;
  };
  put('reliability', m.reliability.edited);
  put('reliabilityBase', m.reliability.base);
  put('generalization', m.generalization.edited);
  put('reliabilityTf', m.reliabilityTf.edited);
  put('generalizationTf', m.generalizationTf.edited);
  put('locality', m.localityUnchanged.edited);
  put('localityAccuracy', m.localityAccuracy.edited);
  put('portability', m.portability.edited);
  put('perplexity', m.perplexity.edited);
  put('perplexityBase', m.perplexity.base);
  put('uneditedFactAccuracy', m.uneditedFactAccuracy.edited);
  put('uneditedFactAccuracyBase', m.uneditedFactAccuracy.base);
  const factsBase = m.uneditedFactAccuracy.base;
  const factsEdited = m.uneditedFactAccuracy.edited;
  if (factsBase !== null && factsEdited !== null && factsBase > 0) put('capability', factsEdited / factsBase);
  else if (m.perplexity.base !== null && m.perplexity.edited !== null && m.perplexity.edited > 0)
    put('capability', m.perplexity.base / m.perplexity.edited);
  return out;
}
