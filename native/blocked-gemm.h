// The portable blocked SGEMM (the engine used where OpenBLAS is absent): shared declarations of the per-instruction-
// set kernels (blocked-kernels.cc, each generated from blocked-gemm-impl.h) and the engine around them
// (blocked-engine.cc: kernel choice at run time, threads).
#pragma once
#include <cstddef>

namespace editledger::blocked {

// Row-major c = op(a) · op(b) + beta · c with alpha 1; op(a) is m x k, op(b) k x n. beta 0 never reads c.
struct GemmArgs {
  bool transA;
  bool transB;
  int m;
  int n;
  int k;
  const float* a;
  int lda;
  const float* b;
  int ldb;
  float beta;
  float* c;
  int ldc;
};

// Each runs the whole product on the calling thread. The arithmetic of one element of c is a chain of multiply-adds
// in k order, restarted every kKC (256) values of k, whatever the tile or thread it lands in: so splitting a product
// over threads does not change a single bit, and the avx2 and avx512 kernels (both fused multiply-add) agree exactly.
void GemmGeneric(const GemmArgs& g);
#if defined(__x86_64__) || defined(__i386__)
void GemmAvx2(const GemmArgs& g);
void GemmAvx512(const GemmArgs& g);
#endif

// A 64-byte-aligned per-thread buffer of at least `floats` floats; `slot` 0 holds packed A, 1 packed B.
float* Scratch(int slot, size_t floats);

}  // namespace editledger::blocked
