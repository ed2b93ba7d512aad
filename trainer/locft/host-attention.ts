// One layer's attention buffers in the host step engine: padded per-head matrices, all inside one array, because
// sgemmBatch addresses the matrices of a batched product within a single array. Each buffer has one fixed layout,
// so a product only names its operands and the workspace works out every (head, sequence) matrix's offset.
import type { BatchedProduct, Product } from './host-blas.ts';

/** 'q': [H, B, T, hd] (per query head); 'kv': [KV, B, T, hd] (query head h reads kv head h / groups); 's': [H, B, T, T]. */
type Layout = 'q' | 'kv' | 's';

/** A per-(head, sequence) product on workspace buffers: out = op(a) · op(b) for every pair (no accumulation). */
export type HeadProduct = Omit<Product, 'accumulate'>;

export class AttentionWorkspace {
  readonly heap: Float32Array;
  /** Forward: q (after RoPE and 1/sqrt(hd)), k (after RoPE), v, probabilities, probabilities · v. */
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly probs: Float32Array;
  readonly attended: Float32Array;
  /** Backward: gradients of attended, of the probabilities (then of the scores), of q, and of k and v per query head. */
  readonly dAttended: Float32Array;
  readonly dProbs: Float32Array;
  readonly dq: Float32Array;
  readonly dkHeads: Float32Array;
  readonly dvHeads: Float32Array;
  private readonly layoutOf = new Map<Float32Array, Layout>();

  constructor(
    readonly H: number,
    readonly KV: number,
    readonly B: number,
    readonly T: number,
    readonly hd: number,
    /** Storage of n floats, any contents: the buffers whose padding positions are read are zeroed here. */
    allocate: (n: number) => Float32Array,
  ) {
    const size = { q: H * B * T * hd, kv: KV * B * T * hd, s: H * B * T * T };
    this.heap = allocate(6 * size.q + 2 * size.kv + 2 * size.s);
    let at = 0;
    const take = (layout: Layout): Float32Array => {
      const view = this.heap.subarray(at, at + size[layout]);
      at += size[layout];
      this.layoutOf.set(view, layout);
      return view;
    };
    // Forward buffers first; the backward ones are only touched when a gradient is asked for.
    this.q = take('q');
    this.k = take('kv');
    this.v = take('kv');
    this.probs = take('s');
    this.attended = take('q');
    this.dAttended = take('q');
    this.dProbs = take('s');
    this.dq = take('q');
    this.dkHeads = take('q');
    this.dvHeads = take('q');
    // q, k and v are written at real positions only and read at padding ones too (times a zero probability, which
    // must not meet NaN); dAttended is scattered into. Every other buffer is an sgemm output, written whole.
    for (const b of [this.q, this.k, this.v, this.dAttended]) b.fill(0);
  }

  /** The batched sgemm call of a per-(head, sequence) product. */
  product({ out, a, b, ...shape }: HeadProduct): BatchedProduct {
    return { heap: this.heap, out: this.offsets(out), a: this.offsets(a), b: this.offsets(b), ...shape };
  }

  /** Offsets in `heap` of the matrix of every (query head, sequence) pair in one of the workspace's buffers. */
  private offsets(view: Float32Array): Float64Array {
    const layout = this.layoutOf.get(view);
    if (layout === undefined) throw new Error('attention workspace: the operand is not one of its buffers');
    const base = (view.byteOffset - this.heap.byteOffset) / 4;
    const { H, B, T, hd } = this;
    const groups = H / this.KV;
    const out = new Float64Array(H * B);
    for (let head = 0; head < H; head++) {
      for (let b = 0; b < B; b++) {
        const i = head * B + b;
        out[i] =
          base +
          (layout === 's' ? i * T * T : layout === 'q' ? i * T * hd : (Math.floor(head / groups) * B + b) * T * hd);
      }
    }
    return out;
  }
}
