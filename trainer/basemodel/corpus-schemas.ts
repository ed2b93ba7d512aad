// Record shapes of the world's output files (zod = the single source of truth; types are inferred).
// Consumers (pretraining, evaluation, eval:paper) parse the files with these schemas.

import { z } from 'zod';
import { CHAIN_IDS, type ChainId, RELATION_IDS, type RelationId } from './world.ts';

const relationId = z.enum(RELATION_IDS as [RelationId, ...RelationId[]]);
const chainId = z.enum(CHAIN_IDS as [ChainId, ...ChainId[]]);
const text = z.string().min(1);

/** A prompt and the answer expected after it (answer without leading space, as in CounterFact). */
export const ProbeSchema = z.strictObject({
  prompt: text,
  ground_truth: text,
  subject: text,
  relation: relationId,
});
export type Probe = z.infer<typeof ProbeSchema>;

/**
 * A two-hop probe. `edited_hop` says which hop the edit changed: 1 = the probe's subject is the edited subject and
 * the answer follows its new object; 2 = the probe's subject reaches the edited subject in one hop. `ground_truth`
 * is the chain's answer in the world with ALL edits of the set applied; only probes whose answer differs from the
 * unedited world's are kept (an unchanged answer would not test the edit). `in_pretraining` tells whether the
 * unedited two-hop statement for this subject and chain was in the pretraining corpus (then the model memorised
 * the old answer rather than composing it).
 */
export const PortabilityProbeSchema = z.strictObject({
  prompt: text,
  ground_truth: text,
  subject: text,
  chain: chainId,
  edited_hop: z.union([z.literal(1), z.literal(2)]),
  in_pretraining: z.boolean(),
});
export type PortabilityProbe = z.infer<typeof PortabilityProbeSchema>;

/**
 * One counterfactual edit in LocFT's CounterFact JSON shape (the first 8 keys), plus extras other tools ignore.
 * - prompt: a pretraining-seen template for this fact; rephrase_prompt: this fact's held-out probe template.
 * - target_new / ground_truth: entity names without a leading space (LocFT prepends " " and appends EOS).
 * - locality_prompt / locality_ground_truth: an unedited fact of ANOTHER subject with the SAME relation.
 * - locality.other_subjects: that probe first, then unedited facts of other subjects and other relations.
 * - locality.same_subject: every unedited fact of the same subject with another relation.
 * - portability.two_hop: see PortabilityProbeSchema.
 */
export const CounterfactEditSchema = z.strictObject({
  case_id: z.int().nonnegative(),
  prompt: text,
  target_new: text,
  subject: text,
  ground_truth: text,
  rephrase_prompt: text,
  locality_prompt: text,
  locality_ground_truth: text,
  relation: relationId,
  fact_id: z.int().nonnegative(),
  locality: z.strictObject({
    other_subjects: z.array(ProbeSchema).min(1),
    same_subject: z.array(ProbeSchema),
  }),
  portability: z.strictObject({
    two_hop: z.array(PortabilityProbeSchema),
  }),
});
export type CounterfactEdit = z.infer<typeof CounterfactEditSchema>;

/** A fact no edit of the edit set touches (capability checks): primary prompt + held-out probe prompt. */
export const UneditedFactSchema = z.strictObject({
  fact_id: z.int().nonnegative(),
  subject: text,
  relation: relationId,
  prompt: text,
  rephrase_prompt: text,
  ground_truth: text,
});
export type UneditedFact = z.infer<typeof UneditedFactSchema>;

/** Fact recall probe for the base model's quality gates: split says whether the template was seen for this fact. */
export const RecallProbeSchema = z.strictObject({
  fact_id: z.int().nonnegative(),
  subject: text,
  relation: relationId,
  template: z.int().nonnegative(),
  split: z.enum(['pretrain', 'heldout']),
  prompt: text,
  ground_truth: text,
});
export type RecallProbe = z.infer<typeof RecallProbeSchema>;
