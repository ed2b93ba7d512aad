// Flags the LocFT commands share (train and sweep train; eval and sweep evaluate), declared once so `sweep --help`
// says the same as `train --help` about --lr, and exit codes for their training errors.
import { resolve } from 'node:path';
import type { HyperParamFlags } from '../../trainer/locft/flag-overrides.ts';
import { ExitCode } from './command.ts';
import { isNotFound } from './failure.ts';
import { POSITIVE_INTEGER } from './flag-spec.ts';
import type { FlagSpecs, NumberFlag } from './flag-spec.ts';
import { exitCodeFor } from './format.ts';

/** Hyper-parameters as text: trainer/locft/flag-overrides.ts layers them over the YAML and editing.json. */
export const TRAINING_FLAGS = {
  lr: {
    type: 'string',
    placeholder: 'X',
    description: 'Adam learning rate (default: YAML, else DIR/editing.json, else 5e-4)',
  },
  'batch-size': {
    type: 'string',
    placeholder: 'N',
    description: 'edits per mini-batch (default: YAML, else DIR/editing.json, else 100)',
  },
  epochs: {
    type: 'string',
    placeholder: 'N',
    description:
      'at most N epochs; stop early when the epoch mean loss < 1e-2 (default: YAML, else DIR/editing.json, else 25)',
  },
  seed: { type: 'string', placeholder: 'N', description: 'shuffle seed (default: 0)' },
  schedule: {
    type: 'string',
    placeholder: 'S',
    description: 'breadth-first (default) or depth-first (the baseline: one edit at a time)',
  },
} as const satisfies FlagSpecs;

export const SPEED_FLAGS = {
  'no-cache': { type: 'boolean', description: 'recompute the frozen layers every step (slow; for comparison)' },
  'full-logits': { type: 'boolean', description: 'project every position to the vocabulary (slow; for comparison)' },
} as const satisfies FlagSpecs;

export const EDITS_FLAG = {
  type: 'string',
  placeholder: 'FILE',
  required: true,
  description: 'ZsRE or CounterFact format (JSON or JSONL)',
} as const;

/** What eval and sweep measure capability on, and how long answers may be. */
export const PROBE_FLAGS = {
  heldout: {
    type: 'string',
    placeholder: 'FILE',
    description: 'held-out text, one passage per line (default: DIR/heldout.txt or DIR/world/heldout.txt)',
  },
  facts: {
    type: 'string',
    placeholder: 'FILE',
    description:
      'unedited facts, JSON [{prompt, ground_truth}] (default: DIR/unedited.json or DIR/world/unedited.json)',
  },
  'capability-lines': {
    type: 'integer',
    check: POSITIVE_INTEGER,
    default: 200,
    description: 'at most N held-out lines and N facts',
  },
  'max-tokens': { type: 'integer', check: POSITIVE_INTEGER, description: 'generation budget (default: 32)' },
} as const satisfies FlagSpecs;

export const LIMIT_FLAG = { type: 'integer', check: POSITIVE_INTEGER, description: 'use the first N edits' } as const;

// trainer/locft's errors predate the error taxonomy (domain/errors.ts): they are bad input by name.
const BAD_INPUT = new Set([
  'EditEncodingError',
  'ParameterSelectionError',
  'TuningPlanError',
  'BatchError',
  'ModelConfigError',
]);

/** Exit code of an error raised while training or evaluating: bad edits or settings are invalid input. */
export function trainingExitCode(error: unknown): ExitCode {
  if (error instanceof Error && BAD_INPUT.has(error.name)) return ExitCode.invalidInput;
  return isNotFound(error) ? ExitCode.notFound : exitCodeFor(error);
}

/** The hyper-parameter flags as trainer/locft/flag-overrides.ts reads them (an absent --module is undefined). */
export function hyperParamInput(
  flags: { readonly config?: string | undefined; readonly module?: readonly string[] } & Omit<
    HyperParamFlags,
    'config' | 'module'
  >,
  cwd: string,
): HyperParamFlags {
  const { config, module, ...rest } = flags;
  return {
    ...rest,
    ...(config === undefined ? {} : { config: resolve(cwd, config) }),
    ...(module === undefined || module.length === 0 ? {} : { module }),
  };
}

/**
 * A number flag declared as text, for a command that checks it later (sweep reads --limit while loading its
 * inputs, so a bad value there has always been invalid input, exit 3); `numberValue` checks it the same way.
 */
export function asText(flag: NumberFlag) {
  const note = flag.default === undefined ? '' : ` (default: ${flag.default})`;
  return { type: 'string', placeholder: flag.placeholder ?? 'N', description: `${flag.description}${note}` } as const;
}
