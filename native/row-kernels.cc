// N-API addon, part 2: the row-wise loops of the LocFT host step (trainer/locft/host-step.ts): the softmax
// cross-entropy over the vocabulary at target rows, SwiGLU, RMSNorm and the causal attention softmax, each with its
// gradient. In JavaScript each Math.exp costs ~13 ns and every loop pays bounds checks; here they run at C speed.
// No fast-math: the same input gives the same bits on every run. Every extent is checked before a loop touches memory.
#include <napi.h>

#include "napi-args.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace editledger {

namespace {

// exp(x) for float, written so that the compiler vectorises the loops that call it (std::exp is a libm call per
// element, ~4-5 ns here; this is ~1.5): Cephes' range reduction x = n·ln2 + r (n rounded with the 1.5·2^23 trick),
// a degree-5 polynomial for e^r on |r| <= ln2/2, and 2^n assembled in the exponent bits. Relative error < 1e-7
// (float rounding); inputs are clamped to float's range (e^-87.3 ~ 1e-38 stands in for 0 and only ever adds nothing
// to a softmax sum). No fast-math: IEEE operations in a fixed order, so the same input gives the same bits whether
// a loop is vectorised or not (binding.gyp's -fno-trapping-math only lets the clamps become branch-free).
inline float ExpF(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.7f ? 88.7f : x;
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits
  const float t = x * 1.44269504088896341f + magic;
  const float fn = t - magic;
  int32_t ti;
  std::memcpy(&ti, &t, sizeof ti);
  const int32_t n = ti - 0x4B400000;
  float r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// Max and sum of a row with 8 independent lanes combined in a fixed order: the same bits every run, without the
// latency of one long dependency chain (the compiler may not reorder a float reduction by itself).
inline float RowMax(const float* z, size_t n) {
  float lane[8];
  for (size_t l = 0; l < 8; l++) lane[l] = z[0];
  size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (size_t l = 0; l < 8; l++) lane[l] = z[j + l] > lane[l] ? z[j + l] : lane[l];
  float max = lane[0];
  for (size_t l = 1; l < 8; l++) max = lane[l] > max ? lane[l] : max;
  for (; j < n; j++) max = z[j] > max ? z[j] : max;
  return max;
}

inline double RowSum(const float* z, size_t n) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (size_t l = 0; l < 8; l++) lane[l] += z[j + l];
  double sum = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; j < n; j++) sum += z[j];
  return sum;
}


