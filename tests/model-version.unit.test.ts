// Model lifecycle decider: given past events / when a command / then new events or a typed error.
import test from 'ava';
import { InvalidFieldError } from '../domain/errors.ts';
import type { TrainingPolicy } from '../domain/events.ts';
import { eventIdFor } from '../domain/ids.ts';
import type { MaterializeVersionData, ModelCommand, RegisterBaseData } from '../domain/model-commands.ts';
import {
  BaseHashMismatchError,
  BaseModelNotRegisteredError,
  ModelVersionNotFoundError,
  PolicyNotRegisteredError,
} from '../domain/model-errors.ts';
import { activeTraining, modelDecider, parseModelLifecycleEvent } from '../domain/model-lifecycle.ts';
import { baseModelIdOf, policyHashOf, trainingOrder, trainingSetHashOf, versionIdOf } from '../domain/model-version.ts';
import { toNewEvent } from '../domain/events.ts';
import { commandMetadata, testUuid } from './helpers/edit-fixtures.ts';
import { deciderSpec } from './helpers/decider-spec.ts';
import { hex, TEST_POLICY } from './helpers/model-fixtures.ts';

const policy = TEST_POLICY;

function registerData(overrides: Partial<RegisterBaseData> = {}): RegisterBaseData {
  return {
    name: 'tiny',
    baseHash: hex('a'),
    configHash: hex('b'),
    tokenizerHash: hex('c'),
    architecture: 'llama',
    parameterCount: 1000,
    artifactUri: '/models/tiny',
    policy,
    ...overrides,
  };
}
const register = (overrides: Partial<RegisterBaseData> = {}): ModelCommand => ({
  type: 'RegisterBase',
  data: registerData(overrides),
  metadata: commandMetadata(),
});
const baseId = baseModelIdOf('tiny', hex('a'));

function materializeData(overrides: Partial<MaterializeVersionData> = {}): MaterializeVersionData {
  return {
    baseModelId: baseId,
    baseHash: hex('a'),
    position: 7,
    editSetHash: hex('d'),
    trainingSetHash: hex('d'),
    editIds: [testUuid(9001)],
    policy,
    backend: 'wasm',
    artifactSha256: hex('e'),
    artifactUri: 'sha256:' + hex('e'),
    metrics: { reliability: 1 },
    durationMs: 1234,
    ...overrides,
  };
}
const materialize = (overrides: Partial<MaterializeVersionData> = {}): ModelCommand => ({
  type: 'MaterializeVersion',
  data: materializeData(overrides),
  metadata: commandMetadata(),
});
const serve = (versionId: string, reason = 'looks good'): ModelCommand => ({
  type: 'ChangeServingVersion',
  data: { versionId, changedBy: 'bob', reason },
  metadata: commandMetadata(),
});

const { given, when, stateOf } = deciderSpec(modelDecider);

const v1 = versionIdOf({ baseHash: hex('a'), trainingSetHash: hex('d'), policyHash: policyHashOf(policy) });

test('version id: same inputs give the same id; any input changing gives another', (t) => {
  const inputs = { baseHash: hex('a'), trainingSetHash: hex('d'), policyHash: policyHashOf(policy) };
  t.is(versionIdOf(inputs), versionIdOf({ ...inputs }));
  t.regex(versionIdOf(inputs), /^[0-9a-f]{64}$/);
  const others = [
    versionIdOf({ ...inputs, baseHash: hex('1') }),
    versionIdOf({ ...inputs, trainingSetHash: hex('1') }),
    versionIdOf({ ...inputs, policyHash: policyHashOf({ ...policy, seed: 1 }) }),
  ];
  t.is(new Set([versionIdOf(inputs), ...others]).size, 4);
});

test('training set: content order and hash ignore edit ids, fact keys, probes and submission order; content changes it', (t) => {
  const a = { editId: testUuid(1), factKey: 'b::x', prompt: 'The CEO of Acme is', target: 'Jane', rephrase: ['r'] };
  const b = { editId: testUuid(2), factKey: 'a::x', prompt: 'Tiny Land lies in', target: 'Europe', rephrase: [] };
  const aAgain = { ...a, editId: testUuid(3), factKey: 'c::x', rephrase: [] };
  t.deepEqual(
    trainingOrder([a, b]).map((e) => e.prompt),
    trainingOrder([b, a]).map((e) => e.prompt),
  );
  t.is(trainingSetHashOf([a, b]), trainingSetHashOf([b, aAgain]));
  t.not(trainingSetHashOf([a, b]), trainingSetHashOf([{ ...a, target: 'John' }, b]));
  t.not(trainingSetHashOf([a, b]), trainingSetHashOf([a]));
  t.not(trainingSetHashOf([a, b]), trainingSetHashOf([a, b, b]), 'a repeated example counts');
});

test('policy hash ignores key order and a bad hash input is an error naming the field', (t) => {
  const reordered = Object.fromEntries(Object.entries(policy).reverse()) as TrainingPolicy;
  t.is(policyHashOf(reordered), policyHashOf(policy));
  const error = t.throws(() => versionIdOf({ baseHash: 'nope', trainingSetHash: hex('d'), policyHash: hex('f') }), {
    instanceOf: InvalidFieldError,
  });
  t.is(error?.field, 'baseHash');
});

