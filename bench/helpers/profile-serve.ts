// Where a single durable submit's time goes in `editledger serve`: start serve with --cpu-prof in a fresh home,
// drive BENCH_PROFILE_SUBMITS single POST /v1/edits (16 keep-alive connections, the bench's lean client), stop it
// and print the profile of the load (start-up skipped).
//
//   npx tsx bench/helpers/profile-serve.ts [DIR]     (default: a temporary directory; the .cpuprofile stays there)
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenStore } from '../../infra/auth/token-store.ts';
import { envInt } from '../table.ts';
import { startChildServer } from './child-server.ts';
import { LoadClient } from './http-load.ts';
import { summarizeProfile } from './profile-top.ts';
import { benchCorrection } from './edit-event.ts';

const SUBMITS = envInt('BENCH_PROFILE_SUBMITS', 6000);
const IN_FLIGHT = envInt('BENCH_API_IN_FLIGHT', 16);
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'editledger-profile-'));
const home = mkdtempSync(join(tmpdir(), 'editledger-profile-home-'));
const token = TokenStore.open(home).create('bench', 'submitter', 'bench').token;
const serve = await startChildServer(
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  ['infra/cli/main.ts', 'serve', '--port', '0', '--idle', '3600', '--no-trainer', '--rate-limit', '0'],
  { EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: 'wasm' },
);
const client = await LoadClient.open(serve.url, IN_FLIGHT);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < SUBMITS) {
      const n = next++;
      const body = JSON.stringify({
        factKey: `profile-${n % 50}::fact-${n}`,
        ...benchCorrection(n),
        subject: `person ${n}`,
        source: { system: 'profile', ref: `ref-${n}` },
        reason: 'profiling',
      });
      const response = await client.request({ method: 'POST', path: '/v1/edits', headers, body });
      if (response.status !== 201) throw new Error(`${response.status} ${response.body}`);
    }
  }),
);
const ms = performance.now() - started;
client.close();
await serve.stop();
console.log(`${SUBMITS} submits in ${ms.toFixed(0)} ms: ${Math.round((SUBMITS * 1000) / ms)} submits/s`);
const main = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()[0];
if (main === undefined) throw new Error(`no profile written to ${dir}`);
console.log(
  summarizeProfile(
    join(dir, main),
    40,
    Math.floor(ms),
    /handler|onRequest|onResponse|flush|submitEdit|authenticate|check |refresh|handleDecision|readStream|decide|parse|serialize|writePayload|run /,
  ),
);
