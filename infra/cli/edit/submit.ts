// `editledger edit submit`: record one correction.
import { factKeyOf } from '../../../domain/fact-key.ts';
import { uuidV4 } from '../../../domain/ids.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import type { SubmitEditResult } from '../../../domain/edit-use-cases.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import { byFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

function locality(prompts: readonly string[], answers: readonly string[]): Array<{ prompt: string; answer?: string }> {
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

export const submit = defineCommand({
  name: 'edit submit',
  summary: 'record one fact correction',
  description: 'Record one fact correction. A correction for a fact that already has an active edit supersedes it.',
  flags: {
    prompt: { type: 'string', required: true, description: 'the edit prompt, e.g. "The CEO of Acme is"' },
    target: { type: 'string', required: true, description: 'the new answer' },
    reason: REQUIRED_REASON,
    'fact-key': {
      type: 'string',
      placeholder: 'KEY',
      description:
        'which fact: 2-4 lower-case slugs joined by "::", e.g. acme-corp::ceo (default: from --subject and --relation, else from --subject and --prompt)',
    },
    subject: { type: 'string', description: 'the entity the fact is about' },
    relation: {
      type: 'string',
      placeholder: 'NAME',
      description:
        'what the prompt asks about the subject, e.g. ceo or citizen-of: corrections of one (subject, relation) supersede each other however the prompt is worded',
    },
    rephrase: { type: 'string', multiple: true, description: 'a paraphrase of the prompt' },
    locality: { type: 'string', multiple: true, description: 'an unrelated prompt whose answer must not change' },
    'locality-answer': {
      type: 'string',
      multiple: true,
      description: 'its expected answer, paired with the --locality flags in order',
    },
    'source-system': { type: 'string', placeholder: 'NAME', default: 'cli', description: 'upstream system' },
    'source-ref': {
      type: 'string',
      placeholder: 'REF',
      description:
        'upstream id: the same system+ref again is a no-op if the content is the same, a conflict (exit 5) if it differs (default: a new UUID)',
    },
    evidence: { type: 'string', placeholder: 'URL', description: 'an http(s) link supporting the correction' },
    'data-subject': {
      type: 'string',
      placeholder: 'ID',
      description:
        'the person the edit is about (any stable id): its content is stored sealed under their key, and `editledger erase --data-subject ID` removes it',
    },
    by: byFlag('who submits it'),
  },
  async run({ flags, home, json }, io) {
    const { prompt, subject, relation } = flags;
    const by = actorFrom(flags.by, io.env);
    if (relation !== undefined && subject === undefined)
      throw new UsageError('--relation: names a relation of --subject, which is missing');
    const input = {
      factKey: flags['fact-key'] ?? factKeyOf({ prompt, subject, relation }).factKey,
      prompt,
      target: flags.target,
      ...(subject === undefined ? {} : { subject }),
      rephrase: flags.rephrase,
      locality: locality(flags.locality, flags['locality-answer']),
      source: { system: flags['source-system'], ref: flags['source-ref'] ?? uuidV4() },
      submittedBy: by,
      reason: flags.reason,
      ...(flags.evidence === undefined ? {} : { evidenceUrl: flags.evidence }),
      ...(flags['data-subject'] === undefined ? {} : { dataSubject: flags['data-subject'] }),
    };
    const result = await withLedger(io, home, (session) =>
      new LedgerService(session.store, { subjectKeys: session.keys }).submitEdit(input, { actor: by, channel: 'cli' }),
    );
    if (json) writeJson(io, result);
    else io.stdout.write(describe(result));
    return ExitCode.ok;
  },
});
