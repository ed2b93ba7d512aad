// `editledger token create|list|revoke`: the API tokens `editledger serve` accepts. A token is printed once, at
// creation; the home keeps only its SHA-256 (<home>/auth/tokens.json, mode 0600).
import { principalOf, RoleSchema } from '../../../domain/access.ts';
import { TokenStore } from '../../auth/token-store.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { loadConfig } from '../../config.ts';
import { renderTable, UsageError, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { commandGroup, defineCommand } from '../subcommand.ts';

function homeOf(home: string | undefined, io: { env: NodeJS.ProcessEnv; cwd: string }): string {
  return loadConfig({ home, env: io.env, cwd: io.cwd }).paths.home;
}

const create = defineCommand({
  name: 'token create',
  summary: 'create an API token (printed once)',
  description: `
Creates a token with a role: submitter (submit, retract), approver (materialize, verify, promote, roll back),
auditor (read everything), admin (everything, and tokens). The token is printed once; store it in a secret
manager. Events written with it record "token:NAME" as their actor.`,
  flags: {
    name: { type: 'string', required: true, placeholder: 'NAME', description: 'who uses it, e.g. wikidata-sync' },
    role: {
      type: 'string',
      required: true,
      placeholder: 'ROLE',
      description: 'submitter | approver | auditor | admin',
    },
    by: { type: 'string', placeholder: 'NAME', description: 'who creates it (default: $EDITLEDGER_ACTOR, $USER)' },
  },
  async run({ flags, home, json }, io) {
    const role = RoleSchema.safeParse(flags.role);
    if (!role.success) throw new UsageError(`--role: "${flags.role}" must be one of ${RoleSchema.options.join(', ')}`);
    const tokens = TokenStore.open(homeOf(home, io));
    const { token, info } = tokens.create(flags.name, role.data, actorFrom(flags.by, io.env));
    if (json) writeJson(io, { token, ...info });
    else {
      io.stdout.write(`${token}\n`);
      io.stderr.write(
        `editledger: token "${info.name}" (${info.role}, id ${info.id}) created; it is shown only now. Its events record ${principalOf(info.name)}.\n`,
      );
    }
    return ExitCode.ok;
  },
});

const list = defineCommand({
  name: 'token list',
  summary: 'list API tokens (never their secrets)',
  flags: {},
  async run({ home, json }, io) {
    const infos = TokenStore.open(homeOf(home, io)).list();
    if (json) writeJson(io, infos);
    else
      io.stdout.write(
        renderTable(
          [{ header: 'ID' }, { header: 'NAME' }, { header: 'ROLE' }, { header: 'CREATED' }, { header: 'REVOKED' }],
          infos.map((t) => [t.id, t.name, t.role, t.createdAt, t.revokedAt ?? '']),
        ),
      );
    return ExitCode.ok;
  },
});

const revoke = defineCommand({
  name: 'token revoke',
  summary: 'revoke an API token by id or name (a running serve stops accepting it at once)',
  flags: {},
  positionals: { placeholder: 'ID_OR_NAME', min: 1, max: 1 },
  async run({ positionals, home, json }, io) {
    const info = TokenStore.open(homeOf(home, io)).revoke(positionals[0]!);
    if (json) writeJson(io, info);
    else io.stdout.write(`revoked token "${info.name}" (${info.id}) at ${info.revokedAt}\n`);
    return ExitCode.ok;
  },
});

export const command: CliCommand = commandGroup({
  name: 'token',
  summary: 'create, list and revoke the API tokens of `editledger serve`',
  noun: 'command',
  commands: [create, list, revoke],
});