// softmaxXent(logits, rows, vocab, labels, weights, grad) -> Σ_i w_i·(logsumexp(z_i) − z_i[label_i]).
// With grad, logits are overwritten by w_i·(softmax(z_i) − onehot(label_i)).
Napi::Value SoftmaxXent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6) {
    Napi::TypeError::New(env, "softmaxXent expects 6 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  float* logits = nullptr;
  int32_t* labels = nullptr;
  float* weights = nullptr;
  size_t nLogits = 0, nLabels = 0, nWeights = 0, rows = 0, vocab = 0;
  if (!ReadArray(env, info[0], napi_float32_array, "logits", &logits, &nLogits) || !ReadCount(env, info[1], "rows", &rows) ||
      !ReadCount(env, info[2], "vocab", &vocab) || !ReadArray(env, info[3], napi_int32_array, "labels", &labels, &nLabels) ||
      !ReadArray(env, info[4], napi_float32_array, "weights", &weights, &nWeights)) {
    return env.Undefined();
  }
  const bool grad = info[5].ToBoolean().Value();
  if (vocab == 0 || nLogits < rows * vocab || nLabels < rows || nWeights < rows) {
    Fail(env, "softmaxXent: arrays smaller than rows x vocab");
    return env.Undefined();
  }
  double loss = 0;
  for (size_t i = 0; i < rows; i++) {
    float* z = logits + i * vocab;
    const int32_t label = labels[i];
    if (label < 0 || static_cast<size_t>(label) >= vocab) {
      Fail(env, "softmaxXent: label " + std::to_string(label) + " outside the vocabulary");
      return env.Undefined();
    }
    const float max = RowMax(z, vocab);
    const float picked = z[label] - max;
    for (size_t j = 0; j < vocab; j++) z[j] = ExpF(z[j] - max);  // vectorised
    const double sum = RowSum(z, vocab);
    const double w = weights[i];
    loss += w * (std::log(sum) - picked);
    if (grad) {
      const float scale = static_cast<float>(w / sum);
      for (size_t j = 0; j < vocab; j++) z[j] *= scale;  // vectorised
      z[label] = static_cast<float>(z[label] - w);
    }
  }
  return Napi::Number::New(env, loss);
}

// swiglu(gateUp, rows, width, act): act[r, j] = silu(g)·u for gateUp rows [g_0..g_{F-1}, u_0..u_{F-1}].
Napi::Value Swiglu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *gu = nullptr, *act = nullptr;
  size_t nGu = 0, nAct = 0, rows = 0, width = 0;
  if (info.Length() != 4 || !ReadArray(env, info[0], napi_float32_array, "gateUp", &gu, &nGu) || !ReadCount(env, info[1], "rows", &rows) ||
      !ReadCount(env, info[2], "width", &width) || !ReadArray(env, info[3], napi_float32_array, "act", &act, &nAct)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "swiglu expects 4 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (nGu < rows * 2 * width || nAct < rows * width) {
    Fail(env, "swiglu: arrays smaller than rows x width");
    return env.Undefined();
  }
  for (size_t r = 0; r < rows; r++) {
    const float* g = gu + r * 2 * width;
    const float* u = g + width;
    float* a = act + r * width;
    for (size_t j = 0; j < width; j++) a[j] = g[j] / (1.0f + ExpF(-g[j])) * u[j];
  }
  return env.Undefined();
}

// swigluBackward(gateUp, dAct, rows, width, dGateUp): the gradients of gate and up from the gradient of act.
Napi::Value SwigluBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *gu = nullptr, *dAct = nullptr, *dGu = nullptr;
  size_t nGu = 0, nDAct = 0, nDGu = 0, rows = 0, width = 0;
  if (info.Length() != 5 || !ReadArray(env, info[0], napi_float32_array, "gateUp", &gu, &nGu) ||
      !ReadArray(env, info[1], napi_float32_array, "dAct", &dAct, &nDAct) || !ReadCount(env, info[2], "rows", &rows) ||
      !ReadCount(env, info[3], "width", &width) || !ReadArray(env, info[4], napi_float32_array, "dGateUp", &dGu, &nDGu)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "swigluBackward expects 5 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (nGu < rows * 2 * width || nDGu < rows * 2 * width || nDAct < rows * width) {
    Fail(env, "swigluBackward: arrays smaller than rows x width");
    return env.Undefined();
  }
  for (size_t r = 0; r < rows; r++) {
    const float* g = gu + r * 2 * width;
    const float* u = g + width;
    const float* da = dAct + r * width;
    float* dg = dGu + r * 2 * width;
    float* du = dg + width;
    for (size_t j = 0; j < width; j++) {
      const float sig = 1.0f / (1.0f + ExpF(-g[j]));
      dg[j] = da[j] * u[j] * sig * (1.0f + g[j] * (1.0f - sig));
      du[j] = da[j] * g[j] * sig;
    }
  }
  return env.Undefined();
}

