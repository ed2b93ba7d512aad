// Issue 13: the change envelope gates promotion, a version outside it is held back and shows up as such, serving it
// needs an explicit (flagged) acceptance by an approver, and a human promote or rollback pins the serving pointer
// until unpin. The CLI commands run in-process on a tiny registered model, as a user runs them; the API in-process.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../infra/cli/command.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as log } from '../infra/cli/commands/log.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { command as promote } from '../infra/cli/commands/promote.ts';
import { command as rollback } from '../infra/cli/commands/rollback.ts';
import { command as trainer } from '../infra/cli/commands/trainer.ts';
import { command as unpin } from '../infra/cli/commands/unpin.ts';
import { command as versions } from '../infra/cli/commands/versions.ts';
import { command as reportCommand } from '../infra/cli/commands/report.ts';
import { ComplianceReportSchema } from '../projections/compliance-report.ts';
import { startInProcessServer } from './helpers/api-harness.ts';
import { runCli } from './helpers/cli-harness.ts';
import { call } from './helpers/serve-process.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';
import { landEdit, QUICK_POLICY, tokensForEveryRole, withTinyHome } from './helpers/tiny-home.ts';

async function setup(t: { teardown(fn: () => Promise<void>): void }, governance?: unknown) {
  const { home, cli, registered } = await withTinyHome(t, {
    prefix: 'governance',
    policy: QUICK_POLICY,
    user: 'reviewer',
    registerArgs: async (home) => {
      if (governance === undefined) return [];
      await writeFile(join(home, 'governance.json'), JSON.stringify(governance));
      return ['--governance', join(home, 'governance.json')];
    },
  });
  let n = 0;
  const submit = async () => {
    n += 1;
    const run = await cli(edit, [...landEdit(n, 'test'), '--json']);
    if (run.code !== 0) throw new Error(run.stderr);
  };
  const listed = async () => JSON.parse((await cli(versions, ['--json'])).stdout);
  const round = async () => {
    const run = await cli(trainer, ['--once', '--json']);
    if (run.code !== 0) throw new Error(run.stderr);
    return run;
  };
  return { home, cli, submit, listed, round, registered };
}

