// The OpenBLAS engine behind gemm-engine.h: exactly the cblas_sgemm call the addon has always made (same arguments,
// same library), so runs on a machine with OpenBLAS keep their bits.
#include <cblas.h>

#include <string>

#include "gemm-engine.h"

namespace editledger {

void Gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
          float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              lda, b, ldb, beta, c, ldc);
}

std::string EngineInfo() {
  std::string text = openblas_get_config();
  text += ", " + std::to_string(openblas_get_num_threads()) + " threads";
  return text;
}

int EngineThreads() { return openblas_get_num_threads(); }

void SetEngineThreads(int n) { openblas_set_num_threads(n); }

void RegisterEngineExtras(Napi::Env, Napi::Object) {}

}  // namespace editledger
