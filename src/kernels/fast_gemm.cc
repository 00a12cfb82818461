// Fast CONV_2D (any kernel size, stride, dilation, padding; 1x1 needs no tap gathering) and
// FULLY_CONNECTED as an int16 GEMM with int32 accumulation (AVX2 vpmaddwd), followed by the
// vectorised requantization. Rows are output pixels (conv) or batches (FC), columns output
// channels, the depth K = filter_h * filter_w * in_c (the OHWI filter row order).
//
// Packing (BuildGemmPack: once at prepare time with a PackedLayer, else per call): the weights
// become W'[oc][K16] = w + filter_offset (int16, zero-padded to a multiple of 16; broadcast
// tiles take them in blocks of 16 channels). Per call the input rows are gathered in chunks into
// X'[row][K16] = x + input_offset (0 for padded taps and the K padding), acc = bias + X' . W'^T,
// requantized in the broadcast tile itself (row by row after the few-row dot-product tiles).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"

namespace etpu::kernels::fast {

#ifdef ETPU_FAST_X86
namespace {

constexpr int kMr = 3;  // Rows per dot-product micro-tile.
constexpr int kNr = 4;  // Output channels per dot-product micro-tile.
constexpr int kBr = 4;  // Rows per broadcast micro-tile (packed weights; 8 accumulators + operands fit 16 ymm).
constexpr int kBn = 16;  // Output channels per broadcast micro-tile.
constexpr int kChunkBytes = 96 * 1024;

/// Scratch buffers reused across calls on one thread.
struct Scratch {
  std::vector<int16_t> x;
  std::vector<int32_t> acc;
};
Scratch& GetScratch() {
  thread_local Scratch s;
  return s;
}

ETPU_AVX2 inline int32_t HSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

/// acc[r][oc..oc+3] = bias + X'[r] . W'[oc+j] for kMr rows.
ETPU_AVX2 void Tile3x4(const int16_t* x, const int16_t* w, int k16, const int32_t* bias,
                       int32_t* acc, int ldacc) {
  __m256i a[kMr][kNr];
  for (int r = 0; r < kMr; ++r)
    for (int j = 0; j < kNr; ++j) a[r][j] = _mm256_setzero_si256();
  for (int k = 0; k < k16; k += 16) {
    __m256i xv[kMr];
    for (int r = 0; r < kMr; ++r)
      xv[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * k16 + k));
    for (int j = 0; j < kNr; ++j) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + j * k16 + k));
      for (int r = 0; r < kMr; ++r) a[r][j] = _mm256_add_epi32(a[r][j], _mm256_madd_epi16(xv[r], wv));
    }
  }
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bias));
  for (int r = 0; r < kMr; ++r) {
    const __m256i h01 = _mm256_hadd_epi32(a[r][0], a[r][1]);
    const __m256i h23 = _mm256_hadd_epi32(a[r][2], a[r][3]);
    const __m256i h = _mm256_hadd_epi32(h01, h23);
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + r * ldacc), _mm_add_epi32(s, b));
  }
}

/// One output channel for kMr rows (channel tail).
ETPU_AVX2 void Tile3x1(const int16_t* x, const int16_t* w, int k16, int32_t bias, int32_t* acc,
                       int ldacc) {
  __m256i a[kMr];
  for (int r = 0; r < kMr; ++r) a[r] = _mm256_setzero_si256();
  for (int k = 0; k < k16; k += 16) {
    const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k));
    for (int r = 0; r < kMr; ++r) {
      a[r] = _mm256_add_epi32(
          a[r], _mm256_madd_epi16(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * k16 + k)), wv));
    }
  }
  for (int r = 0; r < kMr; ++r) acc[r * ldacc] = HSum(a[r]) + bias;
}