test('a version outside the envelope is held back, shown as such, and served only by an explicit, flagged decision', async (t) => {
  const governance = { envelope: { maxEditsPerVersion: 1 }, autoPromote: 'within-envelope', requireApproval: false };
  const { cli, submit, listed, round, registered } = await setup(t, governance);
  t.regex(registered.stdout, /governance: auto-promote within-envelope; envelope edits <= 1/);

  await submit();
  await round();
  let state = await listed();
  t.is(state.versions.length, 1);
  t.true(state.versions[0].verdict.within);
  t.is(state.serving, state.versions[0].versionId, 'a version within the envelope is promoted automatically');

  await submit();
  await round();
  state = await listed();
  t.is(state.versions.length, 2);
  const [v1, v2] = state.versions;
  t.false(v2.verdict.within);
  t.deepEqual(v2.verdict.failing, [{ metric: 'edits', value: 2, bound: 1, rule: 'max' }]);
  t.is(state.serving, v1.versionId, 'the version outside the envelope is held back');
  t.false(state.pinned);
  const table = await cli(versions, []);
  t.regex(table.stdout, /#2 .* OUTSIDE /);
  t.regex(table.stdout, /#2 is outside the change envelope: edits 2 > 1/);

  const refused = await cli(promote, ['#2', '--reason', 'looks fine']);
  t.is(refused.code, ExitCode.conflict);
  t.regex(refused.stderr, /outside the change envelope \(edits 2 > 1\).*--accept-outside-envelope/);
  t.is((await listed()).serving, v1.versionId, 'nothing changed');

  const accepted = await cli(promote, ['#2', '--reason', 'approved by the review board', '--accept-outside-envelope']);
  t.is(accepted.code, 0, accepted.stderr);
  state = await listed();
  t.is(state.serving, v2.versionId);
  const change = state.servingHistory.at(-1);
  t.like(change, { versionId: v2.versionId, outsideEnvelope: true, changedBy: 'reviewer' });
  t.is(change.automatic, undefined);
  const logged = await cli(log, []);
  t.regex(logged.stdout, /ServingVersionChanged\s+\S+\s+reviewer\s+OUTSIDE THE ENVELOPE: /);
});

test('the API shows the held-back version as outside; serving it takes the approver role, a reason and the acceptance; the report flags it', async (t) => {
  const governance = { envelope: { maxEditsPerVersion: 1 }, autoPromote: 'within-envelope', requireApproval: false };
  const { home, cli, submit, round } = await setup(t, governance);
  await submit();
  await round();
  await submit();
  await round();
  const tokens = tokensForEveryRole(home);
  const server = await startInProcessServer(home);
  t.teardown(() => server.close());
  const api = (method: string, path: string, token: string, body?: unknown) =>
    call(`http://127.0.0.1:${server.port}`, method, path, { token, ...(body !== undefined && { body }) });

  const listed = (await api('GET', '/v1/versions', tokens.auditor)).body;
  const [v1, v2] = listed.versions;
  t.is(listed.serving, v1.versionId, 'held back: #1 still serves');
  t.like(v2, { ordinal: 2, serving: false, verdict: { within: false } });
  t.deepEqual(v2.verdict.failing, [{ metric: 'edits', value: 2, bound: 1, rule: 'max' }]);
  t.deepEqual((await api('GET', '/v1/versions/%232', tokens.auditor)).body.verdict, v2.verdict);
  t.deepEqual(listed.governance.envelope, { maxEditsPerVersion: 1 });

  const promote = (token: string, body: Record<string, unknown>) => api('POST', '/v1/serving/promote', token, body);
  const accepted = { version: '#2', reason: 'board approved', acceptOutsideEnvelope: true };
  t.is((await promote(tokens.submitter, accepted)).status, 403, 'a submitter may not serve');
  t.is((await promote(tokens.auditor, accepted)).status, 403, 'an auditor may not serve');
  const noReason = await promote(tokens.approver, { version: '#2', acceptOutsideEnvelope: true });
  t.is(noReason.status, 400);
  t.is(noReason.body.field, 'body.reason');
  const notAccepted = await promote(tokens.approver, { version: '#2', reason: 'board approved' });
  t.is(notAccepted.status, 409);
  t.regex(notAccepted.body.detail, /outside the change envelope \(edits 2 > 1\)/);
  t.is((await api('GET', '/v1/versions', tokens.auditor)).body.serving, v1.versionId, 'nothing changed');

  const served = await promote(tokens.approver, accepted);
  t.is(served.status, 200, JSON.stringify(served.body));
  const after = (await api('GET', '/v1/versions', tokens.auditor)).body;
  t.is(after.serving, v2.versionId);
  t.true(after.pinned, 'a human decision pins the serving version');
  t.like(after.servingHistory.at(-1), {
    outsideEnvelope: true,
    changedBy: 'token:approver-1',
    reason: 'board approved',
  });
  const release = (token: string) => api('POST', '/v1/serving/release-pin', token, { reason: 'reviewed' });
  t.is((await release(tokens.auditor)).status, 403, 'only an approver releases the pin');
  t.is((await release(tokens.submitter)).status, 403);
  t.is((await release(tokens.approver)).status, 200);
  t.false((await api('GET', '/v1/versions', tokens.auditor)).body.pinned);

  const report = ComplianceReportSchema.parse(JSON.parse((await cli(reportCommand, ['--format', 'json'])).stdout));
  t.is(report.summary.versionsOutsideEnvelope, 1);
  t.deepEqual(
    report.versions.map((v) => v.verdict?.within),
    [true, false],
  );
  t.like(report.servingChanges.at(-1), { ordinal: 2, automatic: false, outsideEnvelope: true });
  t.deepEqual(server.internalErrors, []);
});

test('a human rollback pins the serving version: the trainer does not move it until unpin', async (t) => {
  const { cli, submit, listed, round } = await setup(t); // no envelope: the trainer would promote every version
  await submit();
  await round();
  await submit();
  await round();
  let state = await listed();
  t.is(state.serving, state.versions[1].versionId, 'without a pin the trainer serves each new version');
  t.false(state.pinned);

  const rolled = await cli(rollback, ['--to-version', '#1', '--reason', 'v2 regressed']);
  t.is(rolled.code, 0, rolled.stderr);
  await submit();
  const held = await round();
  t.regex(held.stdout, /"rounds"/);
  state = await listed();
  t.is(state.versions.length, 3, 'the trainer still materializes');
  t.is(state.serving, state.versions[0].versionId, 'but leaves the pinned version served');
  t.true(state.pinned);
  t.regex((await cli(versions, [])).stdout, /pinned by a human decision/);

  const released = await cli(unpin, ['--reason', 'v3 reviewed']);
  t.is(released.code, 0, released.stderr);
  t.regex(released.stdout, /pin released/);
  t.regex((await cli(unpin, ['--reason', 'again'])).stdout, /nothing was pinned/);
  await submit();
  await round();
  state = await listed();
  t.is(state.serving, state.versions[3].versionId, 'after the release the trainer serves new versions again');
  t.false(state.pinned);
  t.like(state.servingHistory.at(-1), { automatic: true });
});

test('a bad governance file is refused naming the field; nothing is recorded', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'editledger-governance-'));
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 99 });
  t.teardown(async () => {
    await rm(home, { recursive: true, force: true });
    await ckpt.cleanup();
  });
  await writeFile(
    join(home, 'g.json'),
    JSON.stringify({ envelope: { minLocality: 2 }, autoPromote: 'sometimes', requireApproval: false }),
  );
  const env = { EDITLEDGER_HOME: home, USER: 'reviewer' };
  const run = await runCli(model, ['register', ckpt.dir, '--governance', join(home, 'g.json')], {
    cwd: process.cwd(),
    env,
  });
  t.is(run.code, ExitCode.invalidInput);
  t.regex(run.stderr, /governance\.envelope\.minLocality: must be in \[0, 1\]/);
  const listed = await runCli(versions, ['--json'], { cwd: process.cwd(), env });
  t.is(JSON.parse(listed.stdout).versions.length, 0);
});

