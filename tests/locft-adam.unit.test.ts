// The two Adam implementations LocFT uses — on tfjs variables (tfjs step) and on a host array (host step) — make
// the same updates (the authors' torch.optim.Adam with L2 weight decay), to float32 rounding, over several steps;
// the host one's native loop gives its JavaScript loop's bits exactly.
import test from 'ava';
import { Adam, HostAdam } from '../trainer/locft/adam.ts';
import { initBackend, tf } from '../trainer/runtime/backend.ts';
import { Rng } from '../trainer/basemodel/rng.ts';
import { hasRowKernels, loadSgemmAddon } from '../trainer/runtime/blas-kernel.ts';

test.before(async () => {
  await initBackend('cpu', { quiet: true });
});

for (const weightDecay of [0, 0.01]) {
  test(`HostAdam == Adam over 5 steps (weight decay ${weightDecay})`, (t) => {
    const rng = new Rng(`adam-${weightDecay}`);
    const n = 257;
    const start = Float32Array.from({ length: n }, () => rng.float() - 0.5);
    const grads = Array.from({ length: 5 }, () => Float32Array.from({ length: n }, () => (rng.float() - 0.5) * 1e-2));
    const config = { lr: 5e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay };
    const v = tf.variable(tf.tensor1d(start));
    const adam = new Adam(config, new Map([['w', v]]));
    const host = new Float32Array(start);
    const hostAdam = new HostAdam(config, host);
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      adam.step({ w: gt });
      gt.dispose();
      hostAdam.step(g);
    }
    const ref = v.dataSync();
    let maxDiff = 0;
    let maxMove = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - host[i]!));
      maxMove = Math.max(maxMove, Math.abs(ref[i]! - start[i]!));
    }
    t.true(maxMove > 1e-3, `the parameters moved (${maxMove})`);
    t.true(maxDiff < 1e-6, `host and tfjs Adam differ by ${maxDiff}`);
    // The native loop (host engine) gives HostAdam's bits exactly.
    const addon = loadSgemmAddon();
    if (addon.ok && hasRowKernels(addon.addon)) {
      const native = new Float32Array(start);
      const kernel = addon.addon.adamStep.bind(addon.addon);
      const nativeAdam = new HostAdam(config, native, kernel);
      for (const g of grads) nativeAdam.step(g);
      t.deepEqual(Buffer.from(native.buffer), Buffer.from(host.buffer), 'native adamStep == HostAdam bit for bit');
    } else {
      t.log('native adamStep not built: only the JavaScript loop was checked');
    }
    adam.dispose();
    v.dispose();
  });
}

test('HostAdam rejects a gradient of the wrong size', (t) => {
  const adam = new HostAdam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, new Float32Array(4));
  t.throws(() => adam.step(new Float32Array(3)), { message: /3 elements, the parameter 4/ });
});
