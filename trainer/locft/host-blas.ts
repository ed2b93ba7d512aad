// The host step engine's matrix products: sgemm calls with named arguments, each counted (FLOPs, time inside sgemm)
// and run on one OpenBLAS thread when small. The thread choice is a pure function of the shape, so runs stay
// deterministic.
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';

/** Below this many multiply-adds a product runs on one OpenBLAS thread (measured on models/base: 0, 3e5, 2e6 and
 * "always one" give 14.5, 13.3, 13.7 and 16.5 ms per 100-edit step; the per-edit cache fill is the same either way). */
export const SMALL_PRODUCT_MACS = 300_000;

/** out [m, n] = op(a) [m, k] · op(b) [k, n], row-major; op(x) = xᵀ when its transpose flag is set. */
export interface Product {
  readonly out: Float32Array;
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
  /** out += op(a) · op(b) instead of out = (sgemm's beta = 1). */
  readonly accumulate?: boolean;
}

/** The same product for many matrix triples inside one array (`heap`), addressed by float offsets. */
export interface BatchedProduct {
  readonly heap: Float32Array;
  readonly out: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

export class HostBlas {
  /** Matmul FLOPs (2·m·n·k per product) and wall time inside sgemm since the last resetCounters(). */
  flops = 0;
  sgemmMs = 0;
  private readonly defaultThreads: number;
  private threads: number;

  constructor(
    readonly kernels: RowKernelAddon,
    /** Products below this many multiply-adds run on one OpenBLAS thread. */
    private readonly smallProductMacs = SMALL_PRODUCT_MACS,
  ) {
    this.defaultThreads = kernels.setNumThreads(1);
    kernels.setNumThreads(this.defaultThreads);
    this.threads = this.defaultThreads;
  }

  resetCounters(): void {
    this.flops = 0;
    this.sgemmMs = 0;
  }

  gemm({ out, a, b, m, n, k, transA = false, transB = false, accumulate = false }: Product): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) out.fill(0, 0, m * n);
      return;
    }
    this.useThreads(m * n * k);
    const t0 = performance.now();
    this.kernels.sgemm(transA, transB, m, n, k, a, b, out, accumulate ? 1 : 0);
    this.sgemmMs += performance.now() - t0;
    this.flops += 2 * m * n * k;
  }

  gemmBatch({ heap, out, a, b, m, n, k, transA = false, transB = false }: BatchedProduct): void {
    this.useThreads(m * n * k); // each product of the batch is small
    const t0 = performance.now();
    this.kernels.sgemmBatch(heap, transA, transB, m, n, k, a, b, out);
    this.sgemmMs += performance.now() - t0;
    this.flops += 2 * m * n * k * out.length;
  }

  /** Puts OpenBLAS back to its default thread count. */
  release(): void {
    this.useThreads(Number.POSITIVE_INFINITY);
  }

  /** One thread below smallProductMacs (waking the second costs more than it saves there), the default above. */
  private useThreads(macs: number): void {
    const want = macs < this.smallProductMacs ? 1 : this.defaultThreads;
    if (want !== this.threads) {
      this.kernels.setNumThreads(want);
      this.threads = want;
    }
  }
}
