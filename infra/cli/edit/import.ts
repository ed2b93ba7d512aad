// `editledger edit import FILE`: bulk-submit a LocFT dataset (ZsRE or CounterFact/WikiBigEdit keys, JSON or JSONL).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseDatasetBytes } from '../../../domain/dataset-formats.ts';
import { uuidV4 } from '../../../domain/ids.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import { ExitCode } from '../command.ts';
import { createProgressBar, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import { byFlag } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const importEdits = defineCommand({
  name: 'edit import',
  summary: 'import a ZsRE / CounterFact dataset (JSON or JSONL)',
  description: `
Import every record of a dataset file as an edit. FILE is a JSON array or JSONL, with ZsRE keys
(src, alt, subject, rephrase, loc, loc_ans) or CounterFact/WikiBigEdit keys (prompt, target_new, subject,
rephrase_prompt, locality_prompt, locality_ground_truth). The whole file is validated before anything is
appended. Each record's source ref is a hash of its content, so importing the same records again appends nothing.

Records of one fact supersede each other in file order. The fact key is the record's fact_key if it has one, else
(subject, relation_id or relation), else (subject, its true answer: ZsRE answers / CounterFact ground_truth), else
the prompt text; the summary says how many records fell back to the prompt.`,
  flags: {
    system: {
      type: 'string',
      placeholder: 'NAME',
      default: 'import',
      description: 'upstream system recorded on each edit',
    },
    reason: { type: 'string', description: 'why (default: "import of <file name>")' },
    by: byFlag('who imports'),
    'no-progress': { type: 'boolean', description: 'no progress bar on stderr' },
  },
  positionals: { placeholder: 'FILE', min: 1, max: 1 },
  async run({ flags, positionals, home, json }, io) {
    const file = resolve(io.cwd, positionals[0]!);
    const { format, requests, factKeyBasis } = parseDatasetBytes(await readFile(file));
    const by = actorFrom(flags.by, io.env);
    const progress = flags['no-progress']
      ? undefined
      : createProgressBar(io.stderr, `importing ${basename(file)}`, requests.length);
    const started = performance.now();
    const result = await withLedger(io, home, (session) =>
      new LedgerService(session.store, { subjectKeys: session.keys }).importEdits(
        requests,
        {
          system: flags.system,
          submittedBy: by,
          reason: flags.reason ?? `import of ${basename(file)}`,
          onProgress: (p) => progress?.update(p.done, `${p.submitted} new, ${p.duplicates} already there`),
        },
        { actor: by, channel: 'cli', correlationId: uuidV4() },
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    progress?.finish(`${result.submitted} new, ${result.duplicates} already there`);
    if (json) writeJson(io, { file, format, ...result, factKeyBasis, seconds: Number(seconds.toFixed(3)) });
    else {
      io.stdout.write(
        `imported ${basename(file)} (${format}): ${result.total} records, ${result.submitted} new edits ` +
          `(${result.superseded} superseding an earlier edit), ${result.duplicates} already in the ledger; ` +
          `head position ${result.position}; ${seconds.toFixed(2)} s\n` +
          `fact keys: ${factKeyBasis.explicit} explicit, ${factKeyBasis.relation} from (subject, relation), ` +
          `${factKeyBasis.answer} from (subject, true answer), ${factKeyBasis.prompt} fell back to the prompt text\n`,
      );
    }
    return ExitCode.ok;
  },
});
