// `editledger edit submit`: record one correction.
import { factKeyOf } from '../../../domain/fact-key.ts';
import { uuidV4 } from '../../../domain/ids.ts';
import { LedgerService } from '../../ledger/ledger-service.ts';
import type { SubmitEditResult } from '../../ledger/ledger-service.ts';
import { ExitCode } from '../command.ts';
import type { CliIO } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString, requireString, stringList } from '../subcommand.ts';

const usage = `usage: editledger edit submit --prompt TEXT --target TEXT --reason TEXT [options]

Record one fact correction. A correction for a fact that already has an active edit supersedes it.

Options:
  --prompt TEXT            the edit prompt, e.g. "The CEO of Acme is"
  --target TEXT            the new answer
  --reason TEXT            why (kept in the ledger)
  --fact-key KEY           which fact: 2-4 lower-case slugs joined by "::", e.g. acme-corp::ceo
                           (default: from --subject and --relation, else from --subject and --prompt)
  --subject TEXT           the entity the fact is about
  --relation NAME          what the prompt asks about the subject, e.g. ceo or citizen-of: corrections of
                           one (subject, relation) supersede each other however the prompt is worded
  --rephrase TEXT          a paraphrase of the prompt (repeatable)
  --locality TEXT          an unrelated prompt whose answer must not change (repeatable)
  --locality-answer TEXT   its expected answer, paired with the --locality flags in order (repeatable)
  --source-system NAME     upstream system (default: cli)
  --source-ref REF         upstream id: the same system+ref again is a no-op if the content is the same, a
                           conflict (exit 5) if it differs (default: a new UUID)
  --evidence URL           an http(s) link supporting the correction
  --by NAME                who submits it (default: $EDITLEDGER_ACTOR, else $USER)
${COMMON_USAGE}`;

function locality(flags: ParsedFlags): Array<{ prompt: string; answer?: string }> {
  const prompts = stringList(flags, 'locality');
  const answers = stringList(flags, 'locality-answer');
  if (answers.length > prompts.length)
    throw new UsageError(`--locality-answer: ${answers.length} answers for ${prompts.length} --locality prompts`);
  return prompts.map((prompt, i) => (answers[i] === undefined ? { prompt } : { prompt, answer: answers[i] }));
}

function describe(result: SubmitEditResult): string {
  if (result.outcome === 'duplicate') {
    const status =
      result.status === 'retracted' || result.status === 'superseded'
        ? `; it is ${result.status}: a redelivery does not bring it back, "edit reinstate ${result.editId}" does`
        : '';
    return `already submitted: edit ${result.editId} (fact ${result.factKey}) at position ${result.position}; nothing appended${status}\n`;
  }
  const superseded = result.supersededEditId === undefined ? '' : `, superseding ${result.supersededEditId}`;
  return `submitted edit ${result.editId} (fact ${result.factKey}) at position ${result.position}${superseded}\n`;
}

export const submit: SubcommandSpec = {
  title: 'editledger edit submit',
  usage,
  options: {
    prompt: { type: 'string' },
    target: { type: 'string' },
    reason: { type: 'string' },
    'fact-key': { type: 'string' },
    subject: { type: 'string' },
    relation: { type: 'string' },
    rephrase: { type: 'string', multiple: true },
    locality: { type: 'string', multiple: true },
    'locality-answer': { type: 'string', multiple: true },
    'source-system': { type: 'string' },
    'source-ref': { type: 'string' },
    evidence: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags: ParsedFlags, io: CliIO): Promise<number> {
    const prompt = requireString(flags, 'prompt');
    const subject = optionalString(flags, 'subject');
    const by = actorFrom(optionalString(flags, 'by'), io.env);
    const evidenceUrl = optionalString(flags, 'evidence');
    const relation = optionalString(flags, 'relation');
    if (relation !== undefined && subject === undefined)
      throw new UsageError('--relation: names a relation of --subject, which is missing');
    const input = {
      factKey: optionalString(flags, 'fact-key') ?? factKeyOf({ prompt, subject, relation }).factKey,
      prompt,
      target: requireString(flags, 'target'),
      ...(subject === undefined ? {} : { subject }),
      rephrase: stringList(flags, 'rephrase'),
      locality: locality(flags),
      source: {
        system: optionalString(flags, 'source-system') ?? 'cli',
        ref: optionalString(flags, 'source-ref') ?? uuidV4(),
      },
      submittedBy: by,
      reason: requireString(flags, 'reason'),
      ...(evidenceUrl === undefined ? {} : { evidenceUrl }),
    };
    const result = await withLedger(io, flags.home, (session) =>
      new LedgerService(session.store).submitEdit(input, { actor: by, source: 'cli' }),
    );
    if (flags.json) writeJson(io, result);
    else io.stdout.write(describe(result));
    return ExitCode.ok;
  },
};
