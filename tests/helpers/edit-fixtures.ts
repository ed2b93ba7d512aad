// Builders for edit commands and events in tests: valid by default, overridable field by field.
import type { CommandMetadata } from '../../domain/commands.ts';
import type { ReinstateEdit, RetractEdit, SubmitEdit, SubmitEditData } from '../../domain/edit-commands.ts';

let counter = 0;

/** A fresh, valid UUID v4-shaped id that is deterministic per test run order. */
export function testUuid(n = ++counter): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function commandMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return {
    actor: 'alice',
    channel: 'test',
    commandId: testUuid(),
    correlationId: testUuid(),
    now: '2025-01-31T12:00:00.000Z',
    ...overrides,
  };
}

export function submitData(overrides: Partial<SubmitEditData> = {}): SubmitEditData {
  return {
    factKey: 'acme-corp::ceo',
    prompt: 'Who is the CEO of Acme Corp?',
    target: 'Jane Roe',
    subject: 'Acme Corp',
    rephrase: ['Acme Corp is led by which CEO?'],
    locality: [{ prompt: 'What is the capital of France?', answer: 'Paris' }],
    source: { system: 'wikidata-sync', ref: 'Q1-P169-1' },
    submittedBy: 'alice',
    reason: 'board announcement',
    ...overrides,
  };
}

export function submitEdit(overrides: Partial<SubmitEditData> = {}, metadata?: Partial<CommandMetadata>): SubmitEdit {
  return { type: 'SubmitEdit', data: submitData(overrides), metadata: commandMetadata(metadata) };
}

export function reinstateEdit(
  editId: string,
  factKey = 'acme-corp::ceo',
  reason = 'retracted by mistake',
): ReinstateEdit {
  return { type: 'ReinstateEdit', data: { editId, factKey, reason, by: 'carol' }, metadata: commandMetadata() };
}

export function retractEdit(editId: string, factKey = 'acme-corp::ceo', reason = 'wrong source'): RetractEdit {
  return { type: 'RetractEdit', data: { editId, factKey, reason, by: 'bob' }, metadata: commandMetadata() };
}
