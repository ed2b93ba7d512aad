// Argument readers shared by the addon's kernels: typed arrays of an exact element type, non-negative integers, and
// a RangeError helper. Each throws a JavaScript exception naming the argument and returns false.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace editledger {

template <typename T>
inline bool ReadArray(const Napi::Env& env, const Napi::Value& value, napi_typedarray_type type, const char* name, T** data,
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

inline bool ReadCount(const Napi::Env& env, const Napi::Value& value, const char* name, size_t* out) {
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

inline bool Fail(const Napi::Env& env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

}  // namespace editledger
