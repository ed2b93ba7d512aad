// torch.optim.Adam as the LocFT authors use it (weight_decay is the classic L2 term added to the gradient, not
// AdamW's decoupled decay):
//   g ← g + wd·p;  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²
//   p ← p − (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + ε)
// Bias corrections are computed on the host in float64, the same way every run, so updates are deterministic.
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { tf } from '../runtime/backend.ts';
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';

export interface AdamConfig {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/**
 * Adam-family moments on the backend: a first (m) and second (v) moment tensor per parameter, zero at the start.
 * Adam here and pretraining's AdamW share it; each keeps its own arithmetic, this only owns the tensors' lifetimes.
 */
export class TensorMoments {
  readonly m = new Map<string, Tensor>();
  readonly v = new Map<string, Tensor>();

  constructor(params: ReadonlyMap<string, Variable>) {
    for (const [name, p] of params) {
      this.m.set(name, tf.zerosLike(p));
      this.v.set(name, tf.zerosLike(p));
    }
  }

  /**
   * One parameter's update: `compute` runs inside tf.tidy on the current moments and returns the new moments and
   * the new parameter value; the parameter takes that value and the old moments are freed.
   */
  update(name: string, p: Variable, compute: (m: Tensor, v: Tensor) => [Tensor, Tensor, Tensor]): void {
    const [m, v, next] = tf.tidy((): [Tensor, Tensor, Tensor] => compute(this.m.get(name)!, this.v.get(name)!));
    p.assign(next);
    next.dispose();
    this.m.get(name)!.dispose();
    this.v.get(name)!.dispose();
    this.m.set(name, m);
    this.v.set(name, v);
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
    this.m.clear();
    this.v.clear();
  }
}

/** An optimizer over named backend parameters with their Adam moments (Adam below, pretraining's AdamW). */
export abstract class MomentOptimizer<Config> {
  protected readonly moments: TensorMoments;

  constructor(
    readonly config: Config,
    protected readonly params: ReadonlyMap<string, Variable>,
  ) {
    this.moments = new TensorMoments(params);
  }

  dispose(): void {
    this.moments.dispose();
  }
}

export class Adam extends MomentOptimizer<AdamConfig> {
  /** Updates applied so far (t). */
  steps = 0;

  /** One update from gradients keyed by parameter name. */
  step(grads: Readonly<Record<string, Tensor>>): void {
    this.steps++;
    const { lr, beta1, beta2, epsilon, weightDecay } = this.config;
    const stepSize = lr / (1 - beta1 ** this.steps);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.steps);
    for (const [name, p] of this.params) {
      const grad = grads[name];
      if (!grad) throw new Error(`Adam: no gradient for "${name}"`);
      this.moments.update(name, p, (m0, v0) => {
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(p, weightDecay)) : grad;
        const m1 = tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), epsilon);
        return [m1, v1, tf.sub(p, tf.mul(tf.div(m1, denom), stepSize))];
      });
    }
  }
}

/** The native twin of HostAdam's loop (native/row-kernels.cc adamStep): same arithmetic, same bits. */
export type AdamStepKernel = RowKernelAddon['adamStep'];

/**
 * The same update on a host Float32Array (the host step engine's tuned matrix), element by element in float64,
 * stored as float32. Updates `param` in place; with `kernel`, the loop runs natively (the host engine passes it).
 */
export class HostAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  steps = 0;

  constructor(
    readonly config: AdamConfig,
    private readonly param: Float32Array,
    private readonly kernel?: AdamStepKernel,
  ) {
    this.m = new Float32Array(param.length);
    this.v = new Float32Array(param.length);
  }

  step(grad: Float32Array): void {
    if (grad.length !== this.param.length)
      throw new Error(`HostAdam: gradient has ${grad.length} elements, the parameter ${this.param.length}`);
    this.steps++;
    const { lr, beta1, beta2, epsilon, weightDecay } = this.config;
    const stepSize = lr / (1 - beta1 ** this.steps);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.steps);
    const { m, v, param: p } = this;
    if (this.kernel) {
      this.kernel(p, grad, m, v, beta1, beta2, epsilon, weightDecay, stepSize, sqrtBc2);
      return;
    }
    for (let i = 0; i < p.length; i++) {
      const g = weightDecay > 0 ? grad[i]! + weightDecay * p[i]! : grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      p[i] = p[i]! - (m[i]! / (Math.sqrt(v[i]!) / sqrtBc2 + epsilon)) * stepSize;
    }
  }
}
