// One error taxonomy: every error editledger raises on purpose has a code and a kind, and the kind alone decides
// the exit code (and, in ingestion, whether a message is a dead letter).
import test from 'ava';
import { LedgerTamperedError } from '../domain/chain.ts';
import { DataSubjectNotFoundError, EditErasedError, VersionRetiredError } from '../domain/erasure-errors.ts';
import {
  DatasetFormatError,
  defineError,
  EditAlreadyActiveError,
  EditAlreadyReviewedError,
  EditAlreadySupersededError,
  EditNotReviewableError,
  EditAlreadyRetractedError,
  EditledgerError,
  EditNotFoundError,
  errorKindOf,
  InvalidFieldError,
  SourceConflictError,
  UnknownEventTypeError,
} from '../domain/errors.ts';
import type { ErrorKind } from '../domain/errors.ts';
import {
  BaseHashMismatchError,
  BaseModelNotRegisteredError,
  ModelVersionNotFoundError,
  OutsideEnvelopeError,
  PolicyNotRegisteredError,
} from '../domain/model-errors.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../domain/ports/event-store.ts';
import { ArtifactNotFoundError, CorruptArtifactError } from '../infra/artifacts/artifact-store.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { exitCodeFor, UsageError } from '../infra/cli/format.ts';
import { NothingToSignError } from '../infra/audit/checkpoints.ts';
import { EventStoreCorruptedError, EventStoreUnavailableError, InvalidEventError } from '../infra/eventstore/errors.ts';
import { PositionOutOfRangeError } from '../infra/readmodel/edit-index.ts';
import { VersionRefError } from '../projections/versions.ts';
import { CheckpointError } from '../trainer/checkpoint/hf-checkpoint.ts';
import { CheckpointFolderNotFoundError } from '../trainer/checkpoint/validate-base.ts';
import { PolicyNotSupportedError } from '../trainer/consumer/locft-editor.ts';
import { PositionBeyondHeadError, RebuildMismatchError } from '../trainer/consumer/materializer.ts';

const cases: Array<[EditledgerError, ErrorKind, ExitCode]> = [
  [new InvalidFieldError('prompt', 'empty'), 'invalid_input', ExitCode.invalidInput],
  [new DatasetFormatError(0, 'alt', 'missing'), 'invalid_input', ExitCode.invalidInput],
  [new EditAlreadyRetractedError('e'), 'invalid_input', ExitCode.invalidInput],
  [new EditNotFoundError('e'), 'not_found', ExitCode.notFound],
  [new SourceConflictError('s', 'r', 'differs'), 'conflict', ExitCode.conflict],
  [new WrongExpectedRevisionError('s', 1, 2), 'conflict', ExitCode.conflict],
  [new EventIdConflictError('id'), 'conflict', ExitCode.conflict],
  [new BaseModelNotRegisteredError(undefined), 'not_found', ExitCode.notFound],
  [new ModelVersionNotFoundError('v'), 'not_found', ExitCode.notFound],
  [new VersionRefError('#9', 'not_found', 'none'), 'not_found', ExitCode.notFound],
  [new VersionRefError('ab', 'ambiguous', 'two'), 'invalid_input', ExitCode.invalidInput],
  [new ArtifactNotFoundError('0'.repeat(64)), 'not_found', ExitCode.notFound],
  [new CorruptArtifactError('0'.repeat(64), 'bytes'), 'internal', ExitCode.failure],
  [new InvalidEventError('events[0].id', 'bad'), 'invalid_input', ExitCode.invalidInput],
  [new EventStoreCorruptedError('/x', 'bad'), 'internal', ExitCode.failure],
  [new EventStoreUnavailableError('down'), 'unavailable', ExitCode.failure],
  [new PositionOutOfRangeError(9, 3), 'invalid_input', ExitCode.invalidInput],
  [new PositionBeyondHeadError(9, 3), 'invalid_input', ExitCode.invalidInput],
  [new RebuildMismatchError('v'.repeat(64), 'a', 'b', []), 'internal', ExitCode.failure],
  [new CheckpointError('bad'), 'invalid_input', ExitCode.invalidInput],
  [new CheckpointFolderNotFoundError('/nope'), 'not_found', ExitCode.notFound],
  [new UnknownEventTypeError('X'), 'invalid_input', ExitCode.invalidInput],
  [new EditAlreadySupersededError('e', 'f'), 'invalid_input', ExitCode.invalidInput],
  [new EditAlreadyActiveError('e'), 'invalid_input', ExitCode.invalidInput],
  [new EditAlreadyReviewedError('e', 'approved'), 'invalid_input', ExitCode.invalidInput],
  [new EditNotReviewableError('e', 'retracted'), 'invalid_input', ExitCode.invalidInput],
  [new PolicyNotRegisteredError('b', 'p'.repeat(64)), 'invalid_input', ExitCode.invalidInput],
  [new BaseHashMismatchError('b', 'a'.repeat(64), 'c'.repeat(64)), 'invalid_input', ExitCode.invalidInput],
  [new OutsideEnvelopeError('v'.repeat(64), 'locality'), 'conflict', ExitCode.conflict],
  [new DataSubjectNotFoundError(), 'not_found', ExitCode.notFound],
  [new VersionRetiredError('v'.repeat(64), 2), 'conflict', ExitCode.conflict],
  [new EditErasedError('e'), 'conflict', ExitCode.conflict],
  [new LedgerTamperedError(3, 'modified'), 'conflict', ExitCode.conflict],
  [new NothingToSignError('empty'), 'invalid_input', ExitCode.invalidInput],
  [new PolicyNotSupportedError('seed', 'too big'), 'invalid_input', ExitCode.invalidInput],
];

