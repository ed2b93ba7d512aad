import test from 'ava';
import { InvalidFieldError, UnknownEventTypeError } from '../domain/errors.ts';
import type { LedgerEvent } from '../domain/events.ts';
import { LIMITS, parseLedgerEvent, parseRecordedEvent, toNewEvent } from '../domain/events.ts';
import { decideCommand } from '../domain/command-handler.ts';
import { editDecider, initialFactState } from '../domain/edit-decider.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { submitEdit } from './helpers/edit-fixtures.ts';

function validSubmitted(): LedgerEvent {
  const [event] = decideCommand(
    editDecider,
    submitEdit({ evidenceUrl: 'https://example.org/press' }),
    initialFactState(),
  );
  if (event === undefined) throw new Error('fixture: decider emitted nothing');
  return event;
}

/** A stored-event shape: plain JSON, as it comes back from any store. */
function stored(event: LedgerEvent = validSubmitted()): Record<string, any> {
  return JSON.parse(JSON.stringify(toNewEvent(event)));
}

test('a stored EditSubmitted round-trips through toNewEvent and parseLedgerEvent unchanged', (t) => {
  const event = validSubmitted();
  const parsed = parseLedgerEvent(stored(event));
  t.is(canonicalJson(parsed), canonicalJson(event));
  t.is(parsed.type, 'EditSubmitted');
});

test('toNewEvent drops undefined optional fields so the payload is plain JSON', (t) => {
  const [event] = decideCommand(editDecider, submitEdit({ subject: undefined }), initialFactState());
  const data = toNewEvent(event!).data as Record<string, unknown>;
  t.false('subject' in data);
  t.false('evidenceUrl' in data);
});

const huge = 'x'.repeat(LIMITS.prompt + 1);

const badInputs: Array<[string, (e: Record<string, any>) => void, string, RegExp]> = [
  ['prompt of the wrong type', (e) => (e.data.prompt = 42), 'data.prompt', /string/],
  ['missing target', (e) => delete e.data.target, 'data.target', /./],
  ['empty prompt', (e) => (e.data.prompt = '   '), 'data.prompt', /empty/],
  ['huge prompt', (e) => (e.data.prompt = huge), 'data.prompt', /at most 4000/],
  ['lone surrogate (invalid UTF-8 decoded)', (e) => (e.data.target = 'Jane \uD800 Roe'), 'data.target', /surrogate/],
  ['malformed factKey', (e) => (e.data.factKey = 'Acme Corp/CEO'), 'data.factKey', /fact key/],
  ['editId not a UUID', (e) => (e.data.editId = 'edit-1'), 'data.editId', /UUID/],
  ['locality probe without prompt', (e) => (e.data.locality = [{ answer: 'Paris' }]), 'data.locality.0.prompt', /./],
  ['rephrase not an array', (e) => (e.data.rephrase = 'one'), 'data.rephrase', /array/],
  ['too many rephrase prompts', (e) => (e.data.rephrase = Array(LIMITS.probes + 1).fill('q?')), 'data.rephrase', /100/],
  ['unknown data field', (e) => (e.data.promt = 'typo'), 'data.promt', /unknown field/],
  ['wrong schemaVersion', (e) => (e.data.schemaVersion = 2), 'data.schemaVersion', /./],
  ['evidence link not http(s)', (e) => (e.data.evidenceUrl = 'javascript:alert(1)'), 'data.evidenceUrl', /http/],
  ['source without ref', (e) => delete e.data.source.ref, 'data.source.ref', /./],
  ['metadata without actor', (e) => delete e.metadata.actor, 'metadata.actor', /./],
  ['recordedAt not a timestamp', (e) => (e.metadata.recordedAt = 'yesterday'), 'metadata.recordedAt', /ISO-8601/],
  ['correlationId not a UUID', (e) => (e.metadata.correlationId = 7), 'metadata.correlationId', /./],
  ['event id missing', (e) => delete e.id, 'id', /./],
];

for (const [name, mutate, field, reason] of badInputs) {
  test(`bad input: ${name} -> InvalidFieldError naming ${field}`, (t) => {
    const event = stored();
    mutate(event);
    const error = t.throws(() => parseLedgerEvent(event), { instanceOf: InvalidFieldError });
    t.is(error?.field, field);
    t.regex(error?.message ?? '', reason);
    t.true(error?.message.startsWith(`${field}: `));
  });
}

test('bad input: an unknown event type is rejected by name', (t) => {
  const event = { ...stored(), type: 'EditDeleted' };
  const error = t.throws(() => parseLedgerEvent(event), { instanceOf: UnknownEventTypeError });
  t.is(error?.field, 'type');
  t.regex(error?.message ?? '', /EditDeleted/);
});

test('bad input: prototype keys are not event types', (t) => {
  t.throws(() => parseLedgerEvent({ ...stored(), type: 'constructor' }), { instanceOf: UnknownEventTypeError });
  t.throws(() => parseLedgerEvent({ ...stored(), type: 'toString' }), { instanceOf: UnknownEventTypeError });
});

