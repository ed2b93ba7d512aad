// The policy a base is registered with: the paper's defaults, under the model's editing card, under the caller's
// overrides; out-of-range values and modules the model lacks are refused naming the field.
import test from 'ava';
import { InvalidFieldError } from '../domain/errors.ts';
import { DEFAULT_POLICY, trainingPolicyFor } from '../domain/training-policy.ts';

const model = {
  numLayers: 8,
  hasParameter: (name: string) => /^model\.layers\.[0-7]\.mlp\.(down|up)_proj\.weight$/.test(name),
};

test('defaults, then the card, then the overrides; the layer defaults to the middle block', (t) => {
  t.deepEqual(trainingPolicyFor({}, model, {}), { ...DEFAULT_POLICY, layer: 3 });
  const carded = trainingPolicyFor({ layer: 6, lr: 1e-2, epochs: 40 }, model, {});
  t.is(carded.layer, 6);
  t.is(carded.lr, 1e-2);
  t.is(carded.epochs, 40);
  t.is(carded.batchSize, DEFAULT_POLICY.batchSize);
  const overridden = trainingPolicyFor({ layer: 6, lr: 1e-2 }, model, { lr: 3e-3, module: 'mlp.up_proj' });
  t.is(overridden.lr, 3e-3, 'a flag beats the card');
  t.is(overridden.layer, 6, 'the card beats the default');
  t.is(overridden.module, 'mlp.up_proj');
});

test('a layer beyond the model, a module it lacks and a bad range are refused naming the field', (t) => {
  const field = (f: () => unknown) => t.throws(f, { instanceOf: InvalidFieldError })?.field;
  t.is(
    field(() => trainingPolicyFor({}, model, { layer: 8 })),
    'layer',
  );
  t.is(
    field(() => trainingPolicyFor({ module: 'self_attn.q_proj' }, model, {})),
    'module',
  );
  t.is(
    field(() => trainingPolicyFor({}, model, { lr: 0 })),
    'lr',
  );
});
