// The one product the N-API layer (sgemm.cc) asks of a GEMM engine, so the same argument checking serves both
// engines: openblas-engine.cc (cblas_sgemm) and blocked-engine.cc (our own blocked SGEMM, used where OpenBLAS is
// absent). Row-major, alpha 1: c = op(a) · op(b) + beta · c, op(a) m x k, op(b) k x n.
#pragma once
#include <napi.h>

#include <string>

namespace editledger {

void Gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
          float* c, int ldc);

// For info(): e.g. "OpenBLAS 0.3.21 ..., 2 threads" or "native-blocked sgemm, avx512 kernel, 2 threads".
std::string EngineInfo();
int EngineThreads();
void SetEngineThreads(int n);
// Engine-specific exports (the blocked engine's kernel choice, for tests and benchmarks); none for OpenBLAS.
void RegisterEngineExtras(Napi::Env env, Napi::Object exports);

}  // namespace editledger
