// Issue 13: the compliance report against a known ledger built from events in memory: counts, ids, metrics,
// verdicts, serving periods, a flagged rollback and outside-envelope promotion, the period filter, the renderers'
// escaping, and the published schema (the committed file is the generated one; the JSON validates against it).
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { parseLedgerEvent } from '../domain/events.ts';
import type { PositionedEvent } from '../domain/events.ts';
import {
  buildComplianceReport,
  complianceReportJsonSchema,
  ComplianceReportSchema,
} from '../projections/compliance-report.ts';
import type { ComplianceReport } from '../projections/compliance-report.ts';
import { InvalidFieldError } from '../domain/errors.ts';
import { parseReportPeriod } from '../infra/report/period.ts';
import { renderHtml } from '../infra/report/render-html.ts';
import { renderJson } from '../infra/report/render-json.ts';
import { renderMarkdown } from '../infra/report/render-md.ts';
import { hex, TINY_TRAINING_POLICY, tinyBaseData } from './helpers/model-fixtures.ts';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const E = { e1: id(101), e2: id(102), e3: id(103), e4: id(104), e5: id(105) };
const V1 = hex('1');
const V2 = hex('2');
const ENVELOPE_HASH = hex('e');
const POLICY = TINY_TRAINING_POLICY;
/** The metrics every version in the fixture records besides its reliability (and its final loss, not reported). */
const REPORTED_METRICS = {
  reliabilityBase: 0,
  generalization: 0.5,
  locality: 0.9,
  perplexity: 3.3,
  perplexityBase: 3.1,
  uneditedFactAccuracy: 0.8,
  uneditedFactAccuracyBase: 0.9,
  capability: 0.95,
};
const XSS = '<script>alert(1)</script>';

/** A ledger of typed events, each checked by the catalogue's schema, at positions 1.. in the order given. */
function ledger(): PositionedEvent[] {
  let n = 0;
  const events: PositionedEvent[] = [];
  const add = (type: string, at: string, data: Record<string, unknown>, actor = 'alice') => {
    n += 1;
    const metadata = { actor, source: 'test', correlationId: id(n), causationId: id(n), recordedAt: at };
    const event = parseLedgerEvent({ id: id(1000 + n), type, data: { schemaVersion: 1, ...data }, metadata });
    events.push({ event, stream: 'test', revision: n - 1, position: n, storedAt: at });
  };
  const submit = (editId: string, key: string, at: string, extra: Record<string, unknown> = {}) =>
    add('EditSubmitted', at, {
      editId,
      factKey: key,
      prompt: `Who is the ceo of ${key}?`,
      target: `target ${editId.slice(-3)}`,
      rephrase: [],
      locality: [],
      source: { system: 'wikidata-sync', ref: `ref-${editId.slice(-3)}` },
      submittedBy: 'sync-bot',
      reason: 'upstream | correction',
      ...extra,
    });
  const version = (versionId: string, at: string, editIds: string[], reliability: number, within: boolean) =>
    add('ModelVersionMaterialized', at, {
      versionId,
      baseModelId: 'base-1',
      baseHash: hex('b'),
      position: n,
      editSetHash: hex('c'),
      trainingSetHash: hex('d'),
      editIds,
      policy: POLICY,
      backend: 'wasm',
      artifactSha256: versionId === V1 ? hex('a') : hex('f'),
      artifactUri: 'sha256:x',
      metrics: { reliability, ...REPORTED_METRICS, finalLoss: 0.01 },
      durationMs: 10,
      verdict: within
        ? { within: true, failing: [], envelopeHash: ENVELOPE_HASH }
        : {
            within: false,
            failing: [{ metric: 'reliability', value: reliability, bound: 0.9, rule: 'min' }],
            envelopeHash: ENVELOPE_HASH,
          },
    });
  add('BaseModelRegistered', '2025-02-28T09:00:00.000Z', tinyBaseData('base-1', '/models/tiny'));
  add('TrainingPolicyRegistered', '2025-02-28T09:00:00.000Z', {
    baseModelId: 'base-1',
    policy: POLICY,
    policyHash: hex('9'),
    governance: { envelope: { minReliability: 0.9 }, autoPromote: 'within-envelope', requireApproval: true },
  });
  submit(E.e1, 'acme-corp::ceo', '2025-03-01T10:00:00.000Z', { evidenceUrl: 'https://example.org/e1', prompt: XSS });
  submit(E.e2, 'beta-corp::ceo', '2025-03-01T11:00:00.000Z');
  add('EditApproved', '2025-03-01T12:00:00.000Z', {
    editId: E.e1,
    factKey: 'acme-corp::ceo',
    by: 'rita',
    reason: 'source checked',
  });
  version(V1, '2025-03-02T08:00:00.000Z', [E.e1, E.e2], 1, true); // position 6
  add('ServingVersionChanged', '2025-03-02T08:00:01.000Z', {
    versionId: V1,
    previousVersionId: null,
    changedBy: 'trainer',
    reason: 'auto',
    automatic: true,
  });
  submit(E.e3, 'beta-corp::ceo', '2025-03-03T09:00:00.000Z');
  add('EditSuperseded', '2025-03-03T09:00:00.000Z', { oldEditId: E.e2, newEditId: E.e3, factKey: 'beta-corp::ceo' });
  add('EditRetracted', '2025-03-03T10:00:00.000Z', {
    editId: E.e1,
    factKey: 'acme-corp::ceo',
    by: 'bob',
    reason: 'wrong source',
  });
  submit(E.e4, 'gamma-corp::ceo', '2025-03-03T11:00:00.000Z');
  add('EditRejected', '2025-03-03T12:00:00.000Z', {
    editId: E.e4,
    factKey: 'gamma-corp::ceo',
    by: 'rita',
    reason: 'no evidence',
  });
  version(V2, '2025-03-04T08:00:00.000Z', [E.e3], 0.5, false); // position 13
  add('ServingVersionChanged', '2025-03-04T09:00:00.000Z', {
    versionId: V2,
    previousVersionId: V1,
    changedBy: 'rita',
    reason: 'accepted: urgent fix',
    outsideEnvelope: true,
  });
  add('ServingVersionChanged', '2025-03-05T09:00:00.000Z', {
    versionId: V1,
    previousVersionId: V2,
    changedBy: 'rita',
    reason: 'capability regression',
  });
  submit(E.e5, 'delta-corp::ceo', '2025-04-01T09:00:00.000Z');
  return events;
}

