// Hyper-parameters from command-line flags (strings), layered over an optional authors' YAML and the model
// folder's editing.json (its editing policy: layer, module, lr, batch size, epochs).
// Precedence: flags > YAML > editing.json > the paper's defaults.
import { join } from 'node:path';
import { parseLayerList } from '../model/params.ts';
import { ScheduleSchema, parseHyperParams } from './config.ts';
import type { LocftHyperParams } from './config.ts';
import { readLocftYaml } from './yaml-config.ts';
import { EDITING_CARD, describeCard, readEditingCard } from './editing-card.ts';

export interface HyperParamFlags {
  readonly config?: string;
  readonly layer?: string;
  readonly module?: readonly string[];
  readonly lr?: string;
  readonly 'batch-size'?: string;
  readonly epochs?: string;
  readonly seed?: string;
  readonly schedule?: string;
  readonly 'weight-decay'?: string;
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new Error(`--${flag}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

/** Module flag values: a full pattern with "{}", or a short name inside the layer ("mlp.down_proj"). */
export function modulePattern(module: string): string {
  if (module.includes('{}')) return module;
  const m = module.replace(/^\.+|\.+$/g, '');
  return `model.layers.{}.${m}${/\.(weight|bias)$/.test(m) || !/_proj$/.test(m) ? '' : '.weight'}`;
}

export async function hyperParamsFromFlags(
  flags: HyperParamFlags,
  modelDir: string,
  options: { readonly requireLayer?: boolean } = {},
): Promise<{ hyperParams: LocftHyperParams; notes: string[] }> {
  const notes: string[] = [];
  const fromYaml = flags.config ? readLocftYaml(flags.config) : undefined;
  if (fromYaml && fromYaml.ignoredKeys.length > 0)
    notes.push(`${flags.config}: ignored keys ${fromYaml.ignoredKeys.join(', ')}`);
  const card = await readEditingCard(modelDir);
  const yamlHp: Partial<LocftHyperParams> = fromYaml?.hyperParams ?? {};
  let layers = flags.layer !== undefined ? parseLayerList(flags.layer, '--layer') : yamlHp.layers;
  // What the card supplies: only what neither a flag nor the YAML set.
  const fromCard = {
    ...(layers === undefined && card.layer !== undefined && { layer: card.layer }),
    ...(flags.lr === undefined && yamlHp.lr === undefined && card.lr !== undefined && { lr: card.lr }),
    ...(flags['batch-size'] === undefined &&
      yamlHp.batchSize === undefined &&
      card.batchSize !== undefined && { batchSize: card.batchSize }),
    ...(flags.epochs === undefined &&
      yamlHp.epochs === undefined &&
      card.epochs !== undefined && { epochs: card.epochs }),
  };
  if (fromCard.layer !== undefined) layers = [fromCard.layer];
  if (Object.keys(fromCard).length > 0) notes.push(`${describeCard(fromCard)} from ${join(modelDir, EDITING_CARD)}`);
  if (layers === undefined) {
    if (options.requireLayer === false) layers = [0];
    else throw new Error('--layer: required (or give --config with a layer, or a model folder with editing.json)');
  }
  const schedule = flags.schedule === undefined ? undefined : ScheduleSchema.safeParse(flags.schedule);
  if (schedule && !schedule.success)
    throw new Error(`--schedule: expected breadth-first or depth-first, got ${JSON.stringify(flags.schedule)}`);
  const lr = num(flags.lr, 'lr');
  const batchSize = num(flags['batch-size'], 'batch-size');
  const epochs = num(flags.epochs, 'epochs');
  const seed = num(flags.seed, 'seed');
  const weightDecay = num(flags['weight-decay'], 'weight-decay');
  const hyperParams = parseHyperParams({
    ...(fromCard.lr !== undefined && { lr: fromCard.lr }),
    ...(fromCard.batchSize !== undefined && { batchSize: fromCard.batchSize }),
    ...(fromCard.epochs !== undefined && { epochs: fromCard.epochs }),
    ...(flags.module === undefined &&
      yamlHp.rewriteModules === undefined &&
      card.module !== undefined && { rewriteModules: [modulePattern(card.module)] }),
    ...yamlHp,
    layers,
    ...(flags.module !== undefined && flags.module.length > 0 && { rewriteModules: flags.module.map(modulePattern) }),
    ...(lr !== undefined && { lr }),
    ...(batchSize !== undefined && { batchSize }),
    ...(epochs !== undefined && { epochs }),
    ...(seed !== undefined && { seed }),
    ...(weightDecay !== undefined && { weightDecay }),
    ...(schedule?.success && { schedule: schedule.data }),
  });
  return { hyperParams, notes };
}
