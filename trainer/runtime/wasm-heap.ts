/**
 * The part of tfjs-backend-wasm's BackendWasm that our JavaScript kernels use, checked at run time.
 *
 * Heap rules (from tfjs-backend-wasm's own kernels): every tensor lives at `memoryOffset` bytes into the single wasm
 * linear memory; `makeOutput` mallocs the output, and malloc may GROW the memory, which detaches every previously
 * taken view of `wasm.HEAPU8.buffer`. So always allocate outputs first, then take views.
 */
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmBackendView {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  getMemoryOffset(dataId: DataId): number;
  wasm: { HEAPU8: Uint8Array };
}

export function wasmBackendView(backend: unknown): WasmBackendView {
  const b = backend as Partial<WasmBackendView> | null;
  if (
    !b ||
    typeof b.makeOutput !== 'function' ||
    typeof b.typedArrayFromHeap !== 'function' ||
    typeof b.getMemoryOffset !== 'function' ||
    !(b.wasm?.HEAPU8 instanceof Uint8Array)
  ) {
    throw new Error('expected the tfjs wasm backend (makeOutput, typedArrayFromHeap, getMemoryOffset, wasm.HEAPU8)');
  }
  return b as WasmBackendView;
}

/** A Float32Array over the whole current wasm memory (re-take after any allocation). */
export function heapF32(backend: WasmBackendView): Float32Array {
  const buf = backend.wasm.HEAPU8.buffer;
  return new Float32Array(buf, 0, buf.byteLength >>> 2);
}