// rmsNorm(x, rows, width, g, eps, out, rs): out = x · rsqrt(mean(x²) + eps) · g per row; rs[r] = that rsqrt.
Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x = nullptr, *g = nullptr, *out = nullptr, *rs = nullptr;
  size_t nX = 0, nG = 0, nOut = 0, nRs = 0, rows = 0, width = 0;
  if (info.Length() != 7 || !ReadArray(env, info[0], napi_float32_array, "x", &x, &nX) || !ReadCount(env, info[1], "rows", &rows) ||
      !ReadCount(env, info[2], "width", &width) || !ReadArray(env, info[3], napi_float32_array, "g", &g, &nG) || !info[4].IsNumber() ||
      !ReadArray(env, info[5], napi_float32_array, "out", &out, &nOut) || !ReadArray(env, info[6], napi_float32_array, "rs", &rs, &nRs)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "rmsNorm(x, rows, width, g, eps, out, rs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double eps = info[4].As<Napi::Number>().DoubleValue();
  if (width == 0 || nX < rows * width || nOut < rows * width || nG < width || nRs < rows) {
    Fail(env, "rmsNorm: arrays smaller than rows x width");
    return env.Undefined();
  }
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * width;
    float* o = out + r * width;
    double ss = 0;
    for (size_t j = 0; j < width; j++) ss += static_cast<double>(xr[j]) * xr[j];
    const float s = static_cast<float>(1.0 / std::sqrt(ss / width + eps));
    rs[r] = s;
    for (size_t j = 0; j < width; j++) o[j] = xr[j] * s * g[j];
  }
  return env.Undefined();
}

// rmsNormBackward(x, rs, rows, width, g, dy, dx[, accumulate]): dx = rs·(g⊙dy) − x·rs³·mean((g⊙dy)⊙x) per row;
// with accumulate, dx += that (dx already holds a residual path's gradient).
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x = nullptr, *rs = nullptr, *g = nullptr, *dy = nullptr, *dx = nullptr;
  size_t nX = 0, nRs = 0, nG = 0, nDy = 0, nDx = 0, rows = 0, width = 0;
  if ((info.Length() != 7 && info.Length() != 8) || !ReadArray(env, info[0], napi_float32_array, "x", &x, &nX) ||
      !ReadArray(env, info[1], napi_float32_array, "rs", &rs, &nRs) || !ReadCount(env, info[2], "rows", &rows) ||
      !ReadCount(env, info[3], "width", &width) || !ReadArray(env, info[4], napi_float32_array, "g", &g, &nG) ||
      !ReadArray(env, info[5], napi_float32_array, "dy", &dy, &nDy) || !ReadArray(env, info[6], napi_float32_array, "dx", &dx, &nDx)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "rmsNormBackward(x, rs, rows, width, g, dy, dx)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (width == 0 || nX < rows * width || nDy < rows * width || nDx < rows * width || nG < width || nRs < rows) {
    Fail(env, "rmsNormBackward: arrays smaller than rows x width");
    return env.Undefined();
  }
  const bool accumulate = info.Length() == 8 && info[7].ToBoolean().Value();
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * width;
    const float* d = dy + r * width;
    float* o = dx + r * width;
    const double s = rs[r];
    double dot = 0;
    for (size_t j = 0; j < width; j++) dot += static_cast<double>(g[j]) * d[j] * xr[j];
    const double k = s * s * s * dot / width;
    if (accumulate) {
      for (size_t j = 0; j < width; j++) o[j] = o[j] + static_cast<float>(s * g[j] * d[j] - xr[j] * k);
    } else {
      for (size_t j = 0; j < width; j++) o[j] = static_cast<float>(s * g[j] * d[j] - xr[j] * k);
    }
  }
  return env.Undefined();
}