test('every error has a stable code and a kind, and the kind alone gives the exit code', (t) => {
  for (const [error, kind, exit] of cases) {
    t.true(error instanceof EditledgerError, error.name);
    t.regex(error.code, /^[a-z_]+$/, error.name);
    t.is(error.kind, kind, error.name);
    t.is(errorKindOf(error), kind, error.name);
    t.is(exitCodeFor(error), exit, error.name);
  }
});

test('what editledger did not raise on purpose is internal; usage errors are the CLI own', (t) => {
  t.is(errorKindOf(new Error('boom')), 'internal');
  t.is(exitCodeFor(new Error('boom')), ExitCode.failure);
  t.is(exitCodeFor(new UsageError('--x')), ExitCode.usage);
  t.is(exitCodeFor(Object.assign(new Error('no file'), { code: 'ENOENT' })), ExitCode.notFound);
});

test('errors of bad input name their field', (t) => {
  t.is(new InvalidFieldError('data.prompt', 'x').field, 'data.prompt');
  t.is(new EditNotFoundError('e').field, 'editId');
  t.is(new InvalidEventError('events[1].data', 'x').field, 'events[1].data');
});

test('a defined error is its own class: its name, message, details, cause and instanceof are per class', (t) => {
  const superseded = new EditAlreadySupersededError('e1', 'e2');
  t.is(superseded.name, 'EditAlreadySupersededError');
  t.is(
    superseded.stack?.split('\n')[0],
    'EditAlreadySupersededError: editId: edit e1 was superseded by e2; retract that one instead',
  );
  t.deepEqual(
    [superseded.code, superseded.field, superseded.editId, superseded.supersededBy],
    ['edit_already_superseded', 'editId', 'e1', 'e2'],
  );
  t.true(superseded instanceof EditAlreadySupersededError && superseded instanceof Error);
  t.false(superseded instanceof EditNotFoundError);
  t.is(new DatasetFormatError(3, undefined, 'not JSON').field, undefined);
  t.is(new DatasetFormatError(3, 'alt', 'missing').message, 'record 3 field "alt": missing');
  const cause = new Error('disk');
  t.is(new EventStoreCorruptedError('/x', 'bad', { cause }).cause, cause);
  t.false('cause' in new EventStoreCorruptedError('/x', 'bad'));
  t.is(new LedgerTamperedError(3, 'modified').position, 3);
});

test('defineError: a class of its own code and kind, with the details it describes', (t) => {
  class ExampleError extends defineError('example_failed', 'unavailable', (host: string) => ({
    message: `${host} is down`,
    host,
  })) {}
  const error = new ExampleError('db1');
  t.deepEqual(
    [error.name, error.code, error.kind, error.message, error.host],
    ['ExampleError', 'example_failed', 'unavailable', 'db1 is down', 'db1'],
  );
  t.true(error instanceof EditledgerError);
  t.is(exitCodeFor(error), ExitCode.failure);
});