test('given nothing, when RegisterBase, then BaseModelRegistered + TrainingPolicyRegistered and the base is active', (t) => {
  const events = when([], register());
  t.deepEqual(
    events.map((e) => e.type),
    ['BaseModelRegistered', 'TrainingPolicyRegistered'],
  );
  t.is(events[0]!.id, eventIdFor('BaseModelRegistered', baseId));
  const active = activeTraining(stateOf(events));
  t.is(active?.base.baseModelId, baseId);
  t.is(active?.policyHash, policyHashOf(policy));
});

test('given a registered base, when it is registered again with the same policy, then nothing; with another policy, then only the policy', (t) => {
  const history = given(register());
  t.deepEqual(when(history, register()), []);
  const changed = when(history, register({ policy: { ...policy, layer: 2 } }));
  t.deepEqual(
    changed.map((e) => e.type),
    ['TrainingPolicyRegistered'],
  );
});

test('given a registered base, when the same name comes with other weights, then it is a new base; the id names the hash', (t) => {
  const history = given(register());
  const events = when(history, register({ baseHash: hex('9') }));
  t.deepEqual(
    events.map((e) => e.type),
    ['BaseModelRegistered', 'TrainingPolicyRegistered'],
  );
  const [registered] = events;
  if (registered?.type !== 'BaseModelRegistered') return t.fail();
  t.not(registered.data.baseModelId, baseId);
});

test('given a registered base, when MaterializeVersion, then ModelVersionMaterialized with the derived version id and event id', (t) => {
  const events = when(given(register()), materialize());
  t.is(events.length, 1);
  const [event] = events;
  if (event?.type !== 'ModelVersionMaterialized') return t.fail();
  t.is(event.data.versionId, v1);
  t.is(event.id, eventIdFor('ModelVersionMaterialized', v1));
});

test('given a materialized version, when the same inputs are materialized again (other position, duration, metrics), then no event', (t) => {
  const history = given(register(), materialize());
  t.deepEqual(when(history, materialize({ position: 99, durationMs: 5, metrics: { reliability: 0.5 } })), []);
  t.is(
    when(history, materialize({ editSetHash: hex('7') })).length,
    0,
    'another edit-set hash with the same training content is the same version',
  );
  t.is(when(history, materialize({ trainingSetHash: hex('7') })).length, 1);
});

test('given no base, when MaterializeVersion, then BaseModelNotRegisteredError', (t) => {
  t.throws(() => when([], materialize()), { instanceOf: BaseModelNotRegisteredError });
});

test('given a base, when materializing with another base hash or an unregistered policy, then typed errors', (t) => {
  const history = given(register());
  t.throws(() => when(history, materialize({ baseHash: hex('8') })), { instanceOf: BaseHashMismatchError });
  t.throws(() => when(history, materialize({ policy: { ...policy, seed: 42 } })), {
    instanceOf: PolicyNotRegisteredError,
  });
});

test('bad materialization data is an InvalidFieldError naming the field', (t) => {
  const history = given(register());
  const badHash = t.throws(() => when(history, materialize({ artifactSha256: 'xyz' })), {
    instanceOf: InvalidFieldError,
  });
  t.is(badHash?.field, 'artifactSha256');
  const badMetric = t.throws(() => when(history, materialize({ metrics: { reliability: Number.NaN } })), {
    instanceOf: InvalidFieldError,
  });
  t.is(badMetric?.field, 'metrics.reliability');
  const repeated = t.throws(() => when(history, materialize({ editIds: [testUuid(5), testUuid(5)] })), {
    instanceOf: InvalidFieldError,
  });
  t.is(repeated?.field, 'editIds');
});

test('given a version, when ChangeServingVersion, then ServingVersionChanged with actor, reason and the previous version', (t) => {
  const v2Data = { editSetHash: hex('6'), trainingSetHash: hex('6') };
  const history = given(register(), materialize(), materialize(v2Data), serve(v1));
  const v2 = versionIdOf({ baseHash: hex('a'), trainingSetHash: hex('6'), policyHash: policyHashOf(policy) });
  const [event] = when(history, serve(v2, 'rollback test'));
  if (event?.type !== 'ServingVersionChanged') return t.fail();
  t.deepEqual(event.data, {
    schemaVersion: 1,
    versionId: v2,
    previousVersionId: v1,
    changedBy: 'bob',
    reason: 'rollback test',
  });
  t.is(stateOf([...history, event]).serving, v2);
});

test('given the version already served, when ChangeServingVersion to it, then nothing', (t) => {
  t.deepEqual(when(given(register(), materialize(), serve(v1)), serve(v1)), []);
});

test('when serving an unknown version or without a reason, then typed errors', (t) => {
  const history = given(register(), materialize());
  t.throws(() => when(history, serve(hex('0'))), { instanceOf: ModelVersionNotFoundError });
  const noReason = t.throws(() => when(history, serve(v1, '  ')), { instanceOf: InvalidFieldError });
  t.is(noReason?.field, 'reason');
});

test('events round-trip through the stored form and the stream parser', (t) => {
  const history = given(register(), materialize(), serve(v1));
  for (const event of history) {
    const stored = JSON.parse(JSON.stringify(toNewEvent(event))) as {
      id: string;
      type: string;
      data: unknown;
      metadata: unknown;
    };
    t.deepEqual(parseModelLifecycleEvent(stored), event);
  }
  t.throws(
    () => parseModelLifecycleEvent({ id: testUuid(), type: 'TrainingPolicyRegistered', data: {}, metadata: {} }),
    { instanceOf: InvalidFieldError },
  );
});
