// `editledger log [--from POSITION]`: the ledger's events in position order.
import type { LedgerEvent, PositionedEvent } from '../../../domain/events.ts';
import { isLedgerEventType, LEDGER_EVENT_TYPES } from '../../../domain/events.ts';
import { parseRecordedEvent } from '../../../domain/events.ts';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { initialLedgerSummary, evolveLedgerSummary } from '../../../projections/ledger-summary.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { parsePositionFlag, renderTable, UsageError, writeJson } from '../format.ts';
import type { TableColumn } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString, runSubcommand, stringList } from '../subcommand.ts';

const usage = `usage: editledger log [--from POSITION] [--limit N] [--type TYPE]... [--summary]

Print the ledger's events in position order. With --json, one JSON object per line (JSON Lines):
{position, stream, revision, id, type, storedAt, data, metadata}.

Options:
  --from POSITION   start at this position (inclusive; default: the first event)
  --limit N         at most N events
  --type TYPE       only events of this type (repeatable), e.g. EditSubmitted
  --summary         instead of events, print a summary of the whole ledger
${COMMON_USAGE}`;

const COLUMNS: readonly TableColumn[] = [
  { header: 'POSITION', width: 9, align: 'right' },
  { header: 'TYPE', width: 24 },
  { header: 'AT', width: 24 },
  { header: 'ACTOR', width: 12 },
  { header: 'WHAT', maxWidth: 100 },
];
const CHUNK = 500;

function what(event: LedgerEvent): string {
  switch (event.type) {
    case 'EditSubmitted':
      return `${event.data.editId} ${event.data.factKey}: "${event.data.prompt}" -> "${event.data.target}"`;
    case 'EditRetracted':
      return `${event.data.editId} ${event.data.factKey}: ${event.data.reason}`;
    case 'EditSuperseded':
      return `${event.data.oldEditId} -> ${event.data.newEditId} (${event.data.factKey})`;
    case 'EditReinstated':
      return `${event.data.editId} ${event.data.factKey}: ${event.data.reason}`;
    case 'BaseModelRegistered':
      return `${event.data.baseModelId} ${event.data.name} ${event.data.baseHash.slice(0, 12)}`;
    case 'TrainingPolicyRegistered':
      return `${event.data.baseModelId}: ${event.data.policy.method} layer ${event.data.policy.layer} ${event.data.policy.module}, lr ${event.data.policy.lr}, batch ${event.data.policy.batchSize}, seed ${event.data.policy.seed}`;
    case 'ModelVersionMaterialized':
      return `${event.data.versionId} at position ${event.data.position}: ${event.data.editIds.length} edits, set ${event.data.editSetHash.slice(0, 12)}`;
    case 'ServingVersionChanged':
      return `${event.data.previousVersionId ?? '(none)'} -> ${event.data.versionId}: ${event.data.reason}`;
  }
}

/** A row for any stored event; one this version cannot parse is shown as such instead of stopping the log. */
function row(recorded: RecordedEvent): string[] {
  try {
    const { event } = parseRecordedEvent(recorded);
    return [String(recorded.position), event.type, event.metadata.recordedAt, event.metadata.actor, what(event)];
  } catch (error) {
    return [
      String(recorded.position),
      recorded.type,
      recorded.recordedAt,
      '?',
      `(unreadable: ${(error as Error).message})`,
    ];
  }
}

async function printSummary(flags: ParsedFlags, io: CliIO): Promise<number> {
  const summary = await withLedgerReadOnly(io, flags.home, async (session) => {
    let state = initialLedgerSummary();
    for await (const recorded of session.store.readAll()) {
      let positioned: PositionedEvent;
      try {
        positioned = parseRecordedEvent(recorded);
      } catch {
        continue; // counted by the store's head position, not by type
      }
      state = evolveLedgerSummary(state, positioned);
    }
    return { ...state.summary, headPosition: await session.store.headPosition() };
  });
  if (flags.json) {
    writeJson(io, summary);
    return ExitCode.ok;
  }
  const lines = [
    ['head position', summary.headPosition],
    ['events', summary.events],
    ...Object.entries(summary.eventsByType)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, n]) => [`  ${type}`, n]),
    ['edits submitted', summary.editsSubmitted],
    ['edits active', summary.activeEdits],
    ['edits retracted', summary.editsRetracted],
    ['edits superseded', summary.editsSuperseded],
    ['edits reinstated', summary.editsReinstated],
    ['fact keys', summary.factKeys],
    ['model versions', summary.modelVersions],
    ['serving version', summary.servingVersionId ?? '(none)'],
  ];
  // Event type names run long (ModelVersionMaterialized): the label column is as wide as the widest label, plus two.
  const width = Math.max(...lines.map(([k]) => String(k).length)) + 2;
  io.stdout.write(lines.map(([k, v]) => `${String(k).padEnd(width)}${String(v)}\n`).join(''));
  return ExitCode.ok;
}

const spec: SubcommandSpec = {
  title: 'editledger log',
  usage,
  options: {
    from: { type: 'string' },
    limit: { type: 'string' },
    type: { type: 'string', multiple: true },
    summary: { type: 'boolean', default: false },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags: ParsedFlags, io: CliIO): Promise<number> {
    if (flags.values.summary === true) return printSummary(flags, io);
    const from = parsePositionFlag(optionalString(flags, 'from'), '--from') ?? 0;
    const limit = parsePositionFlag(optionalString(flags, 'limit'), '--limit');
    const types = stringList(flags, 'type');
    const unknown = types.find((type) => !isLedgerEventType(type));
    if (unknown !== undefined)
      throw new UsageError(`--type: no event type "${unknown}"; the types are ${LEDGER_EVENT_TYPES.join(', ')}`);
    await withLedgerReadOnly(io, flags.home, async (session) => {
      if (limit === 0) return;
      const events = session.store.readAll({
        after: Math.max(0, from - 1),
        ...(limit === undefined ? {} : { maxCount: limit }),
        ...(types.length === 0 ? {} : { filter: { eventTypes: types } }),
      });
      let rows: string[][] = [];
      let printed = 0;
      const flush = () => {
        if (rows.length > 0) io.stdout.write(renderTable(COLUMNS, rows, { header: printed === 0 }));
        printed += rows.length;
        rows = [];
      };
      for await (const recorded of events) {
        if (flags.json) {
          const { position, stream, revision, id, type, recordedAt, data, metadata } = recorded;
          io.stdout.write(
            `${JSON.stringify({ position, stream, revision, id, type, storedAt: recordedAt, data, metadata })}\n`,
          );
          continue;
        }
        rows.push(row(recorded));
        if (rows.length >= CHUNK) flush();
      }
      flush();
      if (!flags.json && printed === 0) io.stdout.write(`no events from position ${from}\n`);
    });
    return ExitCode.ok;
  },
};

export const command: CliCommand = {
  name: 'log',
  summary: 'print the ledger events in position order',
  usage,
  run: (argv, io) => runSubcommand(spec, argv, io),
};