/// Broadcast tile with the requantization fused: out[r][0..15] = requant(bias + sum over int16
/// pairs g of x[r][2g..2g+1] (broadcast) times the packed weights of 16 channels) (vpmaddwd; no
/// horizontal sums). Only `rows` rows and `ch` channels are stored.
template <typename T>
ETPU_AVX2 void Tile4x16(const int16_t* x, int k16, const int32_t* wp, const int32_t* bias,
                        const RequantVec& rv, const RequantTable& rq, int oc, int rows, int ch,
                        T* out, int ldout) {
  __m256i a[kBr][2];
  const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias));
  const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8));
  for (int r = 0; r < kBr; ++r) {
    a[r][0] = c0;
    a[r][1] = c1;
  }
  const int pairs = k16 / 2;
  for (int g = 0; g < pairs; ++g) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + g * kBn));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + g * kBn + 8));
    for (int r = 0; r < kBr; ++r) {
      int32_t v;
      std::memcpy(&v, x + r * k16 + 2 * g, 4);
      const __m256i b = _mm256_set1_epi32(v);
      a[r][0] = _mm256_add_epi32(a[r][0], _mm256_madd_epi16(b, w0));
      a[r][1] = _mm256_add_epi32(a[r][1], _mm256_madd_epi16(b, w1));
    }
  }
  // Every row is requantized with constant indices (the accumulators stay in registers), then
  // `rows` rows of `ch` channels are stored.
  T tmp[kBr][kBn];
#pragma GCC unroll 4
  for (int r = 0; r < kBr; ++r) {
    Store8(RequantAt(rv, rq, a[r][0], oc), tmp[r]);
    Store8(RequantAt(rv, rq, a[r][1], oc + 8), tmp[r] + 8);
  }
  for (int r = 0; r < rows; ++r) {
    T* dst = out + int64_t{r} * ldout;
    if (ch >= kBn) {
      std::memcpy(dst, tmp[r], sizeof(T) * kBn);
    } else {
      std::memcpy(dst, tmp[r], sizeof(T) * static_cast<size_t>(ch));
    }
  }
}

/// Dot-product tiles (fewer than kBr rows): acc[rows_padded][oc_n], rows_padded a multiple of kMr.
ETPU_AVX2 void GemmDot(const int16_t* x, int rows_padded, int k16, const GemmPack& pk,
                       int32_t* acc) {
  const int oc_n = pk.oc, ld = pk.oc;
  const int16_t* w = pk.w16.data();
  const int32_t* bias = pk.col.data();
  int oc = 0;
  for (; oc + kNr <= oc_n; oc += kNr) {
    for (int r = 0; r < rows_padded; r += kMr) {
      Tile3x4(x + int64_t{r} * k16, w + int64_t{oc} * k16, k16, bias + oc,
              acc + int64_t{r} * ld + oc, ld);
    }
  }
  for (; oc < oc_n; ++oc) {
    for (int r = 0; r < rows_padded; r += kMr) {
      Tile3x1(x + int64_t{r} * k16, w + int64_t{oc} * k16, k16, bias[oc],
              acc + int64_t{r} * ld + oc, ld);
    }
  }
}

/// The AVX2 pack: W' rows (dot tiles) or W' in broadcast blocks [oc / 16][k16 / 2][16] of int16
/// pairs (channels past oc_n zero), bias padded by 16.
template <typename T>
ETPU_AVX2 void BuildAvx2Pack(int64_t rows, int k, int oc_n, const T* weights,
                             const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                             GemmPack* pk) {
  pk->vnni = false;
  pk->k = k;
  pk->oc = oc_n;
  pk->bcast = rows >= kBr;
  pk->input_offset = input_offset;
  const int k16 = (k + 15) / 16 * 16;
  pk->col.assign(static_cast<size_t>(oc_n) + kBn, 0);
  if (bias) std::copy(bias, bias + oc_n, pk->col.begin());
  std::vector<int16_t> w16(static_cast<size_t>(oc_n) * k16);
  for (int oc = 0; oc < oc_n; ++oc) {
    int16_t* dst = w16.data() + int64_t{oc} * k16;
    WidenAdd(weights + int64_t{oc} * k, k, static_cast<int16_t>(filter_offset), dst);
    std::fill(dst + k, dst + k16, int16_t{0});
  }
  pk->wp.clear();
  if (!pk->bcast) {
    pk->w16 = std::move(w16);
    return;
  }
  pk->w16.clear();
  const int blocks = (oc_n + kBn - 1) / kBn, pairs = k16 / 2;
  pk->wp.assign(static_cast<size_t>(blocks) * pairs * kBn, 0);
  for (int oc = 0; oc < oc_n; ++oc) {
    const int16_t* row = w16.data() + int64_t{oc} * k16;
    int32_t* dst = pk->wp.data() + static_cast<size_t>(oc / kBn) * pairs * kBn + oc % kBn;
    for (int g = 0; g < pairs; ++g) std::memcpy(dst + static_cast<size_t>(g) * kBn, row + 2 * g, 4);
  }
}

