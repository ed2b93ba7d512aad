// The versions read model: fold, serving pointer, version references (id, prefix, #N) and diffs.
import test from 'ava';
import type { ModelVersionMaterializedData } from '../domain/events.ts';
import { policyHashOf, versionIdOf } from '../domain/model-version.ts';
import type { ModelLifecycleEvent } from '../domain/model-lifecycle.ts';
import {
  diffVersions,
  findVersion,
  foldVersions,
  resolveVersionRef,
  VersionRefError,
} from '../projections/versions.ts';
import { testUuid } from './helpers/edit-fixtures.ts';
import { hex, TEST_POLICY } from './helpers/model-fixtures.ts';

const policy = TEST_POLICY;
const metadata = {
  actor: 'trainer',
  channel: 'trainer',
  correlationId: testUuid(1),
  causationId: testUuid(2),
  recordedAt: '2025-01-01T00:00:00.000Z',
};
const [e1, e2, e3] = [testUuid(11), testUuid(12), testUuid(13)];

function materialized(
  editSetHash: string,
  editIds: string[],
  metrics: Record<string, number>,
  position: number,
): ModelLifecycleEvent {
  const versionId = versionIdOf({ baseHash: hex('a'), trainingSetHash: editSetHash, policyHash: policyHashOf(policy) });
  const data: ModelVersionMaterializedData = {
    schemaVersion: 1,
    versionId,
    baseModelId: 'tiny',
    baseHash: hex('a'),
    position,
    editSetHash,
    trainingSetHash: editSetHash,
    editIds,
    policy,
    backend: 'wasm',
    artifactSha256: hex('e'),
    artifactUri: `sha256:${hex('e')}`,
    metrics,
    durationMs: 10,
  };
  return { id: testUuid(), type: 'ModelVersionMaterialized', data, metadata };
}

const v1 = materialized(hex('1'), [e1, e2], { reliability: 1, locality: 0.9 }, 5);
const v2 = materialized(hex('2'), [e2, e3], { reliability: 0.5, generalization: 0.4 }, 9);
const idOf = (e: ModelLifecycleEvent) => (e.type === 'ModelVersionMaterialized' ? e.data.versionId : '');
const serve = (versionId: string, previous: string | null): ModelLifecycleEvent => ({
  id: testUuid(),
  type: 'ServingVersionChanged',
  data: { schemaVersion: 1, versionId, previousVersionId: previous, changedBy: 'bob', reason: 'test' },
  metadata,
});

test('fold: versions in ledger order with ordinals, a repeated version counted once, the serving pointer and its history', (t) => {
  const model = foldVersions([
    { event: v1, position: 6 },
    { event: v2, position: 10 },
    { event: v1, position: 11 },
    { event: serve(idOf(v2), null), position: 12 },
    { event: serve(idOf(v1), idOf(v2)), position: 13 },
  ]);
  t.deepEqual(
    model.versions.map((v) => [v.ordinal, v.versionId, v.recordedAtPosition]),
    [
      [1, idOf(v1), 6],
      [2, idOf(v2), 10],
    ],
  );
  t.is(model.serving, idOf(v1));
  t.deepEqual(
    model.servingHistory.map((s) => s.position),
    [12, 13],
  );
  t.is(
    findVersion(model, { baseHash: hex('a'), trainingSetHash: hex('2'), policyHash: policyHashOf(policy) })?.ordinal,
    2,
  );
  t.is(
    findVersion(model, { baseHash: hex('a'), trainingSetHash: hex('3'), policyHash: policyHashOf(policy) }),
    undefined,
  );
});

test('version references: full id, unique prefix, #N; unknown, too short and ambiguous ones are errors naming the field', (t) => {
  const model = foldVersions([
    { event: v1, position: 6 },
    { event: v2, position: 10 },
  ]);
  t.is(resolveVersionRef(model, idOf(v2)).ordinal, 2);
  t.is(resolveVersionRef(model, idOf(v1).slice(0, 8).toUpperCase()).ordinal, 1);
  t.is(resolveVersionRef(model, '#2').versionId, idOf(v2));
  for (const bad of ['#3', 'zz', '0000000', 'abc']) {
    const error = t.throws(() => resolveVersionRef(model, bad), { instanceOf: VersionRefError });
    t.is(error?.field, 'version');
  }
  const twin = (id: string) => {
    const event = materialized(hex('5'), [e1], {}, 3);
    return event.type === 'ModelVersionMaterialized' ? { ...event, data: { ...event.data, versionId: id } } : event;
  };
  const ambiguous = foldVersions([
    { event: twin(`abcd1${'0'.repeat(59)}`), position: 1 },
    { event: twin(`abcd2${'0'.repeat(59)}`), position: 2 },
  ]);
  t.throws(() => resolveVersionRef(ambiguous, 'abcd'), { message: /matches 2 versions \(#1, #2\)/ });
  t.is(resolveVersionRef(ambiguous, 'abcd2').ordinal, 2);
});

test('diff: edits added and removed, and each metric change (missing on one side -> no delta)', (t) => {
  const model = foldVersions([
    { event: v1, position: 6 },
    { event: v2, position: 10 },
  ]);
  const diff = diffVersions(model.versions[0]!, model.versions[1]!);
  t.deepEqual(diff.added, [e3]);
  t.deepEqual(diff.removed, [e1]);
  t.is(diff.unchanged, 1);
  t.true(diff.sameBase && diff.samePolicy);
  t.deepEqual(diff.metrics, [
    { name: 'generalization', from: undefined, to: 0.4, delta: undefined },
    { name: 'locality', from: 0.9, to: undefined, delta: undefined },
    { name: 'reliability', from: 1, to: 0.5, delta: -0.5 },
  ]);
});
