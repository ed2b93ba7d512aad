/**
 * wasm-blas / wasm-blocked: the wasm backend with its BatchMatMul kernel replaced by the native addon's sgemm
 * (native/, built by scripts/build-native.mjs; OpenBLAS `cblas_sgemm` or our blocked SGEMM, see native-addon.ts).
 *
 * The addon reads and writes the wasm linear memory directly (a Float32Array over the whole heap plus element
 * offsets of each matrix), so no tensor is copied. Transposes are passed to BLAS as CblasTrans (no slow transposed
 * path), batch dimensions may broadcast like tfjs (NumPy rules). Anything else (non-float32) goes to the original
 * wasm kernel, which is restored by `uninstallBlasKernel()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { SgemmAddon } from './native-addon.ts';
import { heapF32, wasmBackendView } from './wasm-heap.ts';

// The addon loader lived here before the blocked engine; importers keep using this module.
export {
  hasRowKernels,
  loadSgemmAddon,
  loadNativeEngine,
  nativeEnginePreference,
  SGEMM_ADDON_PATH,
} from './native-addon.ts';
export type { AddonLoad, NativeEngine, RowKernelAddon, SgemmAddon } from './native-addon.ts';

let original: KernelConfig | undefined;
let installed: SgemmAddon | undefined;

/**
 * Makes the wasm backend's BatchMatMul run on `addon`'s sgemm. Idempotent; another addon replaces the installed one.
 * The wasm backend must be initialised.
 */
export function installBlasKernel(addon: SgemmAddon): void {
  if (installed === addon) return;
  uninstallBlasKernel();
  const current = tf.getKernel('BatchMatMul', 'wasm');
  if (!current) throw new Error('wasm backend has no BatchMatMul kernel to replace (is it registered?)');
  original = current;
  const fallback = current.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    // If the backend is (re)initialised after this swap, the original kernel's setup must still run for fallback.
    setupFunc: current.setupFunc,
    kernelFunc: (args) => blasBatchMatMul(addon, fallback, args),
  });
  installed = addon;
}

/** Restores tfjs's own wasm BatchMatMul. Idempotent. */
export function uninstallBlasKernel(): void {
  if (!installed || !original) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(original);
  installed = undefined;
}

export function blasKernelInstalled(): boolean {
  return installed !== undefined;
}

function blasBatchMatMul(addon: SgemmAddon, fallback: KernelFunc, args: Parameters<KernelFunc>[0]): TensorInfo {
  const a = args.inputs['a'];
  const b = args.inputs['b'];
  if (!a || !b) throw new Error('BatchMatMul: inputs a and b are required');
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return fallback(args) as TensorInfo;
  }
  const transA = args.attrs?.['transposeA'] === true;
  const transB = args.attrs?.['transposeB'] === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const kA = a.shape[transA ? ra - 2 : ra - 1]!;
  const kB = b.shape[transB ? rb - 1 : rb - 2]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
        `transposeA=${transA} and transposeB=${transB} must match.`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const backend = wasmBackendView(args.backend);
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  const batch = outBatch.reduce((x, y) => x * y, 1);
  if (batch * m * n === 0) return out;
  if (kA === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  // Element offsets (the wasm allocator aligns tensors to at least 8 bytes, so byte offsets are multiples of 4).
  const aBase = backend.getMemoryOffset(a.dataId) / 4;
  const bBase = backend.getMemoryOffset(b.dataId) / 4;
  const cBase = backend.getMemoryOffset(out.dataId) / 4;
  const aOffsets = new Float64Array(batch);
  const bOffsets = new Float64Array(batch);
  const cOffsets = new Float64Array(batch);
  const aIndex = broadcastIndexer(outBatch, aBatch);
  const bIndex = broadcastIndexer(outBatch, bBatch);
  for (let i = 0; i < batch; i++) {
    aOffsets[i] = aBase + aIndex(i) * m * kA;
    bOffsets[i] = bBase + bIndex(i) * kA * n;
    cOffsets[i] = cBase + i * m * n;
  }
  // The heap view is taken after makeOutput (whose malloc may have grown and detached the memory).
  addon.sgemmBatch(heapF32(backend), transA, transB, m, n, kA, aOffsets, bOffsets, cOffsets);
  return out;
}

/** Maps a flat index in the broadcast batch shape `outShape` to the flat index in the (right-aligned) `inShape`. */
function broadcastIndexer(outShape: number[], inShape: number[]): (flat: number) => number {
  const inSize = inShape.reduce((x, y) => x * y, 1);
  const outSize = outShape.reduce((x, y) => x * y, 1);
  if (inSize === outSize) return (i) => i; // same batch (broadcasting only ever adds 1-sized dims then)
  if (inSize === 1) return () => 0;
  const offset = outShape.length - inShape.length;
  return (flat) => {
    let rest = flat;
    let index = 0;
    let stride = 1;
    for (let d = outShape.length - 1; d >= offset; d--) {
      const outDim = outShape[d]!;
      const coord = rest % outDim;
      rest = (rest - coord) / outDim;
      const inDim = inShape[d - offset]!;
      index += (inDim === 1 ? 0 : coord) * stride;
      stride *= inDim;
    }
    return index;
  };
}