const NOT_AVAILABLE = { status: 'not_available', detail: 'no chain verification in this test' } as const;
const report = (from?: string, to?: string): ComplianceReport =>
  buildComplianceReport(ledger(), {
    period: parseReportPeriod(from, to, { from: '--from', to: '--to' }),
    verification: NOT_AVAILABLE,
    generatedAt: new Date('2025-05-01T00:00:00.000Z'),
  });

test('the summary counts every kind of record of the whole ledger', (t) => {
  const r = report();
  t.deepEqual(r.summary, {
    editsSubmitted: 5,
    editsRetracted: 1,
    editsSuperseded: 1,
    editsReinstated: 0,
    editsApproved: 1,
    editsRejected: 1,
    versions: 2,
    servingChanges: 3,
    rollbacks: 1,
    versionsOutsideEnvelope: 1,
    erasures: 0,
  });
  t.deepEqual(r.erasures, { count: 0, dates: [] });
  t.is(r.ledger.headPosition, 16);
  t.is(r.retention.oldestEventAt, '2025-02-28T09:00:00.000Z');
  t.false(r.retention.deletesEvents);
  t.regex(r.retention.statement, /append-only and never deletes events: every event since 2025-02-28/);
  t.deepEqual(r.governance.envelope, { minReliability: 0.9 });
  t.true(r.governance.requireApproval);
});

test('every edit carries its provenance: source, submitter, evidence, approvals, supersessions, retractions', (t) => {
  const edits = new Map(report().edits.map((e) => [e.editId, e]));
  const e1 = edits.get(E.e1)!;
  t.deepEqual(e1.source, { system: 'wikidata-sync', ref: 'ref-065' });
  t.is(e1.submittedBy, 'sync-bot');
  t.is(e1.evidenceUrl, 'https://example.org/e1');
  t.deepEqual(e1.approvals, [
    { decision: 'approved', by: 'rita', reason: 'source checked', at: '2025-03-01T12:00:00.000Z', position: 5 },
  ]);
  t.deepEqual(
    e1.retractions.map((r) => [r.by, r.reason, r.position]),
    [['bob', 'wrong source', 10]],
  );
  t.is(e1.status, 'retracted');
  t.deepEqual(
    edits.get(E.e2)!.supersededBy.map((s) => s.editId),
    [E.e3],
  );
  t.is(edits.get(E.e2)!.status, 'superseded');
  t.deepEqual(
    edits.get(E.e3)!.supersedes.map((s) => s.editId),
    [E.e2],
  );
  t.is(edits.get(E.e4)!.status, 'rejected');
  t.is(edits.get(E.e4)!.approvals[0]?.decision, 'rejected');
  t.is(edits.get(E.e3)!.status, 'pending', 'requireApproval is in force and nobody approved it');
  t.is(edits.get(E.e5)!.status, 'pending');
});

