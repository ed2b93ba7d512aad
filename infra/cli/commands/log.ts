// `editledger log [--from POSITION]`: the ledger's events in position order.
import type { LedgerEvent, PositionedEvent } from '../../../domain/events.ts';
import { isLedgerEventType, LEDGER_EVENT_TYPES } from '../../../domain/events.ts';
import { parseRecordedEvent } from '../../../domain/events.ts';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { initialLedgerSummary, evolveLedgerSummary } from '../../../projections/ledger-summary.ts';
import type { CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { renderTable, UsageError, writeJson } from '../format.ts';
import type { TableColumn } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import { POSITION } from '../flag-spec.ts';
import { positionFlag } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

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
    case 'EditApproved':
    case 'EditRejected':
      return `${event.data.editId} ${event.data.factKey}: ${event.data.reason}`;
    case 'BaseModelRegistered':
      return `${event.data.baseModelId} ${event.data.name} ${event.data.baseHash.slice(0, 12)}`;
    case 'TrainingPolicyRegistered':
      return `${event.data.baseModelId}: ${event.data.policy.method} layer ${event.data.policy.layer} ${event.data.policy.module}, lr ${event.data.policy.lr}, batch ${event.data.policy.batchSize}, seed ${event.data.policy.seed}`;
    case 'ModelVersionMaterialized':
      return `${event.data.versionId} at position ${event.data.position}: ${event.data.editIds.length} edits, set ${event.data.editSetHash.slice(0, 12)}${event.data.verdict === undefined ? '' : event.data.verdict.within ? ', within the envelope' : ', OUTSIDE the envelope'}`;
    case 'ServingVersionChanged':
      return `${event.data.outsideEnvelope === true ? 'OUTSIDE THE ENVELOPE: ' : ''}${event.data.previousVersionId ?? '(none)'} -> ${event.data.versionId}: ${event.data.reason}`;
    case 'AuditCheckpointSigned':
      return `signed head ${event.data.position} ${event.data.chainHash.slice(0, 12)} (key ${event.data.keyId})`;
    case 'ServingPinReleased':
      return `pin on ${event.data.versionId} released by ${event.data.releasedBy}: ${event.data.reason}`;
    case 'DataSubjectErased':
      return `data subject ${event.data.keyId} erased: ${event.data.erasedEditIds.length} edits, ${event.data.retiredVersionIds.length} versions retired: ${event.data.reason}`;
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
      recorded.storedAt,
      '?',
      `(unreadable: ${(error as Error).message})`,
    ];
  }
}

async function printSummary(home: string | undefined, json: boolean, io: CliIO): Promise<number> {
  const summary = await withLedgerReadOnly(io, home, async (session) => {
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
  if (json) {
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

export const command = defineCommand({
  name: 'log',
  summary: 'print the ledger events in position order',
  synopsis: '[--from POSITION] [--limit N] [--type TYPE]... [--summary] [options]',
  description: `
Print the ledger's events in position order. With --json, one JSON object per line (JSON Lines):
{position, stream, revision, id, type, storedAt, data, metadata}.`,
  flags: {
    from: positionFlag('start at this position (inclusive; default: the first event)'),
    limit: { type: 'integer', check: POSITION, description: 'at most N events' },
    type: {
      type: 'string',
      multiple: true,
      placeholder: 'TYPE',
      description: 'only events of this type, e.g. EditSubmitted',
    },
    summary: { type: 'boolean', description: 'instead of events, print a summary of the whole ledger' },
  },
  async run({ flags, home, json }, io) {
    if (flags.summary) return printSummary(home, json, io);
    const from = flags.from ?? 0;
    const { limit } = flags;
    const unknown = flags.type.find((type) => !isLedgerEventType(type));
    if (unknown !== undefined)
      throw new UsageError(`--type: no event type "${unknown}"; the types are ${LEDGER_EVENT_TYPES.join(', ')}`);
    const types = flags.type;
    await withLedgerReadOnly(io, home, async (session) => {
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
        if (json) {
          const { position, stream, revision, id, type, storedAt, data, metadata } = recorded;
          io.stdout.write(`${JSON.stringify({ position, stream, revision, id, type, storedAt, data, metadata })}\n`);
          continue;
        }
        rows.push(row(recorded));
        if (rows.length >= CHUNK) flush();
      }
      flush();
      if (!json && printed === 0) io.stdout.write(`no events from position ${from}\n`);
    });
    return ExitCode.ok;
  },
});
