// AdamW (Loshchilov & Hutter): Adam moments with bias correction, and weight decay applied to the weights directly
// (decoupled), not through the gradient. Decay applies to matrices only; RMSNorm gains and biases are not decayed
// (they are scales and offsets, not capacity). Global-norm gradient clipping happens before the update.
//
// The moments live on the backend as plain tensors owned by this object; `hostState()` / `loadHostState()` move them
// to and from the host for checkpoints, so a resumed run continues with exactly the same optimizer state.

import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { HostTensor } from '../checkpoint/safetensors.ts';
import { MomentOptimizer } from '../locft/adam.ts';
import { tf } from '../runtime/backend.ts';

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export class AdamW extends MomentOptimizer<AdamWConfig> {
  /** Updates applied so far (the t of the bias correction). */
  updates = 0;

  /**
   * Clips the gradients to `maxNorm` (global L2 norm; 0 = no clipping), then applies one AdamW step with learning
   * rate `lr`. Returns the gradient norm before clipping.
   */
  async step(grads: Record<string, Tensor>, lr: number, maxNorm: number): Promise<number> {
    const names = [...this.params.keys()];
    for (const n of names) if (!grads[n]) throw new Error(`AdamW: no gradient for parameter "${n}"`);
    const normT: Scalar = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))) as Scalar);
    const norm = (await normT.data())[0]!;
    normT.dispose();
    if (!Number.isFinite(norm)) throw new Error(`AdamW: gradient norm is ${norm} (diverged); lower the learning rate`);
    const scale = maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
    this.updates++;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const c1 = 1 - beta1 ** this.updates;
    const c2 = 1 - beta2 ** this.updates;
    for (const name of names) {
      const p = this.params.get(name)!;
      const decay = p.rank >= 2 ? weightDecay : 0;
      this.moments.update(name, p, (m0, v0) => {
        const g = scale === 1 ? grads[name]! : tf.mul(grads[name]!, scale);
        const m1 = tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps));
        const decayed = decay > 0 ? tf.mul(p, 1 - lr * decay) : p;
        return [m1, v1, tf.sub(decayed, tf.mul(update, lr))];
      });
    }
    return norm;
  }

  /** The moments as host tensors, keyed "m/<param>" and "v/<param>". */
  async hostState(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [prefix, map] of [
      ['m', this.moments.m],
      ['v', this.moments.v],
    ] as const) {
      for (const [name, t] of map)
        out.set(`${prefix}/${name}`, { shape: t.shape, data: (await t.data()) as Float32Array });
    }
    return out;
  }

  /** Restores moments saved by hostState() and the update count. */
  loadHostState(state: ReadonlyMap<string, HostTensor>, updates: number): void {
    for (const [prefix, map] of [
      ['m', this.moments.m],
      ['v', this.moments.v],
    ] as const) {
      for (const [name, old] of map) {
        const saved = state.get(`${prefix}/${name}`);
        if (!saved) throw new Error(`AdamW state: missing "${prefix}/${name}"`);
        if (saved.shape.join() !== old.shape.join()) {
          throw new Error(`AdamW state: "${prefix}/${name}" has shape [${saved.shape}], expected [${old.shape}]`);
        }
        old.dispose();
        map.set(name, tf.tensor(saved.data, [...saved.shape], 'float32'));
      }
    }
    this.updates = updates;
  }
}