test('versions: edit ids, hashes, metrics against the base, verdicts and the periods they served', (t) => {
  const [v1, v2] = report().versions;
  t.is(v1?.versionId, V1);
  t.deepEqual(v1?.editIds, [E.e1, E.e2]);
  t.is(v1?.editCount, 2);
  t.is(v1?.artifactSha256, hex('a'));
  t.is(v1?.baseHash, hex('b'));
  t.deepEqual(v1?.metrics, { reliability: 1, ...REPORTED_METRICS }, 'every metric but the training loss is reported');
  t.true(v1?.verdict?.within);
  t.deepEqual(v1?.served, [
    { from: '2025-03-02T08:00:01.000Z', to: '2025-03-04T09:00:00.000Z', fromPosition: 7, toPosition: 14 },
    { from: '2025-03-05T09:00:00.000Z', to: null, fromPosition: 15, toPosition: null },
  ]);
  t.false(v2?.verdict?.within);
  t.deepEqual(v2?.verdict?.failing, [{ metric: 'reliability', value: 0.5, bound: 0.9, rule: 'min' }]);
  t.deepEqual(v2?.served, [
    { from: '2025-03-04T09:00:00.000Z', to: '2025-03-05T09:00:00.000Z', fromPosition: 14, toPosition: 15 },
  ]);
});

test('serving changes: the outside-envelope promotion and the rollback are flagged, with actor and reason', (t) => {
  const changes = report().servingChanges;
  t.deepEqual(
    changes.map((c) => [c.ordinal, c.automatic, c.outsideEnvelope, c.rollback, c.changedBy]),
    [
      [1, true, false, false, 'trainer'],
      [2, false, true, false, 'rita'],
      [1, false, false, true, 'rita'],
    ],
  );
  t.is(changes[2]?.reason, 'capability regression');
});

test('the period [from, to) filters by recordedAt; versions served in the period are listed', (t) => {
  const r = report('2025-03-03', '2025-03-05');
  t.deepEqual(r.period, { from: '2025-03-03T00:00:00.000Z', to: '2025-03-05T00:00:00.000Z' });
  t.deepEqual(
    r.edits.map((e) => e.editId),
    [E.e3, E.e4],
  );
  t.is(r.summary.editsSubmitted, 2);
  t.is(r.summary.editsRetracted, 1);
  t.is(r.summary.versions, 1, 'only V2 was recorded in the period');
  t.deepEqual(
    r.versions.map((v) => v.ordinal),
    [1, 2],
    'V1 served during the period',
  );
  t.is(r.summary.servingChanges, 1);
  t.is(r.summary.rollbacks, 0, 'the rollback is on 03-05, the end is exclusive');
  t.deepEqual(r.editsPerDay, [{ day: '2025-03-03', submitted: 2, retracted: 1 }]);
});

test('a bad period names the field', (t) => {
  const bad = t.throws(() => parseReportPeriod('2025-13-01', undefined, { from: '--from', to: '--to' }), {
    instanceOf: InvalidFieldError,
  });
  t.is(bad.field, '--from');
  const order = t.throws(() => parseReportPeriod('2025-03-02', '2025-03-01', { from: '--from', to: '--to' }), {
    instanceOf: InvalidFieldError,
  });
  t.is(order.field, '--to');
  t.is(
    parseReportPeriod('2025-03-01T12:00:00+02:00', undefined, { from: 'f', to: 't' }).from?.toISOString(),
    '2025-03-01T10:00:00.000Z',
  );
});