/// The rows of a GEMM: how to gather row i into X'.
struct ConvRows {
  const ConvParams* p;
  Shape4 in, filter, out;
};

template <typename T>
ETPU_AVX2 void GatherConvRow(const ConvRows& g, const T* input, int64_t row, int16_t io,
                             int k16, int16_t* dst) {
  const ConvParams& p = *g.p;
  const int ow = g.out.w, oh = g.out.h;
  const int ox = static_cast<int>(row % ow);
  const int oy = static_cast<int>((row / ow) % oh);
  const int b = static_cast<int>(row / (int64_t{ow} * oh));
  const int ic = g.in.c;
  const int iy0 = oy * p.stride_h - p.pad_top, ix0 = ox * p.stride_w - p.pad_left;
  int16_t* d = dst;
  // With dilation_w 1 and the filter row inside the input, its taps are contiguous.
  const bool row_contiguous = p.dilation_w == 1 && ix0 >= 0 && ix0 + g.filter.w <= g.in.w;
  for (int fy = 0; fy < g.filter.h; ++fy) {
    const int iy = iy0 + p.dilation_h * fy;
    const bool row_in = iy >= 0 && iy < g.in.h;
    if (row_in && row_contiguous) {
      WidenAdd(input + Offset(g.in, b, iy, ix0, 0), g.filter.w * ic, io, d);
      d += g.filter.w * ic;
      continue;
    }
    for (int fx = 0; fx < g.filter.w; ++fx, d += ic) {
      const int ix = ix0 + p.dilation_w * fx;
      if (row_in && ix >= 0 && ix < g.in.w) {
        WidenAdd(input + Offset(g.in, b, iy, ix, 0), ic, io, d);
      } else {
        std::memset(d, 0, sizeof(int16_t) * static_cast<size_t>(ic));
      }
    }
  }
  std::fill(d, dst + k16, int16_t{0});
}

/// Shared driver: `rows` GEMM rows of depth pk.k; row i gathered by gather(i, dst).
template <typename T, typename Gather>
ETPU_AVX2 void RunGemm(const GemmPack& pk, int64_t rows, T* output, ThreadPool* pool,
                       Gather gather) {
  const int k16 = (pk.k + 15) / 16 * 16;
  const int oc_n = pk.oc;
  const bool bcast = pk.bcast && rows >= kBr;
  const int tile = bcast ? kBr : kMr;
  int chunk = std::max(tile, kChunkBytes / (k16 * 2) / tile * tile);
  if (chunk > rows) chunk = static_cast<int>((rows + tile - 1) / tile * tile);
  const RequantVec rv = MakeRequantVec(pk.rq);
  ForRowBlocks(rows, tile, chunk, pool, [&](int64_t r0, int n) ETPU_AVX2 {
    Scratch& s = GetScratch();
    const int padded = (n + tile - 1) / tile * tile;
    s.x.resize(static_cast<size_t>(padded) * k16);
    for (int i = 0; i < n; ++i) gather(r0 + i, s.x.data() + int64_t{i} * k16);
    std::fill(s.x.begin() + int64_t{n} * k16, s.x.begin() + int64_t{padded} * k16, int16_t{0});
    T* out0 = output + r0 * oc_n;
    if (bcast) {
      const int pairs = k16 / 2;
      for (int oc = 0; oc < oc_n; oc += kBn) {
        const int32_t* wp = pk.wp.data() + static_cast<size_t>(oc / kBn) * pairs * kBn;
        const int ch = std::min(kBn, oc_n - oc);
        for (int r = 0; r < n; r += kBr) {
          Tile4x16(s.x.data() + int64_t{r} * k16, k16, wp, pk.col.data() + oc, rv, pk.rq, oc,
                   std::min(kBr, n - r), ch, out0 + int64_t{r} * oc_n + oc, oc_n);
        }
      }
      return;
    }
    s.acc.resize(static_cast<size_t>(padded) * oc_n);
    GemmDot(s.x.data(), padded, k16, pk, s.acc.data());
    for (int i = 0; i < n; ++i) {
      RequantRow(s.acc.data() + int64_t{i} * oc_n, oc_n, pk.rq, out0 + int64_t{i} * oc_n);
    }
  });
}

