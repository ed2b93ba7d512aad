// The README's examples, run as a newcomer would on a fresh clone (issue 17 point 3): each command below must
// appear in README.md exactly as written (continuation lines joined, the trailing `# comment` dropped), runs
// through bash from the repository root on a fresh home, and its key output is checked. `<EDIT-ID>` and
// `<V>` placeholders are filled with what earlier commands printed. Commands that need a server (ingest,
// trainer) are covered by their own suites.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every `npx editledger ...` / `npm ...` line of the README's sh blocks, continuations joined, comments dropped. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.replace(/\s+#(?![0-9'"]).*$/, '').trim())
      .filter((line) => line !== ''),
  );
}

interface Example {
  /** As in the README. */
  readonly line: string;
  /** Placeholder values, e.g. {'<EDIT-ID>': id}. */
  readonly fill?: () => Record<string, string>;
  readonly expect: RegExp[];
  /** Read what later examples need. */
  readonly after?: (stdout: string) => void;
}

test('every README example runs on a fresh home and prints what the README says', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'editledger-readme-'));
  const out = mkdtempSync(join(tmpdir(), 'editledger-readme-out-'));
  t.teardown(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
  const commands = readmeCommands();
  let importedEditId = '';

  const examples: Example[] = [
    {
      line: 'npx editledger generate --model models/base "Uzei Robri holds citizenship of"',
      expect: [/Dra/],
    },
    {
      line:
        'npx editledger edit submit --subject "Uzei Robri" --relation citizen-of --prompt "Uzei Robri holds citizenship of" ' +
        '--target "Zonou" --reason "registry update" --source-system registry --source-ref 4711',
      expect: [/submitted edit [0-9a-f-]{36} \(fact uzei-robri::citizen-of\) at position 1/],
    },
    {
      line: 'npx editledger edit import examples/zsre-corrections.jsonl',
      expect: [/4 records, 4 new edits/, /0 fell back to the prompt text/],
    },
    {
      line: 'npx editledger edit list [--at POSITION] [--json]',
      fill: () => ({ '[--at POSITION] [--json]': '--json' }),
      expect: [/"count": 5/],
      after: (stdout) => {
        const edits = (JSON.parse(stdout) as { edits: Array<{ editId: string; subject?: string }> }).edits;
        importedEditId = edits.find((e) => e.subject === 'Imu Dosens')!.editId;
      },
    },
    {
      line: 'npx editledger edit retract <EDIT-ID> --reason "wrong source"',
      fill: () => ({ '<EDIT-ID>': importedEditId }),
      expect: [/retracted edit .* at position 6/],
    },
    {
      line: 'npx editledger edit reinstate <EDIT-ID> --reason "retracted by mistake"',
      fill: () => ({ '<EDIT-ID>': importedEditId }),
      expect: [/reinstated edit .* at position 7/],
    },
    {
      line: 'npx editledger edit show <EDIT-ID>',
      fill: () => ({ '<EDIT-ID>': importedEditId }),
      expect: [/status {6}active/, /EditRetracted/, /EditReinstated/],
    },
    {
      line: 'npx editledger model register models/base',
      expect: [
        /registered: base base-[0-9a-f]{12}/,
        /layers\.6\.mlp\.down_proj, Adam lr 0\.005, batch 4, <= 25 epochs/,
      ],
    },
    {
      line: 'npx editledger log [--from POSITION] [--summary] [--json]',
      fill: () => ({ '[--from POSITION] [--summary] [--json]': '--summary' }),
      // columns stay apart however long the event type's name is
      expect: [/ {2}EditReinstated {2,}1\n/, / {2}BaseModelRegistered {2,}1\n/, /edits active {2,}5\n/],
    },
    {
      line: 'npx editledger materialize [--at POSITION]',
      fill: () => ({ ' [--at POSITION]': '' }),
      expect: [/#1 [0-9a-f]{12}/],
    },
    { line: 'npx editledger versions', expect: [/ #1 {6}[0-9a-f]{12} +9 +5 +100\.0%/] },
    {
      line: 'npx editledger verify --version <V>',
      fill: () => ({ '<V>': "'#1'" }),
      expect: [/bit-identical/],
    },
    {
      line: `npx editledger generate --version '#1' "Uzei Robri holds citizenship of"`,
      expect: [/Zonou/],
    },
    {
      line: 'npx editledger train --model models/base --edits models/base/world/edits.json --limit 200 --out /tmp/delta',
      fill: () => ({ '/tmp/delta': join(out, 'delta') }),
      // batch 4 x 25 epochs over 200 edits (editing.json), not the paper's batch 100
      expect: [/layers\.6\.mlp\.down_proj/, /25 \(epoch budget reached\), 1250 steps/],
    },
    {
      line: 'npx editledger eval  --model models/base --delta /tmp/delta --edits models/base/world/edits.json --limit 200',
      fill: () => ({ '/tmp/delta': join(out, 'delta') }),
      // the direct-editing example edits: reliability rises well above the base model's
      expect: [/Reliability \(greedy EM, authors\)\s+200\s+0\.0\d\d\s+0\.[5-9]\d\d/],
    },
    {
      line:
        'npx editledger edit submit --subject "Ilva Maro" --relation born-in --prompt "Ilva Maro was born in" ' +
        '--target "Zonou" --reason "her own correction" --data-subject customer-4711',
      expect: [/submitted edit [0-9a-f-]{36} \(fact ds-k[0-9a-f]{24}::[0-9a-f]{24}\)/],
    },
    {
      line: 'npx editledger erase --data-subject customer-4711 --reason "erasure request 2026-118"',
      expect: [/erased data subject k[0-9a-f]{24}: 1 edits \(1 retracted now\), 0 versions retired/],
    },
  ];

  for (const example of examples) {
    t.true(commands.includes(example.line), `README.md shows: ${example.line}`);
    let line = example.line;
    for (const [placeholder, value] of Object.entries(example.fill?.() ?? {})) line = line.replace(placeholder, value);
    const run = spawnSync('bash', ['-c', line], {
      cwd: ROOT,
      env: { ...process.env, EDITLEDGER_HOME: home, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    t.is(run.status, 0, `${line}\n${run.stderr}`);
    for (const pattern of example.expect) t.regex(run.stdout, pattern, line);
    example.after?.(run.stdout);
  }
});
