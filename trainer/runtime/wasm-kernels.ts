/**
 * Kernels the wasm backend lacks but training needs, written in JavaScript over the wasm heap.
 *
 * UnsortedSegmentSum: tfjs's gradient of `gather` (and so of embedding lookups and of picking target-token
 * log-probabilities) scatters the incoming gradient with UnsortedSegmentSum, which tfjs-backend-wasm 4.22 does not
 * implement ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). Registering it here makes tfjs's own
 * gather gradient work on wasm, so no custom gradient is needed for embeddings.
 * Cost: one zero-fill of the output (numSegments x inner floats, e.g. the whole embedding table for an embedding
 * gradient) plus one pass over the input; memory-bound, ~1 GB/s in V8, so well below matmul time in a train step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmBackendView } from './wasm-heap.ts';

function unsortedSegmentSum(args: Parameters<KernelFunc>[0]): TensorInfo {
  const x = args.inputs['x'];
  const segmentIds = args.inputs['segmentIds'];
  const numSegments = Number(args.attrs?.['numSegments']);
  if (!x || !segmentIds) throw new Error('UnsortedSegmentSum: inputs x and segmentIds are required');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm, editledger): unsupported dtype ${x.dtype}`);
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  const idsRank = segmentIds.shape.length;
  const prefixOk = segmentIds.shape.every((d, i) => x.shape[i] === d);
  if (!prefixOk) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const rowShape = x.shape.slice(idsRank);
  const inner = rowShape.reduce((a, b) => a * b, 1);
  const backend = wasmBackendView(args.backend);
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views are taken after makeOutput: its malloc may grow (and so detach) the wasm memory.
  const outValues = backend.typedArrayFromHeap(out);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outValues.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue; // TensorFlow semantics: out-of-range ids are dropped
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outValues[dst + j] = (outValues[dst + j] as number) + (xValues[src + j] as number);
  }
  return out;
}

const configs: KernelConfig[] = [
  { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum },
];

const axisNormalised = new Set<string>();

/**
 * tfjs 4.22's Cumsum/Cumprod kernels use the raw axis: with axis -1, wasm reads and writes outside its tensors (the
 * call "succeeds" and a later, unrelated op crashes with "memory access out of bounds") and cpu returns an empty
 * tensor. Wrap the original kernels so they only ever see a non-negative axis.
 */
function normaliseAxisOf(kernelName: string, backendName: string): void {
  const key = `${kernelName}/${backendName}`;
  const original = tf.getKernel(kernelName, backendName);
  if (axisNormalised.has(key) || !original) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const axis = Number(args.attrs?.['axis'] ?? 0);
      const rank = args.inputs['x']?.shape.length ?? 0;
      const attrs = { ...args.attrs, axis: axis < 0 ? axis + rank : axis };
      return original.kernelFunc({ ...args, attrs });
    },
  });
  axisNormalised.add(key);
}

/** Registers the missing kernels for 'wasm' (idempotent; never overrides a kernel tfjs itself provides). */
export function registerWasmGradientKernels(): void {
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  normaliseCumulativeAxis('wasm');
}

/** See normaliseAxisOf. Idempotent; call after the backend's kernels are registered. */
export function normaliseCumulativeAxis(backendName: 'wasm' | 'cpu'): void {
  normaliseAxisOf('Cumsum', backendName);
  normaliseAxisOf('Cumprod', backendName);
}
