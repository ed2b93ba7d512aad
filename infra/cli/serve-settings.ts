// `editledger serve`'s settings from three places, in this order of precedence: a command-line flag, then an
// environment variable EDITLEDGER_SERVE_<FLAG> (e.g. EDITLEDGER_SERVE_PORT=9000, EDITLEDGER_SERVE_NO_TRAINER=1),
// then the config file given with --config (YAML or JSON, keys named like the flags), then the default. One zod
// schema checks the result, so a bad value names where it came from.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidFieldError } from '../../domain/errors.ts';

const positive = z.number().positive();
const bytes = z.number().int().min(1024);
const list = z.array(z.string().min(1));

export const ServeSettingsSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  'tls-cert': z.string().min(1).optional(),
  'tls-key': z.string().min(1).optional(),
  'max-body': bytes,
  'max-in-flight': bytes,
  'rate-limit': z.number().min(0),
  'request-timeout': positive,
  'allow-origin': list,
  'allow-host': list,
  'no-trainer': z.boolean(),
  every: positive,
  idle: positive,
  'no-promote': z.boolean(),
  'sign-every': positive,
  'kafka-brokers': z.string().min(1).optional(),
  'kafka-topic': z.string().min(1).optional(),
  'kafka-group': z.string().min(1).optional(),
});
export type ServeSettings = z.infer<typeof ServeSettingsSchema>;
type Key = keyof ServeSettings;

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  'max-body': 4 * 1024 * 1024,
  'max-in-flight': 64 * 1024 * 1024,
  'rate-limit': 200,
  'request-timeout': 30,
  'allow-origin': [],
  'allow-host': [],
  'no-trainer': false,
  every: 100,
  idle: 10,
  'no-promote': false,
  'sign-every': 10,
} satisfies Partial<ServeSettings>;

const KEYS = Object.keys(ServeSettingsSchema.shape) as Key[];

export function envName(key: string): string {
  return `EDITLEDGER_SERVE_${key.toUpperCase().replaceAll('-', '_')}`;
}

/** An environment string as the type the setting has. */
function fromEnv(key: Key, text: string): unknown {
  const declared = ServeSettingsSchema.shape[key];
  const shape = declared instanceof z.ZodOptional ? declared.unwrap() : declared;
  if (shape instanceof z.ZodNumber) return text.trim() === '' ? Number.NaN : Number(text);
  if (shape instanceof z.ZodBoolean) return ['1', 'true', 'yes'].includes(text.trim().toLowerCase());
  if (shape instanceof z.ZodArray)
    return text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return text;
}

function readConfig(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidFieldError('config', `${path}: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new InvalidFieldError('config', `${path}: must be a mapping of setting names to values`);
  const unknown = Object.keys(value).filter((k) => !KEYS.includes(k as Key));
  if (unknown.length > 0)
    throw new InvalidFieldError(`config.${unknown[0]}`, `${path}: unknown setting (known: ${KEYS.join(', ')})`);
  return value as Record<string, unknown>;
}

/**
 * Resolve every setting. `flags` holds only what the command line gave (undefined, false or [] = not given).
 */
export function resolveServeSettings(
  flags: Partial<Record<Key, unknown>>,
  env: NodeJS.ProcessEnv,
  configPath: string | undefined,
): ServeSettings {
  const config = configPath === undefined ? {} : readConfig(configPath);
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const key of KEYS) {
    const flag = flags[key];
    const given = flag !== undefined && flag !== false && !(Array.isArray(flag) && flag.length === 0);
    const fromEnvText = env[envName(key)];
    if (given) [merged[key], origin[key]] = [flag, `--${key}`];
    else if (fromEnvText !== undefined) [merged[key], origin[key]] = [fromEnv(key, fromEnvText), envName(key)];
    else if (key in config) [merged[key], origin[key]] = [config[key], `config.${key}`];
    else if (key in SERVE_DEFAULTS) merged[key] = SERVE_DEFAULTS[key as keyof typeof SERVE_DEFAULTS];
  }
  const checked = ServeSettingsSchema.safeParse(merged);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new InvalidFieldError(origin[key] ?? key, issue.message);
  }
  if ((checked.data['tls-cert'] === undefined) !== (checked.data['tls-key'] === undefined))
    throw new InvalidFieldError('tls-key', 'give both tls-cert and tls-key, or neither');
  return checked.data;
}
