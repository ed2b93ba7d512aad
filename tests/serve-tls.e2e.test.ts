// `editledger serve` with TLS (--tls-cert/--tls-key) answers HTTPS, and bound beyond loopback without TLS it warns
// that tokens would cross the network in clear. The certificate is a throwaway one made with openssl.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from './helpers/serve-process.ts';

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });

async function tempHome(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'editledger-serve-tls-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  return home;
}

test('--tls-cert/--tls-key: the service answers over HTTPS', async (t) => {
  if (openssl.status !== 0) {
    t.log('SKIPPED: no openssl to make a test certificate');
    return t.pass();
  }
  const home = await tempHome(t);
  const [cert, key] = [join(home, 'cert.pem'), join(home, 'key.pem')];
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
  ]);
  t.is(made.status, 0, String(made.stderr));
  const serve = await startServe(home, ['--no-trainer', '--tls-cert', cert, '--tls-key', key]);
  t.teardown(async () => {
    await serve.stop('SIGKILL');
  });
  t.regex(serve.url, /^https:\/\//);
  const status = await new Promise<number>((resolve, reject) => {
    get(`${serve.url}/healthz`, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  t.is(status, 200);
  t.is(await serve.stop('SIGTERM'), 0, serve.stderr());
});

test('bound beyond loopback without TLS: a warning names the risk', async (t) => {
  const home = await tempHome(t);
  const serve = await startServe(home, ['--no-trainer', '--host', '0.0.0.0']);
  t.teardown(async () => {
    await serve.stop('SIGKILL');
  });
  t.regex(serve.stderr(), /warning: bound to 0\.0\.0\.0 without TLS/);
  t.is(await serve.stop('SIGTERM'), 0, serve.stderr());
});
