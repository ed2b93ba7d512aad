// Recipes for a base model: the world it knows, the model's shape and the pretraining schedule. `base` is the model
// committed in models/base/ (sizes chosen by measuring throughput on the 2-core build machine; see its MODEL_CARD);
// `tiny` builds in well under a minute for tests and smoke runs.

import type { CorpusConfigInput } from '../basemodel/corpus.ts';
import type { WorldConfigInput } from '../basemodel/world.ts';
import type { BpeTrainerConfigInput } from '../tokenizer/bpe-trainer.ts';
import type { PretrainConfigInput } from './config.ts';

/** The shape of the Llama-style model; vocabulary size and special ids come from the tokenizer. */
export interface ModelShape {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly maxPositionEmbeddings: number;
  readonly ropeTheta: number;
  readonly rmsNormEps: number;
}

export interface BaseModelRecipe {
  readonly name: string;
  readonly world: WorldConfigInput;
  readonly corpus: CorpusConfigInput;
  readonly tokenizer: BpeTrainerConfigInput;
  readonly model: ModelShape;
  /** Steps are given as epochs over the corpus, converted once the corpus size is known. */
  readonly epochs: number;
  readonly pretrain: Omit<PretrainConfigInput, 'steps'>;
}

export const RECIPES = {
  base: {
    name: 'base',
    world: { seed: 1, countries: 6, citiesPerCountry: 5, organisations: 40, people: 260 },
    corpus: { edits: 1000, twoHopPretrainFraction: 0.25 },
    tokenizer: { vocabSize: 2048 },
    model: {
      hiddenSize: 128,
      intermediateSize: 344,
      numLayers: 8,
      numHeads: 4,
      numKvHeads: 2,
      maxPositionEmbeddings: 256,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
    },
    epochs: 28,
    pretrain: { seed: 1, batchSize: 64, peakLr: 5e-3, weightDecay: 0.01, checkpointEvery: 200 },
  },
  tiny: {
    name: 'tiny',
    world: { seed: 7, countries: 3, citiesPerCountry: 3, organisations: 6, people: 30 },
    corpus: { edits: 20 },
    tokenizer: { vocabSize: 512 },
    model: {
      hiddenSize: 64,
      intermediateSize: 176,
      numLayers: 2,
      numHeads: 2,
      numKvHeads: 1,
      maxPositionEmbeddings: 128,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
    },
    epochs: 60,
    pretrain: { seed: 1, batchSize: 32, peakLr: 5e-3, checkpointEvery: 100, logEvery: 10 },
  },
} as const satisfies Record<string, BaseModelRecipe>;
export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];

/** The Hugging Face config.json of a recipe's model (LlamaForCausalLM), given the tokenizer's vocabulary and ids. */
export function hfModelConfig(
  shape: ModelShape,
  tokenizer: { vocabSize: number; bosId: number; eosId: number; padId: number },
  initializerRange: number,
): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: tokenizer.vocabSize,
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.numLayers,
    num_attention_heads: shape.numHeads,
    num_key_value_heads: shape.numKvHeads,
    head_dim: shape.hiddenSize / shape.numHeads,
    hidden_act: 'silu',
    max_position_embeddings: shape.maxPositionEmbeddings,
    rms_norm_eps: shape.rmsNormEps,
    rope_theta: shape.ropeTheta,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    tie_word_embeddings: false,
    initializer_range: initializerRange,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.padId,
    torch_dtype: 'float32',
    use_cache: true,
  };
}
