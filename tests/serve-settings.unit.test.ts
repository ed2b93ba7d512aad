// serve's settings: a flag wins over EDITLEDGER_SERVE_*, which wins over --config, which wins over the default;
// a bad value names where it came from.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidFieldError } from '../domain/errors.ts';
import { resolveServeSettings, SERVE_DEFAULTS } from '../infra/cli/serve-settings.ts';

function configFile(t: { teardown(f: () => void): void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-serve-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'serve.yaml'), text);
  return join(dir, 'serve.yaml');
}

test('defaults, then the config file, then the environment, then flags', (t) => {
  t.is(resolveServeSettings({}, {}, undefined).port, SERVE_DEFAULTS.port);
  const file = configFile(t, 'port: 9001\nevery: 5\nno-trainer: true\nallow-origin: [https://a.example]\n');
  const fromFile = resolveServeSettings({}, {}, file);
  t.like(fromFile, { port: 9001, every: 5, 'no-trainer': true, 'allow-origin': ['https://a.example'], idle: 10 });
  const fromEnv = resolveServeSettings(
    {},
    { EDITLEDGER_SERVE_PORT: '9002', EDITLEDGER_SERVE_ALLOW_ORIGIN: 'x,y' },
    file,
  );
  t.like(fromEnv, { port: 9002, every: 5, 'allow-origin': ['x', 'y'] });
  const fromFlag = resolveServeSettings({ port: 9003 }, { EDITLEDGER_SERVE_PORT: '9002' }, file);
  t.is(fromFlag.port, 9003);
});

test('a bad value names its source: the flag, the variable or the config key', (t) => {
  const fromEnv = t.throws(() => resolveServeSettings({}, { EDITLEDGER_SERVE_PORT: 'eighty' }, undefined), {
    instanceOf: InvalidFieldError,
  });
  t.is(fromEnv?.field, 'EDITLEDGER_SERVE_PORT');
  const file = configFile(t, 'port: 70000\n');
  t.is(t.throws<InvalidFieldError>(() => resolveServeSettings({}, {}, file))?.field, 'config.port');
  const unknown = configFile(t, 'prot: 1\n');
  t.is(t.throws<InvalidFieldError>(() => resolveServeSettings({}, {}, unknown))?.field, 'config.prot');
  t.is(
    t.throws<InvalidFieldError>(() => resolveServeSettings({ 'tls-cert': 'a.pem' }, {}, undefined))?.field,
    'tls-key',
  );
});
