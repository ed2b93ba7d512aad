// Reads the LocFT authors' YAML run configuration as-is and maps it onto our hyper-parameters.
// Their keys: model_name_or_path, data_path, save_model_dir, layer, rewrite_module, lr, batch_size, num_steps, device.
// We also accept weight_decay, seed and schedule (ours). Keys we do not know are reported, not fatal, because the
// authors' files may carry keys for their other scripts.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseHyperParams, parseOrThrow, ScheduleSchema } from './config.ts';
import type { LocftHyperParams } from './config.ts';

const AuthorsYamlSchema = z
  .object({
    model_name_or_path: z.string().min(1).optional(),
    data_path: z.string().min(1).optional(),
    save_model_dir: z.string().min(1).optional(),
    layer: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)]),
    rewrite_module: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    lr: z.number().positive().optional(),
    weight_decay: z.number().min(0).optional(),
    batch_size: z.number().int().positive().optional(),
    num_steps: z.number().int().positive().optional(),
    seed: z.number().int().min(0).optional(),
    schedule: ScheduleSchema.optional(),
    device: z.string().optional(),
  })
  .loose();

const KNOWN_KEYS = new Set(Object.keys(AuthorsYamlSchema.shape));

export interface LocftYamlConfig {
  readonly hyperParams: LocftHyperParams;
  readonly modelPath?: string;
  readonly dataPath?: string;
  readonly saveModelDir?: string;
  /** `device` is meaningless here (the backend is chosen by EDITLEDGER_BACKEND); kept to report it. */
  readonly device?: string;
  readonly ignoredKeys: readonly string[];
}

/** `overrides` (e.g. a CLI --seed) win over the file. */
export function parseLocftYaml(
  text: string,
  source = 'config',
  overrides: Partial<LocftHyperParams> = {},
): LocftYamlConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new Error(`${source}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${source}: expected a YAML mapping of LocFT keys (layer, rewrite_module, lr, ...)`);
  }
  const y = parseOrThrow(AuthorsYamlSchema, raw, `${source}`);
  const hyperParams = parseHyperParams({
    layers: Array.isArray(y.layer) ? y.layer : [y.layer],
    ...(y.rewrite_module !== undefined && {
      rewriteModules: Array.isArray(y.rewrite_module) ? y.rewrite_module : [y.rewrite_module],
    }),
    ...(y.lr !== undefined && { lr: y.lr }),
    ...(y.weight_decay !== undefined && { weightDecay: y.weight_decay }),
    ...(y.batch_size !== undefined && { batchSize: y.batch_size }),
    ...(y.num_steps !== undefined && { epochs: y.num_steps }),
    ...(y.seed !== undefined && { seed: y.seed }),
    ...(y.schedule !== undefined && { schedule: y.schedule }),
    ...overrides,
  });
  return {
    hyperParams,
    ...(y.model_name_or_path !== undefined && { modelPath: y.model_name_or_path }),
    ...(y.data_path !== undefined && { dataPath: y.data_path }),
    ...(y.save_model_dir !== undefined && { saveModelDir: y.save_model_dir }),
    ...(y.device !== undefined && { device: y.device }),
    ignoredKeys: Object.keys(raw)
      .filter((k) => !KNOWN_KEYS.has(k))
      .sort(),
  };
}

export function readLocftYaml(path: string, overrides: Partial<LocftHyperParams> = {}): LocftYamlConfig {
  return parseLocftYaml(readFileSync(path, 'utf8'), path, overrides);
}
