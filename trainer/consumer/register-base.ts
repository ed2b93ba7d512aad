// The "register a base model" use case (CLI `model register`, the demo; any entry point): copy the checkpoint's
// defining files into the artifact store and record BaseModelRegistered with its training policy (domain/
// training-policy.ts: the paper's defaults, the model's editing card, the caller's overrides) and governance.
// Everything is checked before anything is stored or recorded: the policy's ranges, then the checkpoint itself.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { TrainingPolicy } from '../../domain/events.ts';
import type { Governance } from '../../domain/governance.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { trainingPolicyFor } from '../../domain/training-policy.ts';
import { checkpointListing, definingFiles, readCheckpointConfig } from '../checkpoint/hf-checkpoint.ts';
import { CheckpointFolderNotFoundError, validateBaseCheckpoint } from '../checkpoint/validate-base.ts';
import { readEditingCard } from '../locft/editing-card.ts';
import { expectedParameterShapes } from '../model/config.ts';
import type { CommandContext } from './model-ledger.ts';
import { commandMetadata, executeModelCommand } from './model-ledger.ts';
import type { ArtifactRepository } from '../../domain/ports/artifacts.ts';

/** A base artifact's primary file: the checkpoint's sha256sum listing, so the artifact is named by the base hash. */
export const CHECKPOINT_LISTING = 'checkpoint.sha256';

/** What registering needs: the ledger's store, somewhere to put the files, and who is acting. */
export interface RegisterPorts {
  readonly ledger: { readonly store: EventStore };
  readonly artifacts: Pick<ArtifactRepository, 'put'>;
  readonly context: CommandContext;
}

export interface RegisterResult {
  readonly baseModelId: string;
  readonly baseHash: string;
  readonly policy: TrainingPolicy;
  readonly governance: Governance;
  readonly appended: number;
  readonly artifactUri: string;
}

/**
 * Copies the checkpoint's defining files into the artifact store (so the ledger plus the home folder are enough to
 * rebuild any version, wherever the original folder goes) and records BaseModelRegistered + the training policy.
 * Registering the same checkpoint with the same policy again appends nothing.
 */
export async function registerBase(
  session: RegisterPorts,
  dir: string,
  overrides: Partial<TrainingPolicy> & { name?: string; governance?: Governance },
): Promise<RegisterResult> {
  const folder = resolve(dir);
  if (
    !(await stat(folder).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    throw new CheckpointFolderNotFoundError(folder);
  const { config } = await readCheckpointConfig(folder);
  // The full checkpoint hash (every defining file, as the ledger records it) also names the stored artifact, so
  // two bases that share weights but not a tokenizer file are two artifacts (issue 18.6).
  const listing = await checkpointListing(folder);
  const baseHash = createHash('sha256').update(listing).digest('hex');
  const files = await definingFiles(folder);
  const contents = new Map<string, Uint8Array>();
  for (const file of files) contents.set(file, await readFile(join(folder, file)));
  // Optional extras; held-out text and unedited facts (capability checks) may sit in the world folder a base ships with.
  for (const [name, from] of [
    ['generation_config.json', 'generation_config.json'],
    ['special_tokens_map.json', 'special_tokens_map.json'],
    ['heldout.txt', 'heldout.txt'],
    ['heldout.txt', 'world/heldout.txt'],
    ['unedited.json', 'unedited.json'],
    ['unedited.json', 'world/unedited.json'],
  ] as const) {
    if (contents.has(name)) continue;
    try {
      contents.set(name, await readFile(join(folder, from)));
    } catch {
      // optional
    }
  }
  contents.set(CHECKPOINT_LISTING, new TextEncoder().encode(listing));
  // The tokenizer files' lines of the listing just hashed (same `<sha256>  <name>` form, same name order).
  const tokenizerLines = listing
    .split(/(?<=\n)/)
    .filter((line) => line.endsWith('  tokenizer.json\n') || line.endsWith('  tokenizer_config.json\n'));
  const tokenizerHash = createHash('sha256').update(tokenizerLines.join('')).digest('hex');
  let parameterCount = 0;
  for (const shape of expectedParameterShapes(config).values()) parameterCount += shape.reduce((a, b) => a * b, 1);
  const { name, governance: governanceOverride, ...policyOverrides } = overrides;
  // The model folder's editing.json (its editing policy) over the paper's defaults; flags over both.
  const card = await readEditingCard(folder);
  // The governance (change envelope, promotion rules) from --governance, else the card's; not part of the policy hash.
  const governance = governanceOverride ?? card.governance;
  const shapes = expectedParameterShapes(config);
  const policy = trainingPolicyFor(
    card,
    { numLayers: config.numLayers, hasParameter: (n) => shapes.has(n) },
    policyOverrides,
  );
  await validateBaseCheckpoint(folder);
  const put = await session.artifacts.put({ primary: CHECKPOINT_LISTING, files: contents });
  const artifactUri = `sha256:${put.sha256}`;
  const configHash = createHash('sha256').update(contents.get('config.json')!).digest('hex');
  const result = await executeModelCommand(session.ledger.store, () => ({
    type: 'RegisterBase',
    data: {
      name: name ?? basename(folder),
      baseHash,
      configHash,
      tokenizerHash,
      architecture: config.modelType,
      parameterCount,
      artifactUri,
      policy,
      ...(governance !== undefined && { governance }),
    },
    metadata: commandMetadata(session.context),
  }));
  const registered = result.snapshot.state.active;
  return {
    baseModelId: registered?.baseModelId ?? '',
    baseHash,
    policy,
    governance: result.snapshot.state.governance,
    appended: result.events.length,
    artifactUri,
  };
}
