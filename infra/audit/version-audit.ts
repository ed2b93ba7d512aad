// `audit verify --version V`: one report that a model version was built from exactly the edits the ledger holds.
// Three checks: the chain up to V (to the checkpoint that covers V when there is one), V's signed checkpoint (the
// first checkpoint at or after V's position: the trainer signs right after recording a version), and a
// bit-identical rebuild of V from the ledger, by the same function as `editledger verify`.
import { shortVersionId } from '../../domain/model-version.ts';
import type { CliIO } from '../cli/command.ts';
import { ExitCode } from '../cli/command.ts';
import { humanReport, tamperedExit } from '../cli/commands/audit.ts';
import { verifyVersion } from '../cli/commands/verify.ts';
import { terminalSafe, writeJson } from '../cli/format.ts';
import { resolveVersion, withModels } from '../cli/model-session.ts';
import { auditLedger, type AuditOptions } from './audit-report.ts';
import { readLedgerCheckpoints, signatureValid } from './checkpoints.ts';
import { keyIdOf } from './keys.ts';

export async function auditVersion(
  io: CliIO,
  home: string | undefined,
  ref: string,
  options: AuditOptions,
  json: boolean,
): Promise<number> {
  return withModels(io, home, { actor: 'audit', channel: 'cli', progress: false, echoLog: false }, async (session) => {
    const store = session.ledger.store;
    const version = await resolveVersion(session, ref);
    const at = version.recordedAtPosition;
    const { publicKey } = options;
    const keyId = publicKey === undefined ? undefined : keyIdOf(publicKey);
    const candidates = [...(await readLedgerCheckpoints(store)), ...(options.fileCheckpoints ?? [])]
      .filter((c) => c.position >= at)
      .filter((c) => publicKey === undefined || (c.keyId === keyId && signatureValid(c, publicKey)))
      .sort((a, b) => a.position - b.position);
    const covering = candidates[0];
    const chain = await auditLedger(store, { ...options, upTo: covering?.position ?? at });
    const signedCheckpoint =
      covering === undefined
        ? undefined
        : (chain.checkpoints.find((c) => c.position === covering.position && c.signedAt === covering.signedAt) ??
          undefined);
    // A tampered chain is reported as such; rebuilding from it is refused (the materializer checks the chain too).
    const rebuild = chain.ok ? await verifyVersion(session, ref) : null;
    const warnings = [...chain.warnings];
    if (covering === undefined)
      warnings.push(
        `no ${publicKey === undefined ? '' : 'validly signed '}checkpoint covers position ${at}: version #${version.ordinal} is not signed`,
      );
    const report = {
      version: { versionId: version.versionId, ordinal: version.ordinal, position: at },
      chain: { ...chain, warnings },
      checkpoint: signedCheckpoint ?? null,
      rebuild,
      ok: chain.ok && (rebuild?.identical === true || rebuild?.inputsErased === true),
    };
    if (json) writeJson(io, report);
    else {
      io.stdout.write(
        `${terminalSafe(`version #${version.ordinal} ${shortVersionId(version.versionId)}, recorded at position ${at}`)}\n`,
      );
      io.stdout.write(humanReport(report.chain));
      io.stdout.write(
        signedCheckpoint === undefined
          ? 'signed checkpoint: none\n'
          : `signed checkpoint: position ${signedCheckpoint.position}, signed ${signedCheckpoint.signedAt} by key ${signedCheckpoint.keyId}: ${signedCheckpoint.status}\n`,
      );
      if (rebuild === null)
        io.stdout.write('rebuild: not attempted (the ledger is tampered: nothing is trained from it)\n');
      else if (rebuild.inputsErased === true)
        io.stdout.write('rebuild: inputs erased (the version was retired by an erasure; nothing to rebuild)\n');
      else {
        io.stdout.write(
          `rebuild: ${rebuild.identical ? 'bit-identical' : 'DIFFERS'} (recorded ${rebuild.recordedSha256.slice(0, 12)}, rebuilt ${rebuild.rebuiltSha256.slice(0, 12)}, backend ${rebuild.backend})\n`,
        );
        for (const d of rebuild.differences) io.stdout.write(`${terminalSafe(`  differs: ${d}`)}\n`);
      }
      if (report.ok)
        io.stdout.write(
          `=> version #${version.ordinal} was built from exactly the edits in the ledger up to position ${at}\n`,
        );
    }
    const tampered = tamperedExit(io, report.chain);
    if (tampered !== ExitCode.ok) return tampered;
    return rebuild?.identical === true || rebuild?.inputsErased === true ? ExitCode.ok : ExitCode.failure;
  });
}
