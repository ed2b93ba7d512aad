// LocFT's delta artifact (manifest, sha256 check, applying it to the base), input refused before training, and the
// evaluation of base and edited model side by side, on the tiny checkpoint of tests/helpers/locft-tiny.ts.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointHash } from '../trainer/checkpoint/hf-checkpoint.ts';
import { evaluateEdits } from '../trainer/eval/evaluate.ts';
import { greedyAnswers, teacherForcedAccuracy } from '../trainer/eval/model-probes.ts';
import {
  applyDelta,
  applyDeltaArtifact,
  buildDeltaArtifact,
  readDeltaArtifact,
  writeDeltaArtifact,
} from '../trainer/locft/delta-artifact.ts';
import { LlamaModel } from '../trainer/model/llama.ts';
import { base, baseHash, ck, model, tokenizer, useTinyLocft } from './helpers/locft-tiny.ts';
import { DOWN1, EDITS, FAST, sha, train } from './helpers/locft-training.ts';

useTinyLocft();

test.serial('delta artifact: manifest, sha256 check, apply to the base, refuse another base', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'locft-delta-'));
  try {
    const r = await train({ hyperParams: { ...FAST, epochs: 2 } });
    const artifact = buildDeltaArtifact(r, { baseHash, edits: EDITS });
    const { deltaPath } = await writeDeltaArtifact(out, artifact);
    const read = await readDeltaArtifact(out);
    t.is(read.manifest?.baseHash, baseHash);
    t.is(read.manifest?.deltaSha256, sha(new Uint8Array(await readFile(deltaPath))));
    t.deepEqual(read.manifest?.lossCurve, r.lossCurve);
    t.is(read.manifest?.hyperParams.lr, FAST.lr);
    t.true((read.manifest?.libraries['tfjsCore'] ?? '').length > 0);
    const edited = join(out, 'edited');
    const { checkpoint, outHash } = await applyDeltaArtifact(ck.dir, out, edited);
    t.is(outHash, await checkpointHash(edited));
    t.deepEqual(checkpoint.tensors.get(DOWN1)!.data, r.tensors.get(DOWN1)!.data);
    t.deepEqual(
      checkpoint.tensors.get('model.layers.0.mlp.down_proj.weight')!.data,
      base.tensors.get('model.layers.0.mlp.down_proj.weight')!.data,
    );
    // Another base: refused by hash.
    await t.throwsAsync(applyDeltaArtifact(edited, out), { message: /was trained on base/ });
    // A tampered delta: refused by the manifest's sha256.
    const bytes = new Uint8Array(await readFile(deltaPath));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await writeFile(deltaPath, bytes);
    await t.throwsAsync(readDeltaArtifact(out), { message: /does not match the manifest/ });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test.serial('an empty edit list and an out-of-range layer are rejected before training', async (t) => {
  await t.throwsAsync(train({ edits: [] }), { message: /edit list is empty/ });
  await t.throwsAsync(train({ hyperParams: { ...FAST, layers: [3] } }), {
    message: /layers: layer 3 is out of range; the model has 3 layers/,
  });
});

test.serial('evaluation: every metric side by side for base and edited model', async (t) => {
  const r = await train();
  const edited = LlamaModel.fromHostTensors(base.config, applyDelta(base, r.tensors).tensors);
  try {
    const edits = EDITS.map((e, i) => ({
      ...e,
      rephrase: [`Well, ${e.prompt.toLowerCase()}`],
      locality: [{ prompt: `Item ${i} is`, ...(i % 2 === 0 && { answer: 'nothing' }) }],
      ...(i === 0 && { portability: [{ prompt: 'The country of Paris is', answer: 'France' }] }),
    }));
    const report = await evaluateEdits({
      base: model,
      edited,
      tokenizer,
      edits,
      capability: {
        heldoutText: ['Paris is a city.', 'Rome is old.'],
        facts: [{ prompt: 'Bern is in', answer: 'Switzerland' }],
      },
      probe: { maxNewTokens: 8 },
    });
    const m = report.metrics;
    t.is(report.edits, 6);
    t.is(m.reliability.n, 6);
    t.is(m.reliability.base, 0);
    t.true(m.reliability.edited! >= 5 / 6);
    t.true(m.reliabilityTf.edited! > m.reliabilityTf.base!);
    t.is(m.generalization.n, 6);
    t.is(m.localityUnchanged.n, 6);
    t.is(m.localityUnchanged.base, null);
    t.true(m.localityUnchanged.edited! >= 0 && m.localityUnchanged.edited! <= 1);
    t.is(m.localityAccuracy.n, 3);
    t.is(m.portability.n, 1);
    t.is(m.perplexity.n, 2);
    t.true(m.perplexity.base! > 1 && m.perplexity.edited! > 1);
    t.is(m.uneditedFactAccuracy.n, 1);
    // The greedy metric agrees with the answers themselves; teacher-forced accuracy is 1 exactly when every
    // target token is the argmax, so a perfect greedy answer implies TF accuracy 1 for that edit.
    const answers = await greedyAnswers(
      edited,
      tokenizer,
      EDITS.map((e) => e.prompt),
      { maxNewTokens: 8 },
    );
    const tfAcc = await teacherForcedAccuracy(edited, tokenizer, EDITS);
    answers.forEach((a, i) => {
      if (a.trim() === EDITS[i]!.target) t.is(tfAcc[i], 1, `edit ${i}`);
    });
    // Evaluating a model against itself: nothing changes.
    const self = await evaluateEdits({ base: model, tokenizer, edits, probe: { maxNewTokens: 8 } });
    t.is(self.metrics.localityUnchanged.edited, 1);
    t.is(self.metrics.reliability.edited, self.metrics.reliability.base);
  } finally {
    edited.dispose();
  }
});