// causalSoftmax(scores, blocks, T): row-wise softmax over keys j <= i of each [T, T] block, in place (0 above the
// diagonal). With dProbs given (a 4th argument), instead turns dProbs into dScores = P ⊙ (dP − Σ_j P·dP).
Napi::Value CausalSoftmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float* p = nullptr;
  size_t nP = 0, blocks = 0, T = 0;
  if ((info.Length() != 3 && info.Length() != 4) || !ReadArray(env, info[0], napi_float32_array, "scores", &p, &nP) ||
      !ReadCount(env, info[1], "blocks", &blocks) || !ReadCount(env, info[2], "T", &T)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "causalSoftmax(scores, blocks, T[, dProbs])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (nP < blocks * T * T) {
    Fail(env, "causalSoftmax: scores smaller than blocks x T x T");
    return env.Undefined();
  }
  if (info.Length() == 4) {
    float* dp = nullptr;
    size_t nDp = 0;
    if (!ReadArray(env, info[3], napi_float32_array, "dProbs", &dp, &nDp)) return env.Undefined();
    if (nDp < blocks * T * T) {
      Fail(env, "causalSoftmax: dProbs smaller than blocks x T x T");
      return env.Undefined();
    }
    for (size_t o = 0; o < blocks * T * T; o += T) {
      double dot = 0;
      for (size_t j = 0; j < T; j++) dot += static_cast<double>(p[o + j]) * dp[o + j];
      for (size_t j = 0; j < T; j++) dp[o + j] = static_cast<float>(p[o + j] * (dp[o + j] - dot));
    }
    return env.Undefined();
  }
  for (size_t blk = 0; blk < blocks; blk++) {
    for (size_t i = 0; i < T; i++) {
      float* row = p + (blk * T + i) * T;
      float max = row[0];
      for (size_t j = 1; j <= i; j++) max = row[j] > max ? row[j] : max;
      for (size_t j = 0; j <= i; j++) row[j] = ExpF(row[j] - max);
      double sum = 0;
      for (size_t j = 0; j <= i; j++) sum += row[j];
      const float inv = static_cast<float>(1.0 / sum);
      for (size_t j = 0; j <= i; j++) row[j] *= inv;
      for (size_t j = i + 1; j < T; j++) row[j] = 0.0f;
    }
  }
  return env.Undefined();
}

// adamStep(p, g, m, v, beta1, beta2, epsilon, weightDecay, stepSize, sqrtBc2): one Adam update in place, element by
// element in double and stored as float — the arithmetic of trainer/locft/adam.ts HostAdam, in the same order.
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *p = nullptr, *g = nullptr, *m = nullptr, *v = nullptr;
  size_t nP = 0, nG = 0, nM = 0, nV = 0;
  if (info.Length() != 10 || !ReadArray(env, info[0], napi_float32_array, "p", &p, &nP) || !ReadArray(env, info[1], napi_float32_array, "g", &g, &nG) ||
      !ReadArray(env, info[2], napi_float32_array, "m", &m, &nM) || !ReadArray(env, info[3], napi_float32_array, "v", &v, &nV)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "adamStep(p, g, m, v, beta1, beta2, epsilon, weightDecay, stepSize, sqrtBc2)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double k[6];
  for (int i = 0; i < 6; i++) {
    if (!info[4 + i].IsNumber()) {
      Napi::TypeError::New(env, "adamStep: hyper-parameters must be numbers").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    k[i] = info[4 + i].As<Napi::Number>().DoubleValue();
  }
  const double beta1 = k[0], beta2 = k[1], epsilon = k[2], weightDecay = k[3], stepSize = k[4], sqrtBc2 = k[5];
  if (nG != nP || nM != nP || nV != nP) {
    Fail(env, "adamStep: p, g, m and v must have the same length");
    return env.Undefined();
  }
  for (size_t i = 0; i < nP; i++) {
    const double grad = weightDecay > 0 ? static_cast<double>(g[i]) + weightDecay * p[i] : static_cast<double>(g[i]);
    m[i] = static_cast<float>(beta1 * m[i] + (1 - beta1) * grad);
    v[i] = static_cast<float>(beta2 * v[i] + (1 - beta2) * grad * grad);
    p[i] = static_cast<float>(p[i] - (static_cast<double>(m[i]) / (std::sqrt(static_cast<double>(v[i])) / sqrtBc2 + epsilon)) * stepSize);
  }
  return env.Undefined();
}

}  // namespace

void RegisterRowKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxXent", Napi::Function::New(env, SoftmaxXent));
  exports.Set("swiglu", Napi::Function::New(env, Swiglu));
  exports.Set("swigluBackward", Napi::Function::New(env, SwigluBackward));
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNorm));
  exports.Set("rmsNormBackward", Napi::Function::New(env, RmsNormBackward));
  exports.Set("causalSoftmax", Napi::Function::New(env, CausalSoftmax));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
}

}  // namespace editledger
