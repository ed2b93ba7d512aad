// N-API addon, part 3: the attention layout moves of the LocFT host step (trainer/locft/host-step.ts). The step
// keeps rows PACKED (real tokens only) for its linear layers and a padded per-head layout [head, sequence, position,
// headDim] for attention; these kernels move between the two, applying RoPE (and q's 1/sqrt(headDim)) on the way in
// and its transpose on the way back. The arithmetic is the JavaScript it replaces, in the same order and in double
// precision, rounded to float on store, so results are the same bits. Every index is checked against the arrays.
#include <napi.h>

#include "napi-args.h"

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>

namespace editledger {

namespace {

// The batch geometry every kernel takes: dims = [B, T, H, KV, hd] (Int32Array), offsets[B] and lengths[B] (packed
// rows of each sequence), and the RoPE tables cos/sin [positions, hd/2].
struct Geometry {
  size_t B = 0, T = 0, H = 0, KV = 0, hd = 0, rows = 0;
  const int32_t* offsets = nullptr;
  const int32_t* lengths = nullptr;
  size_t QSize() const { return H * B * T * hd; }
  size_t KvSize() const { return KV * B * T * hd; }
  size_t Width() const { return (H + 2 * KV) * hd; }
  size_t At(size_t head, size_t b, size_t t) const { return ((head * B + b) * T + t) * hd; }
};

bool ReadGeometry(const Napi::Env& env, const Napi::CallbackInfo& info, size_t at, Geometry* g) {
  int32_t *dims = nullptr, *offsets = nullptr, *lengths = nullptr;
  size_t nDims = 0, nOff = 0, nLen = 0;
  if (!ReadArray(env, info[at], napi_int32_array, "dims", &dims, &nDims) || !ReadArray(env, info[at + 1], napi_int32_array, "offsets", &offsets, &nOff) ||
      !ReadArray(env, info[at + 2], napi_int32_array, "lengths", &lengths, &nLen)) {
    return false;
  }
  if (nDims != 5) return Fail(env, "dims must be [B, T, H, KV, hd]");
  for (size_t i = 0; i < 5; i++)
    if (dims[i] <= 0) return Fail(env, "dims must be positive");
  g->B = dims[0], g->T = dims[1], g->H = dims[2], g->KV = dims[3], g->hd = dims[4];
  if (g->hd % 2 != 0 || g->H % g->KV != 0) return Fail(env, "hd must be even and H a multiple of KV");
  if (nOff < g->B || nLen < g->B) return Fail(env, "offsets and lengths need B entries");
  g->offsets = offsets;
  g->lengths = lengths;
  for (size_t b = 0; b < g->B; b++) {
    if (offsets[b] < 0 || lengths[b] < 0 || static_cast<size_t>(lengths[b]) > g->T) return Fail(env, "a sequence is longer than T");
    g->rows = std::max(g->rows, static_cast<size_t>(offsets[b]) + static_cast<size_t>(lengths[b]));
  }
  return true;
}

bool CheckSize(const Napi::Env& env, const char* name, size_t have, size_t need) {
  return have >= need || Fail(env, std::string(name) + " is smaller than the batch geometry needs");
}

// qkvToHeads(qkv, dims, offsets, lengths, cos, sin, scale, q, k, v): rows of [q heads | k heads | v heads] ->
// q (RoPE, times scale), k (RoPE) and v in the padded per-head layout.
Napi::Value QkvToHeads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  float *qkv = nullptr, *cs = nullptr, *sn = nullptr, *q = nullptr, *k = nullptr, *v = nullptr;
  size_t nQkv = 0, nCos = 0, nSin = 0, nQ = 0, nK = 0, nV = 0;
  if (info.Length() != 10 || !ReadArray(env, info[0], napi_float32_array, "qkv", &qkv, &nQkv) || !ReadGeometry(env, info, 1, &g) ||
      !ReadArray(env, info[4], napi_float32_array, "cos", &cs, &nCos) || !ReadArray(env, info[5], napi_float32_array, "sin", &sn, &nSin) ||
      !info[6].IsNumber() || !ReadArray(env, info[7], napi_float32_array, "q", &q, &nQ) ||
      !ReadArray(env, info[8], napi_float32_array, "k", &k, &nK) || !ReadArray(env, info[9], napi_float32_array, "v", &v, &nV)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "qkvToHeads(qkv, dims, offsets, lengths, cos, sin, scale, q, k, v)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double scale = info[6].As<Napi::Number>().DoubleValue();
  const size_t half = g.hd / 2, width = g.Width();
  if (!CheckSize(env, "qkv", nQkv, g.rows * width) || !CheckSize(env, "cos", nCos, g.T * half) || !CheckSize(env, "sin", nSin, g.T * half) ||
      !CheckSize(env, "q", nQ, g.QSize()) || !CheckSize(env, "k", nK, g.KvSize()) || !CheckSize(env, "v", nV, g.KvSize())) {
    return env.Undefined();
  }
  auto rope = [&](const float* src, float* dst, size_t t, double s) {
    const float* c = cs + t * half;
    const float* si = sn + t * half;
    for (size_t j = 0; j < half; j++) {
      const double x1 = src[j], x2 = src[half + j];
      dst[j] = static_cast<float>((x1 * c[j] - x2 * si[j]) * s);
      dst[half + j] = static_cast<float>((x2 * c[j] + x1 * si[j]) * s);
    }
  };
  for (size_t b = 0; b < g.B; b++) {
    for (size_t t = 0; t < static_cast<size_t>(g.lengths[b]); t++) {
      const float* row = qkv + (g.offsets[b] + t) * width;
      for (size_t h = 0; h < g.H; h++) rope(row + h * g.hd, q + g.At(h, b, t), t, scale);
      for (size_t h = 0; h < g.KV; h++) {
        rope(row + (g.H + h) * g.hd, k + g.At(h, b, t), t, 1.0);
        const float* src = row + (g.H + g.KV + h) * g.hd;
        float* dst = v + g.At(h, b, t);
        for (size_t j = 0; j < g.hd; j++) dst[j] = src[j];
      }
    }
  }
  return env.Undefined();
}

// Shared by headsToRows / rowsToHeads: rows[n] are packed row indices, seqOf[rows] their sequence.
bool ReadRowList(const Napi::Env& env, const Napi::CallbackInfo& info, size_t at, const Geometry& g, int32_t** rows, size_t* n, int32_t** seqOf) {
  size_t nSeq = 0;
  if (!ReadArray(env, info[at], napi_int32_array, "rows", rows, n) || !ReadArray(env, info[at + 1], napi_int32_array, "seqOf", seqOf, &nSeq)) return false;
  if (nSeq < g.rows) return Fail(env, "seqOf needs an entry per packed row");
  for (size_t r = 0; r < *n; r++) {
    const int32_t row = (*rows)[r];
    if (row < 0 || static_cast<size_t>(row) >= g.rows) return Fail(env, "rows: index outside the batch");
    const int32_t b = (*seqOf)[row];
    if (b < 0 || static_cast<size_t>(b) >= g.B || row < g.offsets[b] || row >= g.offsets[b] + g.lengths[b]) return Fail(env, "seqOf: row outside its sequence");
  }
  return true;
}

// headsToRows(heads, dims, offsets, lengths, rows, seqOf, out) / rowsToHeads(src, dims, offsets, lengths, rows, seqOf,
// heads): out[r, h·hd + j] = heads[h, b, t, j] for the packed row rows[r] = offsets[b] + t, and back (the heads
// buffer is zeroed by the caller; only the listed rows are written).
Napi::Value MoveRows(const Napi::CallbackInfo& info, bool toRows) {
  Napi::Env env = info.Env();
  Geometry g;
  float *src = nullptr, *dst = nullptr;
  size_t nSrc = 0, nDst = 0, n = 0;
  int32_t *rows = nullptr, *seqOf = nullptr;
  if (info.Length() != 7 || !ReadArray(env, info[0], napi_float32_array, "src", &src, &nSrc) || !ReadGeometry(env, info, 1, &g) ||
      !ReadRowList(env, info, 4, g, &rows, &n, &seqOf) || !ReadArray(env, info[6], napi_float32_array, "dst", &dst, &nDst)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "(src, dims, offsets, lengths, rows, seqOf, dst)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t rowWidth = g.H * g.hd;
  if (!CheckSize(env, toRows ? "heads" : "rows array", nSrc, toRows ? g.QSize() : n * rowWidth) ||
      !CheckSize(env, toRows ? "rows array" : "heads", nDst, toRows ? n * rowWidth : g.QSize())) {
    return env.Undefined();
  }
  for (size_t r = 0; r < n; r++) {
    const size_t b = seqOf[rows[r]], t = rows[r] - g.offsets[b];
    for (size_t h = 0; h < g.H; h++) {
      float* packed = (toRows ? dst : src) + r * rowWidth + h * g.hd;
      float* head = (toRows ? src : dst) + g.At(h, b, t);
      if (toRows) for (size_t j = 0; j < g.hd; j++) packed[j] = head[j];
      else for (size_t j = 0; j < g.hd; j++) head[j] = packed[j];
    }
  }
  return env.Undefined();
}

Napi::Value HeadsToRows(const Napi::CallbackInfo& info) { return MoveRows(info, true); }
Napi::Value RowsToHeads(const Napi::CallbackInfo& info) { return MoveRows(info, false); }

// headsToQkvGrad(dq, dk, dv, dims, offsets, lengths, cos, sin, scale, dqkv): the gradient of qkvToHeads' input.
// dk and dv are per QUERY head ([H, B, T, hd]); a kv head receives the float sum of its query heads' gradients.
Napi::Value HeadsToQkvGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  float *dq = nullptr, *dk = nullptr, *dv = nullptr, *cs = nullptr, *sn = nullptr, *out = nullptr;
  size_t nDq = 0, nDk = 0, nDv = 0, nCos = 0, nSin = 0, nOut = 0;
  if (info.Length() != 10 || !ReadArray(env, info[0], napi_float32_array, "dq", &dq, &nDq) || !ReadArray(env, info[1], napi_float32_array, "dk", &dk, &nDk) ||
      !ReadArray(env, info[2], napi_float32_array, "dv", &dv, &nDv) || !ReadGeometry(env, info, 3, &g) ||
      !ReadArray(env, info[6], napi_float32_array, "cos", &cs, &nCos) || !ReadArray(env, info[7], napi_float32_array, "sin", &sn, &nSin) ||
      !info[8].IsNumber() || !ReadArray(env, info[9], napi_float32_array, "dqkv", &out, &nOut)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "headsToQkvGrad(dq, dk, dv, dims, offsets, lengths, cos, sin, scale, dqkv)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double scale = info[8].As<Napi::Number>().DoubleValue();
  const size_t half = g.hd / 2, width = g.Width(), groups = g.H / g.KV;
  if (!CheckSize(env, "dq", nDq, g.QSize()) || !CheckSize(env, "dk", nDk, g.QSize()) || !CheckSize(env, "dv", nDv, g.QSize()) ||
      !CheckSize(env, "cos", nCos, g.T * half) || !CheckSize(env, "sin", nSin, g.T * half) || !CheckSize(env, "dqkv", nOut, g.rows * width)) {
    return env.Undefined();
  }
  auto ropeBack = [&](const float* src, float* dst, size_t t, double s) {
    const float* c = cs + t * half;
    const float* si = sn + t * half;
    for (size_t j = 0; j < half; j++) {
      const double g1 = src[j] * s, g2 = src[half + j] * s;
      dst[j] = static_cast<float>(g1 * c[j] + g2 * si[j]);
      dst[half + j] = static_cast<float>(g2 * c[j] - g1 * si[j]);
    }
  };
  float sum[1024];
  if (g.hd > 1024) {
    Fail(env, "headsToQkvGrad: hd above 1024");
    return env.Undefined();
  }
  for (size_t b = 0; b < g.B; b++) {
    for (size_t t = 0; t < static_cast<size_t>(g.lengths[b]); t++) {
      float* row = out + (g.offsets[b] + t) * width;
      for (size_t h = 0; h < g.H; h++) ropeBack(dq + g.At(h, b, t), row + h * g.hd, t, scale);
      for (size_t kvh = 0; kvh < g.KV; kvh++) {
        for (int part = 0; part < 2; part++) {
          const float* perHead = part == 0 ? dk : dv;
          for (size_t j = 0; j < g.hd; j++) sum[j] = 0.0f;
          for (size_t grp = 0; grp < groups; grp++) {
            const float* src = perHead + g.At(kvh * groups + grp, b, t);
            for (size_t j = 0; j < g.hd; j++) sum[j] += src[j];
          }
          if (part == 0) {
            ropeBack(sum, row + (g.H + kvh) * g.hd, t, 1.0);
          } else {
            float* dst = row + (g.H + g.KV + kvh) * g.hd;
            for (size_t j = 0; j < g.hd; j++) dst[j] = sum[j];
          }
        }
      }
    }
  }
  return env.Undefined();
}

}  // namespace

void RegisterHeadLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("qkvToHeads", Napi::Function::New(env, QkvToHeads));
  exports.Set("headsToRows", Napi::Function::New(env, HeadsToRows));
  exports.Set("rowsToHeads", Napi::Function::New(env, RowsToHeads));
  exports.Set("headsToQkvGrad", Napi::Function::New(env, HeadsToQkvGrad));
}

}  // namespace editledger