test('four-eyes review: with requireApproval a pending edit is not trained until approved, a rejected one never; verify rebuilds it', async (t) => {
  const governance = { envelope: {}, autoPromote: 'always', requireApproval: true };
  const { home, cli, submit, listed, round } = await setup(t, governance);
  await submit();
  await submit();
  const [first, second] = JSON.parse((await cli(edit, ['list', '--json'])).stdout).edits.map((e: any) => e.editId);
  await round();
  let state = await listed();
  t.deepEqual(state.versions.at(-1).editIds, [], 'nothing approved yet: nothing trained');

  const approved = await cli(edit, ['approve', first, '--reason', 'checked the registry']);
  t.is(approved.code, 0, approved.stderr);
  t.is((await cli(edit, ['approve', first, '--reason', 'again'])).code, ExitCode.invalidInput);
  const rejected = await cli(edit, ['reject', second, '--reason', 'no source']);
  t.is(rejected.code, 0, rejected.stderr);
  await round();
  state = await listed();
  const trained = state.versions.at(-1);
  t.deepEqual(trained.editIds, [first], 'only the approved edit is trained');
  t.true(trained.approvedOnly);
  const shown = JSON.parse((await cli(edit, ['show', second, '--json'])).stdout);
  t.like(shown.review, { decision: 'rejected', by: 'reviewer', reason: 'no source' });

  const { command: verify } = await import('../infra/cli/commands/verify.ts');
  const rebuilt = await cli(verify, ['--version', trained.versionId]);
  t.is(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr);
  t.regex(rebuilt.stdout, /bit-identical rebuild/);

  // Through the API: only an approver reviews; a rejected edit is never approved later, nor trained.
  const tokens = tokensForEveryRole(home);
  const server = await startInProcessServer(home);
  t.teardown(() => server.close());
  const review = (id: string, action: string, token: string) =>
    call(`http://127.0.0.1:${server.port}`, 'POST', `/v1/edits/${id}/${action}`, { token, body: { reason: 'ok' } });
  await submit();
  const third = JSON.parse((await cli(edit, ['list', '--json'])).stdout).edits.find(
    (e: { editId: string }) => e.editId !== first && e.editId !== second,
  ).editId as string;
  t.is((await review(third, 'approve', tokens.submitter)).status, 403);
  t.is((await review(third, 'approve', tokens.auditor)).status, 403);
  const again = await review(second, 'approve', tokens.approver);
  t.is(again.status, 400, 'a rejection is final');
  t.regex(again.body.detail, /already (reviewed|rejected)/);
  const approvedByApi = await review(third, 'approve', tokens.approver);
  t.is(approvedByApi.status, 200, JSON.stringify(approvedByApi.body));
  await round();
  state = await listed();
  t.deepEqual([...state.versions.at(-1).editIds].sort(), [first, third].sort(), 'the rejected edit is still left out');
  t.deepEqual(server.internalErrors, []);
});
