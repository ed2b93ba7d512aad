// The blocked SGEMM's micro-kernels, one copy of blocked-gemm-impl.h per instruction set. The x86 copies are enabled
// per function with __attribute__((target)), so this file builds with the default flags and the engine picks a copy
// at run time (blocked-engine.cc): a binary built here runs on any x86-64, and other CPUs get the generic copy (GCC
// vector extensions, 16-byte vectors: SSE2 or NEON).
#include "blocked-gemm.h"

#include <cstddef>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define BLK_NS generic
#define BLK_TARGET
#define BLK_VEC_BYTES 16
#define BLK_MR 4
#define BLK_FMA(a, b, c) ((a) * (b) + (c))
#define BLK_SPLAT(x) (Vec{(x), (x), (x), (x)})
#include "blocked-gemm-impl.h"
#undef BLK_NS
#undef BLK_TARGET
#undef BLK_VEC_BYTES
#undef BLK_MR
#undef BLK_FMA
#undef BLK_SPLAT

#if defined(__x86_64__) || defined(__i386__)
#define BLK_NS avx2
#define BLK_TARGET __attribute__((target("avx2,fma")))
#define BLK_VEC_BYTES 32
#define BLK_MR 6
#define BLK_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define BLK_SPLAT(x) _mm256_set1_ps(x)
#include "blocked-gemm-impl.h"
#undef BLK_NS
#undef BLK_TARGET
#undef BLK_VEC_BYTES
#undef BLK_MR
#undef BLK_FMA
#undef BLK_SPLAT

#define BLK_NS avx512
#define BLK_TARGET __attribute__((target("avx512f,fma")))
#define BLK_VEC_BYTES 64
#define BLK_MR 8
#define BLK_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define BLK_SPLAT(x) _mm512_set1_ps(x)
#include "blocked-gemm-impl.h"
#undef BLK_NS
#undef BLK_TARGET
#undef BLK_VEC_BYTES
#undef BLK_MR
#undef BLK_FMA
#undef BLK_SPLAT
#endif

namespace editledger::blocked {

void GemmGeneric(const GemmArgs& g) { generic::Gemm(g); }
#if defined(__x86_64__) || defined(__i386__)
void GemmAvx2(const GemmArgs& g) { avx2::Gemm(g); }
void GemmAvx512(const GemmArgs& g) { avx512::Gemm(g); }
#endif

}  // namespace editledger::blocked