bool OffsetsFit(int32_t a, int32_t b) { return a >= -256 && a <= 256 && b >= -256 && b <= 256; }

template <typename T>
bool BuildGemmPackImpl(FastIsa isa, int64_t rows, int k, int oc_n, const T* weights,
                       const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                       const RequantTable& rq, GemmPack* pk) {
  if (isa == FastIsa::kNone || !OffsetsFit(input_offset, filter_offset) || k <= 0 || oc_n <= 0) {
    return false;
  }
  if (!(isa == FastIsa::kAvx512Vnni &&
        BuildVnniPack(rows, k, oc_n, weights, bias, input_offset, filter_offset, pk))) {
    BuildAvx2Pack(rows, k, oc_n, weights, bias, input_offset, filter_offset, pk);
  }
  pk->rows = rows;
  pk->rq = rq;
  return true;
}

/// The layer's pack when `ctx` holds one for the active ISA and these dimensions, else one built
/// now into this thread's scratch pack (nullptr when no fast path covers the parameters).
template <typename T>
const GemmPack* GetGemmPack(const ExecContext& ctx, int64_t rows, int k, int oc_n, const T* weights,
                            const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                            const std::vector<int32_t>& mult, const std::vector<int>& shift,
                            int32_t out_offset, int32_t act_min, int32_t act_max) {
  const FastIsa isa = ActiveFastIsa();
  if (ctx.packed != nullptr && ctx.packed->isa == isa && ctx.packed->gemm.k == k &&
      ctx.packed->gemm.oc == oc_n && ctx.packed->gemm.rows == rows) {
    return &ctx.packed->gemm;
  }
  thread_local GemmPack pk;
  RequantTable rq;
  if (!BuildRequantTable(mult, shift, oc_n, out_offset, act_min, act_max, &rq)) return nullptr;
  if (!BuildGemmPackImpl(isa, rows, k, oc_n, weights, bias, input_offset, filter_offset, rq, &pk)) {
    return nullptr;
  }
  return &pk;
}

template <typename T>
ETPU_AVX2 bool ConvImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                        const T* weights, const int32_t* bias, Shape4 out, T* output,
                        const ExecContext& ctx) {
  const int64_t k64 = int64_t{filter.h} * filter.w * in.c;
  if (k64 > (1 << 20)) return false;
  const int k = static_cast<int>(k64);
  const int64_t rows = int64_t{out.n} * out.h * out.w;
  const GemmPack* pk = GetGemmPack(ctx, rows, k, out.c, weights, bias, p.input_offset,
                                   p.filter_offset, p.output_multiplier, p.output_shift,
                                   p.output_offset, p.act_min, p.act_max);
  if (pk == nullptr) return false;
  if (pk->vnni) {
    VnniConv2D(*pk, p, in, input, filter, weights, out, output, ctx.pool);
    return true;
  }
  const int k16 = (k + 15) / 16 * 16;
  const ConvRows g{&p, in, filter, out};
  const int16_t io = static_cast<int16_t>(p.input_offset);
  const bool pointwise = filter.h == 1 && filter.w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && in.h == out.h && in.w == out.w;
  if (pointwise) {
    RunGemm(*pk, rows, output, ctx.pool, [&](int64_t row, int16_t* dst) ETPU_AVX2 {
      WidenAdd(input + row * k, k, io, dst);
      std::fill(dst + k, dst + k16, int16_t{0});
    });
  } else {
    RunGemm(*pk, rows, output, ctx.pool,
            [&](int64_t row, int16_t* dst) ETPU_AVX2 { GatherConvRow(g, input, row, io, k16, dst); });
  }
  return true;
}

