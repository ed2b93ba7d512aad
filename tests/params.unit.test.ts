import test from 'ava';
import { expectedParameterShapes, parseModelConfig } from '../trainer/model/config.ts';
import { expandPatterns, matchesPrefix, parseLayerList, selectParameters } from '../trainer/model/params.ts';

// A 30-layer model's parameter names (the tensors themselves are irrelevant here).
const config = parseModelConfig({
  model_type: 'qwen2',
  vocab_size: 10,
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 30,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  tie_word_embeddings: true,
});
const names = [...expectedParameterShapes(config).keys()];

test('a layer-indexed module pattern selects exactly that tensor (layer 2 never matches 20-29)', (t) => {
  t.deepEqual(selectParameters(names, { pattern: 'model.layers.{}.mlp.down_proj.weight', layers: [2] }, 30), [
    'model.layers.2.mlp.down_proj.weight',
  ]);
  t.deepEqual(selectParameters(names, { pattern: 'model.layers.{}.mlp.down_proj.weight', layers: 21 }, 30), [
    'model.layers.21.mlp.down_proj.weight',
  ]);
});

test('a whole-layer prefix selects every tensor of that layer and nothing of layers 20-29', (t) => {
  const got = selectParameters(names, { pattern: 'model.layers.{}', layers: [2] }, 30);
  t.deepEqual(
    got,
    names.filter((n) => n.split('.')[2] === '2'),
  );
  t.is(got.length, 12); // 2 norms, q/k/v/o weights, q/k/v biases, gate/up/down
  t.true(got.every((n) => n.startsWith('model.layers.2.')));
});

test('lists of layers, duplicates, several patterns; result in model order', (t) => {
  const got = selectParameters(names, { pattern: 'model.layers.{}.mlp.down_proj.weight', layers: [29, 3, 3, 0] }, 30);
  t.deepEqual(got, [
    'model.layers.0.mlp.down_proj.weight',
    'model.layers.3.mlp.down_proj.weight',
    'model.layers.29.mlp.down_proj.weight',
  ]);
  const two = selectParameters(
    names,
    { pattern: ['model.layers.{}.mlp.up_proj', 'model.layers.{}.self_attn.q_proj'], layers: [1] },
    30,
  );
  t.deepEqual(two, [
    'model.layers.1.self_attn.q_proj.weight',
    'model.layers.1.self_attn.q_proj.bias',
    'model.layers.1.mlp.up_proj.weight',
  ]);
  t.deepEqual(selectParameters(names, { pattern: 'model.norm.weight' }, 30), ['model.norm.weight']);
  t.deepEqual(expandPatterns({ pattern: 'model.layers.{}', layers: [5, 1] }, 30), ['model.layers.5', 'model.layers.1']);
});

test('matching is on dotted components only', (t) => {
  t.true(matchesPrefix('model.layers.2.mlp', 'model.layers.2'));
  t.true(matchesPrefix('model.layers.2', 'model.layers.2'));
  t.false(matchesPrefix('model.layers.20.mlp', 'model.layers.2'));
  t.false(matchesPrefix('model.layers.2.mlp.down_proj.weight', 'model.layers.2.mlp.down'));
});

test('errors: out-of-range layers, patterns matching nothing, malformed patterns', (t) => {
  const sel = (pattern: string | string[], layers?: number | number[]) => () =>
    selectParameters(names, layers === undefined ? { pattern } : { pattern, layers }, 30);
  t.throws(sel('model.layers.{}.mlp.down_proj.weight', [30]), {
    message: /layers: layer 30 is out of range; the model has 30 layers \(0-29\)/,
  });
  t.throws(sel('model.layers.{}', [-1]), { message: /layer -1 is out of range/ });
  t.throws(sel('model.layers.{}', [1.5]), { message: /1.5 is not an integer/ });
  t.throws(sel('model.layers.{}.mlp.down', [2]), {
    message: /"model.layers.2.mlp.down" matches no parameter; similar names: model.layers.2.mlp.down_proj.weight/,
  });
  t.throws(sel('model.layers.{}.mlp.down_proj.weight'), { message: /has a "\{\}" placeholder but no layers/ });
  t.throws(sel('model.layers.{}.mlp.down_proj.weight', []), { message: /no layers were given/ });
  t.throws(sel('model.norm.weight', [1]), { message: /no pattern has a "\{\}"/ });
  t.throws(sel('model.layers.{}.{}', [1]), { message: /more than one/ });
  t.throws(sel('model.layers.x{}', [1]), { message: /whole dotted component/ });
  t.throws(sel('model.layers.*.mlp', [1]), { message: /wildcard/ });
  t.throws(sel('model.layers.', [1]), { message: /empty component/ });
  t.throws(sel('lm_head.weight'), { message: /"lm_head.weight" matches no parameter/ }); // tied: no lm_head
  t.throws(sel([], [1]), { message: /at least one pattern/ });
});

test('parseLayerList', (t) => {
  t.deepEqual(parseLayerList('5'), [5]);
  t.deepEqual(parseLayerList('1, 2,7'), [1, 2, 7]);
  t.deepEqual(parseLayerList('0-3,8'), [0, 1, 2, 3, 8]);
  t.throws(() => parseLayerList('3-1'), { message: /runs backwards/ });
  t.throws(() => parseLayerList('a'), { message: /layers: "a" is not a layer index/ });
});
