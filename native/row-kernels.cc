// N-API addon, part 2: the row-wise loops of the LocFT host step (trainer/locft/host-step.ts): the softmax
// cross-entropy over the vocabulary at target rows, SwiGLU, RMSNorm and the causal attention softmax, each with its
// gradient. In JavaScript each Math.exp costs ~13 ns and every loop pays bounds checks; here they run at C speed. Plain -O2 (no fast-math): the same input
// gives the same bits on every run. Every extent is checked before a loop touches memory.
#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace editledger {

namespace {

template <typename T>
bool ReadArray(const Napi::Env& env, const Napi::Value& value, napi_typedarray_type type, const char* name, T** data,
               size_t* length) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    Napi::TypeError::New(env, std::string(name) + " has the wrong typed-array type").ThrowAsJavaScriptException();
    return false;
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  *data = reinterpret_cast<T*>(static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset());
  *length = array.ElementLength();
  return true;
}

bool ReadCount(const Napi::Env& env, const Napi::Value& value, const char* name, size_t* out) {
  if (!value.IsNumber()) {
    Napi::TypeError::New(env, std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double v = value.As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || std::floor(v) != v || v > 2147483647.0) {
    Napi::RangeError::New(env, std::string(name) + " must be a non-negative integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<size_t>(v);
  return true;
}

bool Fail(const Napi::Env& env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return false;
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
    float max = z[0];
    for (size_t j = 1; j < vocab; j++) max = z[j] > max ? z[j] : max;
    const float picked = z[label] - max;
    double sum = 0;
    for (size_t j = 0; j < vocab; j++) {
      const float e = std::exp(z[j] - max);
      z[j] = e;
      sum += e;
    }
    const double w = weights[i];
    loss += w * (std::log(sum) - picked);
    if (grad) {
      const double scale = w / sum;
      for (size_t j = 0; j < vocab; j++) z[j] = static_cast<float>(z[j] * scale);
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
    for (size_t j = 0; j < width; j++) a[j] = g[j] / (1.0f + std::exp(-g[j])) * u[j];
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
      const float sig = 1.0f / (1.0f + std::exp(-g[j]));
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

// rmsNormBackward(x, rs, rows, width, g, dy, dx): dx = rs·(g⊙dy) − x·rs³·mean((g⊙dy)⊙x) per row.
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x = nullptr, *rs = nullptr, *g = nullptr, *dy = nullptr, *dx = nullptr;
  size_t nX = 0, nRs = 0, nG = 0, nDy = 0, nDx = 0, rows = 0, width = 0;
  if (info.Length() != 7 || !ReadArray(env, info[0], napi_float32_array, "x", &x, &nX) ||
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
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * width;
    const float* d = dy + r * width;
    float* o = dx + r * width;
    const double s = rs[r];
    double dot = 0;
    for (size_t j = 0; j < width; j++) dot += static_cast<double>(g[j]) * d[j] * xr[j];
    const double k = s * s * s * dot / width;
    for (size_t j = 0; j < width; j++) o[j] = static_cast<float>(s * g[j] * d[j] - xr[j] * k);
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
      double sum = 0;
      for (size_t j = 0; j <= i; j++) {
        const float e = std::exp(row[j] - max);
        row[j] = e;
        sum += e;
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (size_t j = 0; j <= i; j++) row[j] *= inv;
      for (size_t j = i + 1; j < T; j++) row[j] = 0.0f;
    }
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
}

}  // namespace editledger