template <typename T>
ETPU_AVX2 bool FcImpl(const FullyConnectedParams& p, FcDims d, const T* input, const T* weights,
                      const int32_t* bias, T* output, const ExecContext& ctx) {
  const int k = d.accum_depth;
  const GemmPack* pk = GetGemmPack(ctx, d.batches, k, d.out_depth, weights, bias, p.input_offset,
                                   p.filter_offset, p.output_multiplier, p.output_shift,
                                   p.output_offset, p.act_min, p.act_max);
  if (pk == nullptr) return false;
  if (pk->vnni) {
    VnniFullyConnected(*pk, d, input, weights, output, ctx.pool);
    return true;
  }
  const int k16 = (k + 15) / 16 * 16;
  const int16_t io = static_cast<int16_t>(p.input_offset);
  RunGemm(*pk, d.batches, output, ctx.pool, [&](int64_t row, int16_t* dst) ETPU_AVX2 {
    WidenAdd(input + row * k, k, io, dst);
    std::fill(dst + k, dst + k16, int16_t{0});
  });
  return true;
}

}  // namespace

bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const uint8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk) {
  return BuildGemmPackImpl(isa, rows, k, oc_n, weights, bias, input_offset, filter_offset, rq, pk);
}
bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const int8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk) {
  return BuildGemmPackImpl(isa, rows, k, oc_n, weights, bias, input_offset, filter_offset, rq, pk);
}
bool Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
            const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
            const ExecContext& ctx) {
  return ConvImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
            const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
            const ExecContext& ctx) {
  return ConvImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                    const uint8_t* weights, const int32_t* bias, uint8_t* output,
                    const ExecContext& ctx) {
  return FcImpl(p, d, input, weights, bias, output, ctx);
}
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                    const int8_t* weights, const int32_t* bias, int8_t* output,
                    const ExecContext& ctx) {
  return FcImpl(p, d, input, weights, bias, output, ctx);
}

#elif !defined(__aarch64__)  // neither x86 nor 64-bit ARM (fast_neon.cc): no fast path.

bool BuildGemmPack(FastIsa, int64_t, int, int, const uint8_t*, const int32_t*, int32_t, int32_t,
                   const RequantTable&, GemmPack*) { return false; }
bool BuildGemmPack(FastIsa, int64_t, int, int, const int8_t*, const int32_t*, int32_t, int32_t,
                   const RequantTable&, GemmPack*) { return false; }
bool Conv2D(const ConvParams&, Shape4, const uint8_t*, Shape4, const uint8_t*, const int32_t*,
            Shape4, uint8_t*, const ExecContext&) { return false; }
bool Conv2D(const ConvParams&, Shape4, const int8_t*, Shape4, const int8_t*, const int32_t*,
            Shape4, int8_t*, const ExecContext&) { return false; }
bool FullyConnected(const FullyConnectedParams&, FcDims, const uint8_t*, const uint8_t*,
                    const int32_t*, uint8_t*, const ExecContext&) { return false; }
bool FullyConnected(const FullyConnectedParams&, FcDims, const int8_t*, const int8_t*,
                    const int32_t*, int8_t*, const ExecContext&) { return false; }

#endif

}  // namespace etpu::kernels::fast