test('bad input: non-objects and a missing type are rejected clearly', (t) => {
  t.throws(() => parseLedgerEvent(null), { instanceOf: InvalidFieldError, message: /object/ });
  t.throws(() => parseLedgerEvent('EditSubmitted'), { instanceOf: InvalidFieldError });
  t.throws(() => parseLedgerEvent([stored()]), { instanceOf: InvalidFieldError });
  const { type: _type, ...untyped } = stored();
  const error = t.throws(() => parseLedgerEvent(untyped), { instanceOf: InvalidFieldError });
  t.is(error?.field, 'type');
});

test('several problems are all listed, the first one is the field', (t) => {
  const event = stored();
  event.data.prompt = '';
  event.data.target = 5;
  const error = t.throws(() => parseLedgerEvent(event), { instanceOf: InvalidFieldError });
  t.is(error?.field, 'data.prompt');
  t.regex(error?.message ?? '', /data\.target/);
});

test('parseRecordedEvent keeps the store position and names it in errors', (t) => {
  const base = {
    ...toNewEvent(validSubmitted()),
    stream: 'fact-acme-corp::ceo',
    revision: 0,
    position: 17,
    storedAt: '2025-01-31T12:00:01.000Z',
  };
  const parsed = parseRecordedEvent(base);
  t.is(parsed.position, 17);
  t.is(parsed.storedAt, '2025-01-31T12:00:01.000Z');
  const broken = { ...base, data: { ...(base.data as object), target: '' } };
  t.throws(() => parseRecordedEvent(broken), { instanceOf: InvalidFieldError, message: /data\.target: .*position 17/ });
});

test('model events have schemas: a valid ServingVersionChanged parses, a bad one names the field', (t) => {
  const metadata = stored().metadata;
  const event = {
    id: '00000000-0000-4000-8000-0000000000aa',
    type: 'ServingVersionChanged',
    data: { schemaVersion: 1, versionId: 'v3', previousVersionId: null, changedBy: 'ops', reason: 'rollback' },
    metadata,
  };
  t.is(parseLedgerEvent(event).type, 'ServingVersionChanged');
  const error = t.throws(() => parseLedgerEvent({ ...event, data: { ...event.data, previousVersionId: undefined } }), {
    instanceOf: InvalidFieldError,
  });
  t.is(error?.field, 'data.previousVersionId');
});

test('ModelVersionMaterialized requires a sha256 artifact hash and a full training policy', (t) => {
  const metadata = stored().metadata;
  const hash = 'a'.repeat(64);
  const event = {
    id: '00000000-0000-4000-8000-0000000000ab',
    type: 'ModelVersionMaterialized',
    data: {
      schemaVersion: 1,
      versionId: 'v1',
      baseModelId: 'tiny',
      baseHash: hash,
      position: 10,
      editSetHash: hash,
      trainingSetHash: hash,
      editIds: ['00000000-0000-4000-8000-0000000000ac'],
      policy: {
        method: 'locft-bf',
        layer: 3,
        module: 'mlp.down_proj',
        optimizer: 'adam',
        lr: 5e-4,
        batchSize: 100,
        epochs: 25,
        stopLoss: 0.01,
        skipBatchLoss: 0.01,
        appendEos: true,
        seed: 42,
      },
      backend: 'wasm-blas',
      artifactSha256: hash,
      artifactUri: 'artifacts/v1.bin',
      metrics: { editSuccess: 1 },
      durationMs: 1200,
    },
    metadata,
  };
  t.is(parseLedgerEvent(event).type, 'ModelVersionMaterialized');
  const bad = structuredClone(event);
  bad.data.artifactSha256 = 'ABC';
  t.is(t.throws(() => parseLedgerEvent(bad), { instanceOf: InvalidFieldError })?.field, 'data.artifactSha256');
  const noSeed = structuredClone(event) as any;
  delete noSeed.data.policy.seed;
  t.is(t.throws(() => parseLedgerEvent(noSeed), { instanceOf: InvalidFieldError })?.field, 'data.policy.seed');
});

test('canonicalJson sorts keys at every depth, has no whitespace, rejects non-JSON values', (t) => {
  t.is(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: undefined }), '{"a":[{"c":null,"d":"x"}],"b":1}');
  t.throws(() => canonicalJson({ a: Number.NaN }), { message: /\$\.a/ });
  t.throws(() => canonicalJson([undefined]), { message: /\$\[0\]/ });
});

test('an event recorded before metadata.channel was named reads its metadata.source as the channel', (t) => {
  const { channel, ...older } = stored().metadata;
  const parsed = parseLedgerEvent({ ...stored(), metadata: { ...older, source: channel } });
  t.is(parsed.metadata.channel, channel);
  t.false(Object.hasOwn(parsed.metadata, 'source'));
  const both = { ...stored(), metadata: { ...stored().metadata, source: 'elsewhere' } };
  t.is(parseLedgerEvent(both).metadata.channel, channel, 'a channel recorded as such is the channel');
});
