// One instruction set's blocked SGEMM, included once per set by blocked-kernels.cc with these macros defined:
//   BLK_NS         namespace of this copy (generic, avx2, avx512)
//   BLK_TARGET     the function attribute that enables the set (empty for generic)
//   BLK_VEC_BYTES  vector width in bytes (16, 32, 64)
//   BLK_MR         rows of the register tile
//   BLK_FMA(a,b,c) a·b + c on vectors (fused where the set has it)
//   BLK_SPLAT(x)   a vector of x in every lane
//   BLK_LOAD_PART(p, n) / BLK_STORE_PART(p, v, n)  the first n (< lanes) floats at p only (other lanes load 0)
// No include guard on purpose; the macros are undefined at the end, ready for the next set's definitions. The scheme is the classic one (Goto & van de Geijn): op(B) is packed in kKC x kNC
// panels of kNR-wide column slivers (kept in L2/L3), op(A) in kMC x kKC blocks of kMR-tall row slivers (L2), and a
// register-tiled micro-kernel multiplies one A sliver by one B sliver into a kMR x kNR tile of accumulators (two
// vectors per row), so every element loaded from cache feeds kMR or 2 vector multiply-adds. Packing also resolves the
// transposes: the micro-kernel only ever sees contiguous slivers, whatever the layout of a and b.
namespace editledger::blocked::BLK_NS {

typedef float Vec __attribute__((vector_size(BLK_VEC_BYTES)));
constexpr int kW = BLK_VEC_BYTES / 4;
constexpr int kMR = BLK_MR;
constexpr int kNR = 2 * kW;
constexpr int kKC = 256;
constexpr int kMC = 144;   // a multiple of every kMR used (4, 6, 12)
constexpr int kNC = 2048;  // a multiple of every kNR used (8, 16, 32)
static_assert(kMC % kMR == 0 && kNC % kNR == 0, "block sizes must be whole slivers");

BLK_TARGET static inline int Min(int x, int y) { return x < y ? x : y; }

// op(A)[i0 .. i0+mc) x [p0 .. p0+kc) into kMR-row slivers: sliver s holds, for each p, its kMR values of column p.
// Rows past mc are zeros (their products land in tile rows that are never stored).
BLK_TARGET static void PackA(const GemmArgs& g, int i0, int mc, int p0, int kc, float* __restrict dst) {
  for (int ir = 0; ir < mc; ir += kMR) {
    const int rows = Min(kMR, mc - ir);
    if (!g.transA) {
      for (int r = 0; r < rows; r++) {
        const float* src = g.a + static_cast<size_t>(i0 + ir + r) * g.lda + p0;
        for (int p = 0; p < kc; p++) dst[p * kMR + r] = src[p];
      }
    } else {
      for (int p = 0; p < kc; p++) {
        const float* src = g.a + static_cast<size_t>(p0 + p) * g.lda + i0 + ir;
        for (int r = 0; r < rows; r++) dst[p * kMR + r] = src[r];
      }
    }
    for (int p = 0; p < kc && rows < kMR; p++)
      for (int r = rows; r < kMR; r++) dst[p * kMR + r] = 0.0f;
    dst += kMR * kc;
  }
}

// op(B)[p0 .. p0+kc) x [j0 .. j0+nc) into kNR-column slivers: sliver s holds, for each p, its kNR values of row p.
BLK_TARGET static void PackB(const GemmArgs& g, int p0, int kc, int j0, int nc, float* __restrict dst) {
  for (int jr = 0; jr < nc; jr += kNR) {
    const int cols = Min(kNR, nc - jr);
    if (!g.transB) {
      for (int p = 0; p < kc; p++) {
        const float* src = g.b + static_cast<size_t>(p0 + p) * g.ldb + j0 + jr;
        float* out = dst + p * kNR;
        for (int j = 0; j < cols; j++) out[j] = src[j];
        for (int j = cols; j < kNR; j++) out[j] = 0.0f;
      }
    } else {
      for (int j = 0; j < cols; j++) {
        const float* src = g.b + static_cast<size_t>(j0 + jr + j) * g.ldb + p0;
        for (int p = 0; p < kc; p++) dst[p * kNR + j] = src[p];
      }
      for (int p = 0; p < kc && cols < kNR; p++)
        for (int j = cols; j < kNR; j++) dst[p * kNR + j] = 0.0f;
    }
    dst += kNR * kc;
  }
}

BLK_TARGET static inline Vec Load(const float* p) {
  Vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

BLK_TARGET static inline void Store(float* p, Vec v) { __builtin_memcpy(p, &v, sizeof v); }

// x in every lane: one broadcast load. (Not `Vec{} + x`: without fast-math 0 + x is a real scalar add.)
BLK_TARGET static inline Vec Splat(float x) { return BLK_SPLAT(x); }

// c tile (rows x cols of it are real) = acc + (first ? beta · c : c), where acc = Σ_p A[:, p] · B[p, :] over this
// kc block. The accumulators are a fully unrolled local array so that the compiler keeps all 2·kMR in registers.
BLK_TARGET static void MicroKernel(int kc, const float* __restrict A, const float* __restrict B, float* c, int ldc,
                                   int rows, int cols, float beta, bool first) {
  Vec acc[kMR][2];
#pragma GCC unroll 16
  for (int r = 0; r < kMR; r++) acc[r][0] = acc[r][1] = Vec{};
  for (int p = 0; p < kc; p++) {
    const Vec b0 = *reinterpret_cast<const Vec*>(B);
    const Vec b1 = *reinterpret_cast<const Vec*>(B + kW);
#pragma GCC unroll 16
    for (int r = 0; r < kMR; r++) {
      const Vec a = Splat(A[r]);
      acc[r][0] = BLK_FMA(a, b0, acc[r][0]);
      acc[r][1] = BLK_FMA(a, b1, acc[r][1]);
    }
    A += kMR;
    B += kNR;
  }
  const bool overwrite = first && beta == 0.0f;
  const Vec scale = Splat(first ? beta : 1.0f);
  if (cols == kNR) {
#pragma GCC unroll 16
    for (int r = 0; r < kMR; r++) {
      if (r >= rows) break;
      float* cr = c + static_cast<size_t>(r) * ldc;
      Store(cr, overwrite ? acc[r][0] : scale * Load(cr) + acc[r][0]);
      Store(cr + kW, overwrite ? acc[r][1] : scale * Load(cr + kW) + acc[r][1]);
    }
    return;
  }
  // Narrow edge tile: the same vector operations on the first `cols` lanes only (masked loads and stores).
  const int c0 = Min(cols, kW);
  const int c1 = cols - c0;
#pragma GCC unroll 16
  for (int r = 0; r < kMR; r++) {
    if (r >= rows) break;
    float* cr = c + static_cast<size_t>(r) * ldc;
    BLK_STORE_PART(cr, overwrite ? acc[r][0] : scale * BLK_LOAD_PART(cr, c0) + acc[r][0], c0);
    if (c1 > 0) BLK_STORE_PART(cr + kW, overwrite ? acc[r][1] : scale * BLK_LOAD_PART(cr + kW, c1) + acc[r][1], c1);
  }
}

BLK_TARGET void Gemm(const GemmArgs& g) {
  float* packA = Scratch(0, static_cast<size_t>(kMC) * kKC);
  float* packB = Scratch(1, static_cast<size_t>(kKC) * kNC);
  for (int jc = 0; jc < g.n; jc += kNC) {
    const int nc = Min(kNC, g.n - jc);
    for (int pc = 0; pc < g.k; pc += kKC) {
      const int kc = Min(kKC, g.k - pc);
      const bool first = pc == 0;
      PackB(g, pc, kc, jc, nc, packB);
      for (int ic = 0; ic < g.m; ic += kMC) {
        const int mc = Min(kMC, g.m - ic);
        PackA(g, ic, mc, pc, kc, packA);
        for (int jr = 0; jr < nc; jr += kNR) {
          for (int ir = 0; ir < mc; ir += kMR) {
            float* c = g.c + static_cast<size_t>(ic + ir) * g.ldc + jc + jr;
            MicroKernel(kc, packA + static_cast<size_t>(ir) * kc, packB + static_cast<size_t>(jr) * kc, c, g.ldc,
                        Min(kMR, mc - ir), Min(kNR, nc - jr), g.beta, first);
          }
        }
      }
    }
  }
}

}  // namespace editledger::blocked::BLK_NS

#undef BLK_NS
#undef BLK_TARGET
#undef BLK_VEC_BYTES
#undef BLK_MR
#undef BLK_FMA
#undef BLK_SPLAT
#undef BLK_LOAD_PART
#undef BLK_STORE_PART
