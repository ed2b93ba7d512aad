// N-API addon: single-precision GEMM for the wasm backend's BatchMatMul and the LocFT host step (see
// trainer/runtime/blas-kernel.ts), on the engine it is linked with (gemm-engine.h: OpenBLAS, or the blocked SGEMM).
//
// The matrices live inside the wasm linear memory. JavaScript passes a Float32Array over that whole memory plus the
// element offset of every matrix, so nothing is copied. Every offset and extent is bounds-checked against the array
// before the engine touches it: a wrong offset is a JavaScript exception, never a write outside the heap.
#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "gemm-engine.h"

namespace editledger {
void RegisterRowKernels(Napi::Env env, Napi::Object exports);  // row-kernels.cc
void RegisterHeadLayout(Napi::Env env, Napi::Object exports);  // head-layout.cc
}

namespace {

struct FloatArray {
  float* data = nullptr;
  size_t length = 0;
};

bool ReadFloat32Array(const Napi::Env& env, const Napi::Value& value, const char* name, FloatArray* out) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(env, std::string(name) + " must be a Float32Array").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  out->data = array.Data();
  out->length = array.ElementLength();
  return true;
}

bool ReadDim(const Napi::Env& env, const Napi::Value& value, const char* name, int* out) {
  if (!value.IsNumber()) {
    Napi::TypeError::New(env, std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double v = value.As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v > 2147483647.0 || std::floor(v) != v) {
    Napi::RangeError::New(env, std::string(name) + " must be a non-negative 32-bit integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Offsets are float64 so they can address every element of a 4 GiB heap exactly.
bool ReadOffsets(const Napi::Env& env, const Napi::Value& value, const char* name, const double** data, size_t* length) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(env, std::string(name) + " must be a Float64Array").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Float64Array array = value.As<Napi::Float64Array>();
  *data = array.Data();
  *length = array.ElementLength();
  return true;
}

bool CheckExtent(const Napi::Env& env, const char* name, double offset, size_t extent, size_t heapLength) {
  if (!(offset >= 0) || std::floor(offset) != offset || offset + static_cast<double>(extent) > static_cast<double>(heapLength)) {
    Napi::RangeError::New(env, std::string(name) + " matrix lies outside the heap").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// sgemmBatch(heap, transA, transB, m, n, k, aOffsets, bOffsets, cOffsets): row-major C = op(A) * op(B) per batch entry.
Napi::Value SgemmBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9) {
    Napi::TypeError::New(env, "sgemmBatch expects 9 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  FloatArray heap;
  int m = 0, n = 0, k = 0;
  const double *aOff = nullptr, *bOff = nullptr, *cOff = nullptr;
  size_t aLen = 0, bLen = 0, cLen = 0;
  if (!ReadFloat32Array(env, info[0], "heap", &heap)) return env.Undefined();
  const bool transA = info[1].ToBoolean().Value();
  const bool transB = info[2].ToBoolean().Value();
  if (!ReadDim(env, info[3], "m", &m) || !ReadDim(env, info[4], "n", &n) || !ReadDim(env, info[5], "k", &k)) {
    return env.Undefined();
  }
  if (!ReadOffsets(env, info[6], "aOffsets", &aOff, &aLen) || !ReadOffsets(env, info[7], "bOffsets", &bOff, &bLen) ||
      !ReadOffsets(env, info[8], "cOffsets", &cOff, &cLen)) {
    return env.Undefined();
  }
  if (aLen != cLen || bLen != cLen) {
    Napi::RangeError::New(env, "aOffsets, bOffsets and cOffsets must have the same length").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t aSize = static_cast<size_t>(m) * k, bSize = static_cast<size_t>(k) * n, cSize = static_cast<size_t>(m) * n;
  for (size_t i = 0; i < cLen; i++) {
    if (!CheckExtent(env, "A", aOff[i], aSize, heap.length) || !CheckExtent(env, "B", bOff[i], bSize, heap.length) ||
        !CheckExtent(env, "C", cOff[i], cSize, heap.length)) {
      return env.Undefined();
    }
  }
  if (m == 0 || n == 0) return env.Undefined();
  const int lda = transA ? m : k, ldb = transB ? k : n, ldc = n;
  for (size_t i = 0; i < cLen; i++) {
    float* c = heap.data + static_cast<size_t>(cOff[i]);
    if (k == 0) {
      for (size_t j = 0; j < cSize; j++) c[j] = 0.0f;
      continue;
    }
    editledger::Gemm(transA, transB, m, n, k, heap.data + static_cast<size_t>(aOff[i]), lda,
                     heap.data + static_cast<size_t>(bOff[i]), ldb, 0.0f, c, ldc);
  }
  return env.Undefined();
}

// sgemm(transA, transB, m, n, k, a, b, c[, beta]): one row-major product c = op(a) · op(b) + beta · c on three
// separate Float32Arrays (beta 0 when omitted; the host step passes 1 to add a product onto a residual in place).
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8 && info.Length() != 9) {
    Napi::TypeError::New(env, "sgemm expects 8 or 9 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int m = 0, n = 0, k = 0;
  FloatArray a, b, c;
  const bool transA = info[0].ToBoolean().Value();
  const bool transB = info[1].ToBoolean().Value();
  if (!ReadDim(env, info[2], "m", &m) || !ReadDim(env, info[3], "n", &n) || !ReadDim(env, info[4], "k", &k) ||
      !ReadFloat32Array(env, info[5], "a", &a) || !ReadFloat32Array(env, info[6], "b", &b) ||
      !ReadFloat32Array(env, info[7], "c", &c)) {
    return env.Undefined();
  }
  float beta = 0.0f;
  if (info.Length() == 9) {
    if (!info[8].IsNumber()) {
      Napi::TypeError::New(env, "beta must be a number").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    beta = static_cast<float>(info[8].As<Napi::Number>().DoubleValue());
  }
  if (a.length < static_cast<size_t>(m) * k || b.length < static_cast<size_t>(k) * n ||
      c.length < static_cast<size_t>(m) * n) {
    Napi::RangeError::New(env, "sgemm: an array is smaller than its matrix").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (m == 0 || n == 0 || k == 0) return env.Undefined();
  editledger::Gemm(transA, transB, m, n, k, a.data, transA ? m : k, b.data, transB ? k : n, beta, c.data, n);
  return env.Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), editledger::EngineInfo());
}

// setNumThreads(n) -> previous: the engine's thread count for the calls that follow (small products run faster on one
// thread than they take to wake a second).
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = 0;
  if (info.Length() != 1 || !ReadDim(env, info[0], "n", &n) || n < 1) {
    if (!env.IsExceptionPending()) Napi::RangeError::New(env, "setNumThreads expects one integer >= 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int previous = editledger::EngineThreads();
  editledger::SetEngineThreads(n);
  return Napi::Number::New(env, previous);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("sgemmBatch", Napi::Function::New(env, SgemmBatch));
  exports.Set("sgemm", Napi::Function::New(env, Sgemm));
  exports.Set("info", Napi::Function::New(env, Info));
  editledger::RegisterRowKernels(env, exports);
  editledger::RegisterHeadLayout(env, exports);
  editledger::RegisterEngineExtras(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(editledger_sgemm, Init)
