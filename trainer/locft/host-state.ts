// Every buffer the host step engine writes, by name (llama2.c's RunState): one record per decoder layer for what its
// forward pass keeps for the backward pass, plus the step's own buffers at the top. Each buffer is reused across
// calls, so that a step allocates (and the collector frees) almost nothing; its contents are whatever the last call
// left, and callers either overwrite a buffer whole or zero it.

/** A reusable buffer that grows (by a quarter more than asked) when a call needs more floats than it holds. */
export class Slot {
  private data = new Float32Array(0);

  /** The first n floats. */
  take(n: number): Float32Array {
    if (this.data.length < n) this.data = new Float32Array(Math.ceil(n * 1.25));
    return this.data.subarray(0, n);
  }
}

/** One decoder layer's buffers; rows are the packed batch rows (R), or the rows that go on past attention (n). */
export class LayerState {
  /** input_layernorm: 1/rms of each input row [R] and its output [R, D]. */
  readonly rs1 = new Slot();
  readonly n1 = new Slot();
  /** q|k|v projections [R, (H + 2·KV)·hd]. */
  readonly qkv = new Slot();
  /** The padded per-head attention buffers (host-attention.ts), in one array. */
  readonly attention = new Slot();
  /** Attention output back in packed rows [n, H·hd]. */
  readonly attnRows = new Slot();
  /** The residual stream after attention [n, D]. */
  readonly mid = new Slot();
  /** post_attention_layernorm: 1/rms [n] and output [n, D]. */
  readonly rs2 = new Slot();
  readonly n2 = new Slot();
  /** gate|up projections [n, 2F] and silu(gate)·up [n, F]. */
  readonly gateUp = new Slot();
  readonly act = new Slot();
  /** The layer's output rows [n, D]. */
  readonly out = new Slot();
  /** Backward: dLoss/d(layer input) [R, D]; per layer because the layer below reads it while writing its own. */
  readonly dInput = new Slot();
}

/** The step's buffers. */
export class StepState {
  /** x_L = A + M·Wᵀ [R, D]. */
  readonly x = new Slot();
  /** The target rows of the last hidden state [targets, D] (when no layer runs above L). */
  readonly z = new Slot();
  /** Final norm: 1/rms [targets] and output [targets, D]; logits [targets, V] (then dLoss/dlogits). */
  readonly rsf = new Slot();
  readonly nf = new Slot();
  readonly logits = new Slot();
  /** Backward through the head and the final norm. */
  readonly dnf = new Slot();
  readonly dz = new Slot();
  /** dLoss/dx_L [R, D] (when no layer runs above L: dz scattered back to all rows). */
  readonly dx = new Slot();
  /** Backward scratch of one layer, shared by all (a layer's backward is done before the next begins). */
  readonly dAct = new Slot();
  readonly dGateUp = new Slot();
  readonly dn2 = new Slot();
  readonly dMid = new Slot();
  readonly dAttnRows = new Slot();
  readonly dqkv = new Slot();
  readonly dn1 = new Slot();
  /** The frozen prefix of one edit: its embedded tokens [tokens, D]. */
  readonly embed = new Slot();
  /** The packed batch's residual and mlpHidden (host-batch.ts). */
  readonly packResidual = new Slot();
  readonly packMlpHidden = new Slot();
  private readonly layers: LayerState[] = [];

  constructor(numLayers: number) {
    for (let l = 0; l < numLayers; l++) this.layers.push(new LayerState());
  }

  /** The buffers of decoder layer l (model numbering). */
  layer(l: number): LayerState {
    const state = this.layers[l];
    if (!state) throw new Error(`host step state: no layer ${l}`);
    return state;
  }
}
