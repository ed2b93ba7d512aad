// `editledger audit <verify|keygen|checkpoint|export-key>`: the tamper evidence of issue 12. `verify` walks the hash
// chain and checks the signed checkpoints; `keygen` makes the Ed25519 signing key; `checkpoint` signs the head;
// `export-key` hands the public key to an auditor. `verify --version V` adds V's signed checkpoint and a
// bit-identical rebuild of V: "this model was built from exactly these edits".
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LedgerTamperedError } from '../../../domain/chain.ts';
import { auditLedger, type AuditReport } from '../../audit/audit-report.ts';
import { checkpointsFile, readCheckpointLines, signHeadCheckpoint } from '../../audit/checkpoints.ts';
import { auditKeyPaths, generateAuditKey, loadPrivateKey, loadPublicKey, publicKeyPem } from '../../audit/keys.ts';
import { chainScopeOf } from '../../eventstore/open.ts';
import { loadConfig, resolveHome } from '../../config.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { EXIT_CODE_BY_KIND, terminalSafe, writeJson } from '../format.ts';
import { withLedger, withLedgerReadOnly } from '../ledger-session.ts';
import { commandGroup, defineCommand } from '../subcommand.ts';

function humanReport(report: AuditReport): string {
  const { chain } = report;
  const lines = [
    chain.intact
      ? `chain: intact, ${chain.verified} events verified, head position ${chain.head.position} (${chain.head.chainHash.slice(0, 12)})`
      : `chain: BROKEN at position ${chain.firstBreak?.position} (${chain.firstBreak?.kind}): ${chain.firstBreak?.detail}; ${chain.verified} events verified before it`,
  ];
  const counts = new Map<string, number>();
  for (const c of report.checkpoints) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const tally = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  lines.push(
    `checkpoints: ${report.checkpoints.length}${tally ? ` (${tally})` : ''}${report.signaturesChecked ? `, signatures checked with key ${report.keyId}` : ''}`,
  );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(
    report.firstProblem === undefined
      ? 'ledger intact'
      : `ledger TAMPERED: first problem at position ${report.firstProblem.position}: ${report.firstProblem.what}`,
  );
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

function tamperedExit(io: CliIO, report: AuditReport): number {
  if (report.firstProblem === undefined) return ExitCode.ok;
  const error = new LedgerTamperedError(report.firstProblem.position, report.firstProblem.what);
  io.stderr.write(`editledger audit verify: ${terminalSafe(error.message)}\n`);
  return EXIT_CODE_BY_KIND[error.kind];
}

const verifyFlags = {
  'public-key': {
    type: 'string',
    placeholder: 'FILE',
    description: "the auditor's public key (PEM): check every checkpoint's signature",
  },
  checkpoints: {
    type: 'string',
    placeholder: 'FILE',
    description: "the auditor's copy of the checkpoints (default: <home>/audit/checkpoints.jsonl)",
  },
  version: {
    type: 'string',
    placeholder: 'V',
    description: 'audit version V: the chain up to it, its signed checkpoint and a bit-identical rebuild',
  },
} as const;

const verify = defineCommand({
  name: 'audit verify',
  summary: 'walk the hash chain and check the signed checkpoints',
  description: `
Recomputes every event's chain link and names the first position where the ledger is not what was chained:
a modified, deleted, inserted or reordered event. Every signed checkpoint (the ledger's audit stream and the
checkpoints file) must match the chain at its position; past the ledger's end it reveals a truncated tail. With
--public-key each checkpoint's signature is checked, so a chain recomputed without the private key is caught.
Exit 0 when intact, 5 when tampered (1 when --version's rebuild differs).`,
  flags: verifyFlags,
  async run({ flags, home, json }, io) {
    const publicKey =
      flags['public-key'] === undefined ? undefined : loadPublicKey(resolve(io.cwd, flags['public-key']));
    const config = loadConfig({ home, env: io.env, cwd: io.cwd });
    const file =
      flags.checkpoints === undefined ? checkpointsFile(config.paths.home) : resolve(io.cwd, flags.checkpoints);
    const fromFile = readCheckpointLines(file);
    const base = {
      scope: chainScopeOf(config.eventStore),
      fileCheckpoints: fromFile.checkpoints,
      ...(publicKey === undefined ? {} : { publicKey }),
    };
    if (flags.version !== undefined) {
      const { auditVersion } = await import('../../audit/version-audit.ts');
      return auditVersion(io, home, flags.version, base, json);
    }
    const report = await withLedgerReadOnly(io, home, (session) => auditLedger(session.store, base));
    const warnings =
      fromFile.unreadable.length === 0
        ? report.warnings
        : [...report.warnings, `${file}: lines ${fromFile.unreadable.join(', ')} are not checkpoints`];
    const full = { ...report, warnings };
    if (json) writeJson(io, full);
    else io.stdout.write(humanReport(full));
    return tamperedExit(io, full);
  },
});

const keygen = defineCommand({
  name: 'audit keygen',
  summary: 'create the Ed25519 key pair that signs checkpoints',
  description: `
Writes the private key to $EDITLEDGER_AUDIT_KEY or <home>/keys/audit-ed25519.pem (mode 0600) and the public key
beside it (.pub.pem). Refuses to replace an existing key without --force: the checkpoints it signed need it.`,
  flags: { force: { type: 'boolean', description: 'replace an existing key' } },
  async run({ flags, home, json }, io) {
    const paths = auditKeyPaths(resolveHome({ home, env: io.env, cwd: io.cwd }), io.env, io.cwd);
    const { keyId } = generateAuditKey(paths, flags.force);
    if (json) writeJson(io, { keyId, ...paths });
    else
      io.stdout.write(`audit key ${keyId}\n  private ${paths.privateKey} (mode 0600)\n  public  ${paths.publicKey}\n`);
    return ExitCode.ok;
  },
});

const checkpoint = defineCommand({
  name: 'audit checkpoint',
  summary: 'sign the chain head and record the checkpoint',
  description: `
Signs the head (position and chain hash) with the audit key and records the checkpoint as an event in the
ledger's audit-checkpoints stream and as a line of <home>/audit/checkpoints.jsonl.`,
  flags: {},
  async run({ home, json }, io) {
    return withLedger(io, home, async (session) => {
      const paths = auditKeyPaths(session.config.paths.home, io.env, io.cwd);
      const signed = await signHeadCheckpoint({
        store: session.store,
        privateKey: loadPrivateKey(paths.privateKey),
        file: checkpointsFile(session.config.paths.home),
        actor: io.env.EDITLEDGER_ACTOR?.trim() || 'audit',
      });
      if (json) writeJson(io, signed);
      else
        io.stdout.write(
          `signed checkpoint: position ${signed.position}, chain ${signed.chainHash.slice(0, 12)}, key ${signed.keyId}\n`,
        );
      return ExitCode.ok;
    });
  },
});

const exportKey = defineCommand({
  name: 'audit export-key',
  summary: 'print or write the public key auditors verify with',
  flags: { out: { type: 'string', placeholder: 'FILE', description: 'write it to FILE instead of stdout' } },
  async run({ flags, home }, io) {
    const paths = auditKeyPaths(resolveHome({ home, env: io.env, cwd: io.cwd }), io.env, io.cwd);
    // The public half of the private key; on a machine that only has the public file, that file.
    const keyFile = existsSync(paths.privateKey) ? paths.privateKey : paths.publicKey;
    const pem = publicKeyPem(loadPublicKey(keyFile, 'EDITLEDGER_AUDIT_KEY'));
    if (flags.out === undefined) io.stdout.write(pem);
    else writeFileSync(resolve(io.cwd, flags.out), pem, { mode: 0o644 });
    return ExitCode.ok;
  },
});

export const command: CliCommand = commandGroup({
  name: 'audit',
  summary: 'tamper evidence: verify the hash chain, sign and check checkpoints',
  noun: 'command',
  commands: [verify, keygen, checkpoint, exportKey],
  notes: `Every command accepts --home DIR and --json. The private key is $EDITLEDGER_AUDIT_KEY or
<home>/keys/audit-ed25519.pem. Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 not found, 5 tampered.`,
});

export { humanReport, tamperedExit };
