// The blocked engine behind gemm-engine.h (linked into editledger_blocked.node instead of OpenBLAS): picks the widest
// micro-kernel this CPU runs (avx512 > avx2+fma > generic; setBlockedKernel overrides it for tests and benchmarks)
// and splits large products over a small pool of std::threads. A split never changes a bit (blocked-gemm.h), so
// results depend on the shape and the kernel only, not on the thread count.
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "blocked-gemm.h"
#include "gemm-engine.h"

namespace editledger {

namespace {

using blocked::GemmArgs;
using GemmFn = void (*)(const GemmArgs&);

struct Kernel {
  const char* name;
  GemmFn fn;
  bool (*supported)();
};

bool Always() { return true; }
#if defined(__x86_64__) || defined(__i386__)
bool HasAvx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool HasAvx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"); }
#endif

// Widest first: the default is the first one this CPU supports.
const Kernel kKernels[] = {
#if defined(__x86_64__) || defined(__i386__)
    {"avx512", blocked::GemmAvx512, HasAvx512},
    {"avx2", blocked::GemmAvx2, HasAvx2},
#endif
    {"generic", blocked::GemmGeneric, Always},
};

const Kernel* DefaultKernel() {
  for (const Kernel& k : kKernels)
    if (k.supported()) return &k;
  return &kKernels[sizeof kKernels / sizeof kKernels[0] - 1];
}

const Kernel* active = DefaultKernel();

// Below this many multiply-adds a second thread saves nothing (measured on 2 shared cores: at 0.5M multiply-adds
// 1 and 2 threads tie, at 1M 2 threads take 25% less time, at 82M 45% less).
constexpr double kParallelMacs = 1 << 20;

int DefaultThreads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : (hw > 64 ? 64 : static_cast<int>(hw));
}

int threads = DefaultThreads();

// Workers that run part i (1 <= i < parts) of a job while the caller runs part 0. Created on first use, never
// destroyed (joining them from a static destructor at exit is not worth the risk). After a job a worker spins for
// ~0.1 ms before it sleeps, and the caller spins for the workers' parts: a futex wake-up costs tens of microseconds
// on a busy machine, as much as the second thread saves on a 1-ms product (OpenBLAS's threads spin the same way).
class Pool {
 public:
  void Run(int parts, const std::function<void(int)>& job) {
    std::lock_guard<std::mutex> serial(runMutex_);  // one job at a time (several Node workers may share the addon)
    while (static_cast<int>(workers_.size()) < parts - 1) {
      const int index = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back([this, index] { Loop(index); });
      workers_.back().detach();
    }
    job_ = &job;
    parts_ = parts;
    pending_.store(parts - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    job(0);
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; spins++) {
      if (spins < kSpins) Pause();
      else std::this_thread::yield();
    }
  }

 private:
  static constexpr int kSpins = 2000;

  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void Loop(int index) {
    unsigned long seen = 0;
    for (;;) {
      for (int spins = 0; spins < kSpins && generation_.load(std::memory_order_acquire) == seen; spins++) Pause();
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      if (index >= parts_) continue;
      (*job_)(index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::mutex runMutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<unsigned long> generation_{0};
};

Pool& SharedPool() {
  static Pool* pool = new Pool();
  return *pool;
}

// Part `part` of `parts` along rows (or columns) of c, in whole register tiles (32 covers every kernel's tile).
GemmArgs Slice(const GemmArgs& g, bool byRows, int part, int parts) {
  const int total = byRows ? g.m : g.n;
  const int unit = 32;
  const int chunk = ((total + parts - 1) / parts + unit - 1) / unit * unit;
  const int begin = part * chunk < total ? part * chunk : total;
  const int end = begin + chunk < total ? begin + chunk : total;
  GemmArgs s = g;
  if (byRows) {
    s.m = end - begin;
    s.a = g.transA ? g.a + begin : g.a + static_cast<size_t>(begin) * g.lda;
    s.c = g.c + static_cast<size_t>(begin) * g.ldc;
  } else {
    s.n = end - begin;
    s.b = g.transB ? g.b + static_cast<size_t>(begin) * g.ldb : g.b + begin;
    s.c = g.c + begin;
  }
  return s;
}

}  // namespace

namespace blocked {

float* Scratch(int slot, size_t floats) {
  struct Buffer {
    float* data = nullptr;
    size_t capacity = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffers[2];
  Buffer& b = buffers[slot];
  if (b.capacity < floats) {
    std::free(b.data);
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    b.data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!b.data) std::abort();  // out of memory for a few MB of panels: nothing sensible to return
    b.capacity = bytes / sizeof(float);
  }
  return b.data;
}

}  // namespace blocked

void Gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
          float* c, int ldc) {
  const GemmArgs g{transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc};
  GemmFn fn = active->fn;
#if defined(__x86_64__) || defined(__i386__)
  // avx512's 32-wide tiles would be at least half padding on narrow products (the per-head attention products have
  // n = head_dim 32 or sequence length ~15): the avx2 kernel's 16-wide ones waste less, and give the same bits.
  if (fn == blocked::GemmAvx512 && n <= 16) fn = blocked::GemmAvx2;
#endif
  const bool byRows = m >= n;
  const int extent = byRows ? m : n;
  int parts = threads;
  if (parts > (extent + 31) / 32) parts = (extent + 31) / 32;
  if (parts < 2 || static_cast<double>(m) * n * k < kParallelMacs) {
    fn(g);
    return;
  }
  SharedPool().Run(parts, [&](int part) {
    const GemmArgs s = Slice(g, byRows, part, parts);
    if (s.m > 0 && s.n > 0) fn(s);
  });
}

std::string EngineInfo() {
  return std::string("native-blocked sgemm, ") + active->name + " kernel, " + std::to_string(threads) + " threads";
}

int EngineThreads() { return threads; }

void SetEngineThreads(int n) { threads = n < 1 ? 1 : (n > 64 ? 64 : n); }

namespace {

// blockedKernel() -> the micro-kernel in use; setBlockedKernel(name) -> the previous one ("auto" = the default).
Napi::Value BlockedKernel(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), active->name); }

Napi::Value SetBlockedKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "setBlockedKernel expects one string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string want = info[0].As<Napi::String>().Utf8Value();
  const char* previous = active->name;
  if (want == "auto") {
    active = DefaultKernel();
    return Napi::String::New(env, previous);
  }
  std::string names;
  for (const Kernel& k : kKernels) {
    names += names.empty() ? k.name : std::string(", ") + k.name;
    if (want != k.name) continue;
    if (!k.supported()) {
      Napi::Error::New(env, "setBlockedKernel: this CPU cannot run the " + want + " kernel").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    active = &k;
    return Napi::String::New(env, previous);
  }
  Napi::RangeError::New(env, "setBlockedKernel: unknown kernel \"" + want + "\"; expected auto, " + names)
      .ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

void RegisterEngineExtras(Napi::Env env, Napi::Object exports) {
  exports.Set("blockedKernel", Napi::Function::New(env, BlockedKernel));
  exports.Set("setBlockedKernel", Napi::Function::New(env, SetBlockedKernel));
}

}  // namespace editledger
