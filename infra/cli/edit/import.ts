// `editledger edit import FILE`: bulk-submit a LocFT dataset (ZsRE or CounterFact/WikiBigEdit keys, JSON or JSONL).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseDatasetBytes } from '../../../domain/dataset-formats.ts';
import { uuidV4 } from '../../../domain/ids.ts';
import { LedgerService } from '../../ledger/ledger-service.ts';
import { ExitCode } from '../command.ts';
import type { CliIO } from '../command.ts';
import { createProgressBar, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString } from '../subcommand.ts';

const usage = `usage: editledger edit import FILE [options]

Import every record of a dataset file as an edit. FILE is a JSON array or JSONL, with ZsRE keys
(src, alt, subject, rephrase, loc, loc_ans) or CounterFact/WikiBigEdit keys (prompt, target_new, subject,
rephrase_prompt, locality_prompt, locality_ground_truth). The whole file is validated before anything is
appended. Each record's source ref is a hash of its content, so importing the same records again appends nothing.

Records of one fact supersede each other in file order. The fact key is the record's fact_key if it has one, else
(subject, relation_id or relation), else (subject, its true answer: ZsRE answers / CounterFact ground_truth), else
the prompt text; the summary says how many records fell back to the prompt.

Options:
  --system NAME    upstream system recorded on each edit (default: import)
  --reason TEXT    why (default: "import of <file name>")
  --by NAME        who imports (default: $EDITLEDGER_ACTOR, else $USER)
  --no-progress    no progress bar on stderr
${COMMON_USAGE}`;

export const importEdits: SubcommandSpec = {
  title: 'editledger edit import',
  usage,
  options: {
    system: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    'no-progress': { type: 'boolean', default: false },
  },
  positionals: { min: 1, max: 1, names: 'exactly one FILE' },
  async run(flags: ParsedFlags, io: CliIO): Promise<number> {
    const file = resolve(io.cwd, flags.positionals[0]!);
    const { format, requests, factKeyBasis } = parseDatasetBytes(await readFile(file));
    const by = actorFrom(optionalString(flags, 'by'), io.env);
    const progress =
      flags.values['no-progress'] === true
        ? undefined
        : createProgressBar(io.stderr, `importing ${basename(file)}`, requests.length);
    const started = performance.now();
    const result = await withLedger(io, flags.home, (session) =>
      new LedgerService(session.store).importEdits(
        requests,
        {
          system: optionalString(flags, 'system') ?? 'import',
          submittedBy: by,
          reason: optionalString(flags, 'reason') ?? `import of ${basename(file)}`,
          onProgress: (p) => progress?.update(p.done, `${p.submitted} new, ${p.duplicates} already there`),
        },
        { actor: by, source: 'cli', correlationId: uuidV4() },
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    progress?.finish(`${result.submitted} new, ${result.duplicates} already there`);
    if (flags.json) writeJson(io, { file, format, ...result, factKeyBasis, seconds: Number(seconds.toFixed(3)) });
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
};