test('HTML and Markdown render a ledger <script> inert; HTML has the sections and two charts', (t) => {
  const r = report();
  const html = renderHtml(r);
  t.false(html.includes(XSS));
  t.true(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.false(/<script/i.test(html), 'no script element at all');
  t.is(html.match(/<svg[^>]*aria-label="(metrics per version|edits per day)"/g)?.length, 2);
  for (const title of [
    'Summary',
    'Edits',
    'Model versions',
    'Serving changes',
    'Verification',
    'Retention',
    'EU AI Act mapping',
  ])
    t.true(html.includes(`<h2>${title}</h2>`), title);
  t.regex(html, /ROLLBACK/);
  const md = renderMarkdown(r);
  t.false(md.includes('<script'));
  t.true(md.includes('&lt;script>alert(1)&lt;/script>'));
  t.regex(md, /\| Rollbacks \| 1 \|/);
  t.regex(md, /OUTSIDE: reliability 0\.5000 < 0\.9/);
  t.regex(md, /erasures: 0/);
});

test('the JSON report validates against the schema, and the committed schema is the generated one', (t) => {
  const json = JSON.parse(renderJson(report()));
  t.true(ComplianceReportSchema.safeParse(json).success);
  const published = JSON.parse(readFileSync('docs/compliance-report.schema.json', 'utf8')) as Record<string, unknown>;
  t.deepEqual(published, complianceReportJsonSchema());
  // The published file itself, read by a JSON Schema (2020-12) validator that knows nothing of zod.
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(published);
  t.true(validate(json), JSON.stringify(validate.errors));
  t.false(validate({ ...json, summary: { ...json.summary, rollbacks: -1 } }));
  t.false(validate({ ...json, surprise: true }), 'no field the schema does not name');
  const broken = { ...report(), summary: { ...report().summary, rollbacks: -1 } };
  const error = t.throws(() => renderJson(broken), { instanceOf: InvalidFieldError });
  t.is(error.field, 'report.summary.rollbacks');
});

test('every Markdown table row has as many cells as its header (a ledger "|" is escaped)', (t) => {
  const md = renderMarkdown(report());
  const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
  let checked = 0;
  for (const table of md.split(/\n(?!\|)/).map((block) => block.split('\n').filter((l) => l.startsWith('|')))) {
    if (table.length === 0) continue;
    for (const row of table) t.is(cells(row), cells(table[0]!), row.slice(0, 80));
    checked += 1;
  }
  t.true(checked >= 6, `${checked} tables`);
});

test('erasures: counted with their dates only; the erased edit reads [erased]; nothing of the request is repeated', (t) => {
  const KEY_ID = `k${'5'.repeat(24)}`;
  const AT = '2025-04-02T09:00:00.000Z';
  // The ledger as read after `erase`: the erased edit's sealed content opens as the marker.
  const events = ledger().map((p) =>
    p.event.type === 'EditSubmitted' && p.event.data.editId === E.e5
      ? { ...p, event: { ...p.event, data: { ...p.event.data, prompt: '[erased]', target: '[erased]' } } }
      : p,
  );
  const erasure = parseLedgerEvent({
    id: id(2000),
    type: 'DataSubjectErased',
    data: {
      schemaVersion: 1,
      keyId: KEY_ID,
      erasedEditIds: [E.e5],
      retiredVersionIds: [],
      erasedBy: 'dpo-officer',
      reason: 'erasure request 2025-118',
    },
    metadata: { actor: 'dpo-officer', source: 'test', correlationId: id(2000), causationId: id(2000), recordedAt: AT },
  });
  events.push({ event: erasure, stream: 'model-lifecycle', revision: 9, position: 17, storedAt: AT });
  const build = (from?: string) =>
    buildComplianceReport(events, {
      period: parseReportPeriod(from, undefined, { from: '--from', to: '--to' }),
      verification: NOT_AVAILABLE,
      generatedAt: new Date('2025-05-01T00:00:00.000Z'),
    });
  const r = build();
  t.is(r.summary.erasures, 1);
  t.deepEqual(r.erasures, { count: 1, dates: [AT] });
  t.like(
    r.edits.find((e) => e.editId === E.e5),
    { prompt: '[erased]', target: '[erased]' },
  );
  const json = renderJson(r);
  for (const secret of [KEY_ID, 'erasure request 2025-118', 'dpo-officer'])
    t.false(json.includes(secret), `the report does not repeat ${secret}`);
  t.regex(renderMarkdown(r), /erasures: 1 \(2025-04-02T09:00:00\.000Z\)/);
  t.regex(renderHtml(r), /<li>2025-04-02T09:00:00\.000Z<\/li>/);
  t.deepEqual(build('2025-04-03').erasures, { count: 0, dates: [] }, 'outside the period: not counted');
});
