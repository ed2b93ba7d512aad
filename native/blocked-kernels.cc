// The blocked SGEMM's micro-kernels, one copy of blocked-gemm-impl.h per instruction set. The x86 copies are enabled
// per function with __attribute__((target)), so this file builds with the default flags and the engine picks a copy
// at run time (blocked-engine.cc): a binary built here runs on any x86-64, and other CPUs get the generic copy (GCC
// vector extensions, 16-byte vectors: SSE2 or NEON).
#include "blocked-gemm.h"

#include <cstddef>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Partial vectors for the narrow edge tiles: memcpy of n floats in the generic copy, masked moves in the x86 ones.
namespace editledger::blocked {
typedef float Vec16 __attribute__((vector_size(16)));
static inline Vec16 LoadPart16(const float* p, int n) {
  Vec16 v{};
  __builtin_memcpy(&v, p, sizeof(float) * n);
  return v;
}
static inline void StorePart16(float* p, Vec16 v, int n) { __builtin_memcpy(p, &v, sizeof(float) * n); }
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static inline __m256i Mask8(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((target("avx512f,fma"))) static inline __mmask16 Mask16(int n) {
  return static_cast<__mmask16>((1u << n) - 1);
}
#endif
}  // namespace editledger::blocked

#define BLK_NS generic
#define BLK_TARGET
#define BLK_VEC_BYTES 16
#define BLK_MR 4
#define BLK_FMA(a, b, c) ((a) * (b) + (c))
#define BLK_SPLAT(x) (Vec{(x), (x), (x), (x)})
#define BLK_LOAD_PART(p, n) LoadPart16((p), (n))
#define BLK_STORE_PART(p, v, n) StorePart16((p), (v), (n))
#include "blocked-gemm-impl.h"

#if defined(__x86_64__) || defined(__i386__)
#define BLK_NS avx2
#define BLK_TARGET __attribute__((target("avx2,fma")))
#define BLK_VEC_BYTES 32
#define BLK_MR 6
#define BLK_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define BLK_SPLAT(x) _mm256_set1_ps(x)
#define BLK_LOAD_PART(p, n) _mm256_maskload_ps((p), Mask8(n))
#define BLK_STORE_PART(p, v, n) _mm256_maskstore_ps((p), Mask8(n), (v))
#include "blocked-gemm-impl.h"

#define BLK_NS avx512
#define BLK_TARGET __attribute__((target("avx512f,fma")))
#define BLK_VEC_BYTES 64
#define BLK_MR 8
#define BLK_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define BLK_SPLAT(x) _mm512_set1_ps(x)
#define BLK_LOAD_PART(p, n) _mm512_maskz_loadu_ps(Mask16(n), (p))
#define BLK_STORE_PART(p, v, n) _mm512_mask_storeu_ps((p), Mask16(n), (v))
#include "blocked-gemm-impl.h"
#endif

namespace editledger::blocked {

void GemmGeneric(const GemmArgs& g) { generic::Gemm(g); }
#if defined(__x86_64__) || defined(__i386__)
void GemmAvx2(const GemmArgs& g) { avx2::Gemm(g); }
void GemmAvx512(const GemmArgs& g) { avx512::Gemm(g); }
#endif

}  // namespace editledger::blocked
