// Fast CONV_2D / FULLY_CONNECTED on AVX512-VNNI CPUs: 8-bit dot products (vpdpbusd, 4 products
// per int32 lane) on 256-bit vectors, followed by the same vectorised requantization.
//
// vpdpbusd multiplies unsigned by signed bytes, so the operands are moved into those domains:
// a = x (uint8) or x + 128 (int8, as x ^ 0x80); s = w - 128 (uint8, as w ^ 0x80) or w (int8).
// With I = input_offset - (0 or 128) and F = filter_offset + (128 or 0):
//   sum_k (w + filter_offset)(x + input_offset) = sum_k (s + F)(a + I)
//     = dot(a, s) + I * sum(s) + F * sum(a) + K * F * I
// exactly, in wrap-around int32 (the reference sums the same integers). Padded taps get
// a = -I, so (a + I) = 0 as the reference's skipped taps; the K padding to a multiple of 32
// has a = s = 0 and is excluded from K.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"

namespace etpu::kernels::fast {

#ifdef ETPU_FAST_X86
namespace {

#define ETPU_VNNI __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512vnni")))

constexpr int kMr = 3;   // Dot-product tiles: rows x output channels.
constexpr int kNr = 4;
constexpr int kBr = 6;   // Broadcast tiles: rows x output channels (packed weights).
constexpr int kBn = 16;
constexpr int kChunkBytes = 48 * 1024;

struct VnniScratch {
  std::vector<uint8_t> x;
  std::vector<int8_t> w;
  std::vector<int32_t> acc, col, rowc;
  std::vector<int32_t> wp;  ///< Broadcast-kernel weights: [oc / 16][k / 4][16] groups of 4 bytes.
};
VnniScratch& GetVnniScratch() {
  thread_local VnniScratch s;
  return s;
}

ETPU_VNNI inline int32_t HSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

/// Sum of n bytes (p[i] ^ flip) read as unsigned.
ETPU_VNNI inline uint32_t SumBytes(const void* src, int n, uint8_t flip) {
  const uint8_t* p = static_cast<const uint8_t*>(src);
  const __m256i f = _mm256_set1_epi8(static_cast<char>(flip));
  __m256i s = _mm256_setzero_si256();
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)), f);
    s = _mm256_add_epi64(s, _mm256_sad_epu8(v, _mm256_setzero_si256()));
  }
  __m128i h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  uint64_t total = static_cast<uint64_t>(_mm_cvtsi128_si64(h)) +
                   static_cast<uint64_t>(_mm_extract_epi64(h, 1));
  for (; i < n; ++i) total += static_cast<uint8_t>(p[i] ^ flip);
  return static_cast<uint32_t>(total);
}

/// dst[i] = src[i] ^ flip (flip 0x80 turns int8 into x + 128 and uint8 into x - 128).
ETPU_VNNI inline void CopyFlip(const void* src, int n, uint8_t flip, void* dst) {
  const uint8_t* s = static_cast<const uint8_t*>(src);
  uint8_t* d = static_cast<uint8_t*>(dst);
  if (flip == 0) {
    std::memcpy(d, s, static_cast<size_t>(n));
    return;
  }
  const __m256i f = _mm256_set1_epi8(static_cast<char>(flip));
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), f));
  }
  for (; i < n; ++i) d[i] = static_cast<uint8_t>(s[i] ^ flip);
}

/// n bytes (src[i] ^ flip) to dst with masked loads / stores (no over-read, no over-write).
ETPU_VNNI inline void CopyFlipMasked(const void* src, int n, uint8_t flip, void* dst) {
  const uint8_t* s = static_cast<const uint8_t*>(src);
  uint8_t* d = static_cast<uint8_t*>(dst);
  const __m256i f = _mm256_set1_epi8(static_cast<char>(flip));
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), f));
  }
  if (i < n) {
    const __mmask32 m = static_cast<__mmask32>((uint64_t{1} << (n - i)) - 1);
    _mm256_mask_storeu_epi8(d + i, m, _mm256_xor_si256(_mm256_maskz_loadu_epi8(m, s + i), f));
  }
}

/// Copies n bytes (src[i] ^ flip) into dst, zero-fills dst up to n32 (the next multiple of 32)
/// and returns the sum of the copied bytes.
ETPU_VNNI inline uint32_t CopyRowSum(const void* src, int n, uint8_t flip, uint8_t* dst) {
  const uint8_t* s = static_cast<const uint8_t*>(src);
  const __m256i f = _mm256_set1_epi8(static_cast<char>(flip));
  __m256i sum = _mm256_setzero_si256();
  for (int i = 0; i < n; i += 32) {
    const int m = n - i < 32 ? n - i : 32;
    const __mmask32 mask = static_cast<__mmask32>((uint64_t{1} << m) - 1);
    const __m256i v = _mm256_maskz_mov_epi8(mask, _mm256_xor_si256(_mm256_maskz_loadu_epi8(mask, s + i), f));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), v);
    sum = _mm256_add_epi64(sum, _mm256_sad_epu8(v, _mm256_setzero_si256()));
  }
  const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  return static_cast<uint32_t>(_mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1));
}

/// n bytes of value v (masked stores).
ETPU_VNNI inline void FillMasked(uint8_t v, int n, uint8_t* d) {
  const __m256i f = _mm256_set1_epi8(static_cast<char>(v));
  int i = 0;
  for (; i + 32 <= n; i += 32) _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), f);
  if (i < n) _mm256_mask_storeu_epi8(d + i, static_cast<__mmask32>((uint64_t{1} << (n - i)) - 1), f);
}

/// 32 weight bytes of a row at column k0 (masked past k; those lanes meet zero inputs), flipped
/// into the signed domain.
ETPU_VNNI inline __m256i LoadW(const uint8_t* w, int k0, int k, __m256i flip) {
  const __m256i v = k0 + 32 <= k
                        ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k0))
                        : _mm256_maskz_loadu_epi8(static_cast<__mmask32>((uint64_t{1} << (k - k0)) - 1), w + k0);
  return _mm256_xor_si256(v, flip);
}

/// Dot-product tile (few rows): reads the weight rows in place (stride k), so the weights are
/// not copied; x rows are zero-padded to k32.
ETPU_VNNI void Tile3x4(const uint8_t* x, const uint8_t* w, int k, int k32, uint8_t w_flip,
                       const int32_t* col, const int32_t* rowc, int32_t* acc, int ldacc) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(w_flip));
  __m256i a[kMr][kNr];
  for (int r = 0; r < kMr; ++r)
    for (int j = 0; j < kNr; ++j) a[r][j] = _mm256_setzero_si256();
  for (int k0 = 0; k0 < k; k0 += 32) {
    __m256i xv[kMr];
    for (int r = 0; r < kMr; ++r)
      xv[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * k32 + k0));
    for (int j = 0; j < kNr; ++j) {
      const __m256i wv = LoadW(w + int64_t{j} * k, k0, k, flip);
      for (int r = 0; r < kMr; ++r) a[r][j] = _mm256_dpbusd_epi32(a[r][j], xv[r], wv);
    }
  }
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(col));
  for (int r = 0; r < kMr; ++r) {
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a[r][0], a[r][1]),
                                        _mm256_hadd_epi32(a[r][2], a[r][3]));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    s = _mm_add_epi32(_mm_add_epi32(s, c), _mm_set1_epi32(rowc[r]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + r * ldacc), s);
  }
}

ETPU_VNNI void Tile3x1(const uint8_t* x, const uint8_t* w, int k, int k32, uint8_t w_flip,
                       int32_t col, const int32_t* rowc, int32_t* acc, int ldacc) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(w_flip));
  __m256i a[kMr];
  for (int r = 0; r < kMr; ++r) a[r] = _mm256_setzero_si256();
  for (int k0 = 0; k0 < k; k0 += 32) {
    const __m256i wv = LoadW(w, k0, k, flip);
    for (int r = 0; r < kMr; ++r) {
      a[r] = _mm256_dpbusd_epi32(
          a[r], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * k32 + k0)), wv);
    }
  }
  for (int r = 0; r < kMr; ++r) {
    acc[r * ldacc] = static_cast<int32_t>(static_cast<uint32_t>(HSum(a[r])) +
                                          static_cast<uint32_t>(col) + static_cast<uint32_t>(rowc[r]));
  }
}

/// Broadcast tile: acc[r][0..15] = col + rowc[r] + sum_g dot4(x[r][4g..], w[g][0..15]); each
/// group of 4 input bytes is broadcast to every lane (no horizontal sums).
ETPU_VNNI void Tile6x16(const uint8_t* x, int k32, int groups, const int32_t* wp,
                        const int32_t* col, const int32_t* rowc, int32_t* acc, int ldacc) {
  __m256i a[kBr][2];
  const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col));
  const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 8));
  for (int r = 0; r < kBr; ++r) {
    const __m256i rb = _mm256_set1_epi32(rowc[r]);
    a[r][0] = _mm256_add_epi32(c0, rb);
    a[r][1] = _mm256_add_epi32(c1, rb);
  }
  for (int g = 0; g < groups; ++g) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + g * kBn));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + g * kBn + 8));
    for (int r = 0; r < kBr; ++r) {
      int32_t v;
      std::memcpy(&v, x + r * k32 + 4 * g, 4);
      const __m256i b = _mm256_set1_epi32(v);
      a[r][0] = _mm256_dpbusd_epi32(a[r][0], b, w0);
      a[r][1] = _mm256_dpbusd_epi32(a[r][1], b, w1);
    }
  }
  for (int r = 0; r < kBr; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * ldacc), a[r][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * ldacc + 8), a[r][1]);
  }
}

/// Packs the s rows (k32 bytes each) for Tile6x16: wp[((oc/16) * groups + g) * 16 + oc % 16]
/// = bytes 4g..4g+3 of row oc; channels past oc_n are zero.
void PackBroadcast(const std::vector<int8_t>& w, int oc_n, int k32, int groups,
                   std::vector<int32_t>* wp) {
  const int blocks = (oc_n + kBn - 1) / kBn;
  wp->assign(static_cast<size_t>(blocks) * groups * kBn, 0);
  for (int oc = 0; oc < oc_n; ++oc) {
    const int8_t* row = w.data() + int64_t{oc} * k32;
    int32_t* dst = wp->data() + static_cast<size_t>(oc / kBn) * groups * kBn + oc % kBn;
    for (int g = 0; g < groups; ++g) std::memcpy(dst + static_cast<size_t>(g) * kBn, row + 4 * g, 4);
  }
}

/// How the GEMM operands map to vpdpbusd's domains (see the file comment).
struct Domain {
  uint8_t x_flip = 0, w_flip = 0;
  int32_t I = 0, F = 0;
  uint8_t pad = 0;  ///< a value of a padded tap (= -I).
};

template <typename T>
bool MakeDomain(int32_t input_offset, int32_t filter_offset, Domain* d) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  d->x_flip = kU8 ? 0 : 0x80;
  d->w_flip = kU8 ? 0x80 : 0;
  d->I = input_offset - (kU8 ? 0 : 128);
  d->F = filter_offset + (kU8 ? 128 : 0);
  if (-d->I < 0 || -d->I > 255) return false;
  if (filter_offset < -255 || filter_offset > 255) return false;
  d->pad = static_cast<uint8_t>(-d->I);
  return true;
}

/// s rows padded to k32, and col[oc] = bias + I * sum(s) + K * F * I (wrap-around).
ETPU_VNNI void PrepareWeights(const void* weights, int oc_n, int k, int k32, const Domain& d,
                              const int32_t* bias, bool copy, VnniScratch* s) {
  if (copy) s->w.assign(static_cast<size_t>(oc_n) * k32, 0);
  s->col.assign(static_cast<size_t>(oc_n) + kBn, 0);
  const uint8_t* w = static_cast<const uint8_t*>(weights);
  const uint32_t kfi = static_cast<uint32_t>(k) * static_cast<uint32_t>(d.F) * static_cast<uint32_t>(d.I);
  for (int oc = 0; oc < oc_n; ++oc) {
    // sum(s) over the signed bytes s = w ^ w_flip: sum((s ^ 0x80) as unsigned) - 128 k.
    const uint8_t* row = w + int64_t{oc} * k;
    if (copy) CopyFlip(row, k, d.w_flip, s->w.data() + int64_t{oc} * k32);
    const uint32_t sum_s = SumBytes(row, k, static_cast<uint8_t>(d.w_flip ^ 0x80)) -
                           128u * static_cast<uint32_t>(k);
    const uint32_t b = bias ? static_cast<uint32_t>(bias[oc]) : 0u;
    s->col[static_cast<size_t>(oc)] =
        static_cast<int32_t>(b + static_cast<uint32_t>(d.I) * sum_s + kfi);
  }
}

template <typename GatherFn>
ETPU_VNNI void RunVnni(int64_t rows, int k, int oc_n, const Domain& d, const void* weights,
                       VnniScratch& s,
                       GatherFn gather, void (*store)(const int32_t*, int, const RequantTable&, void*, int64_t),
                       const RequantTable& rq, void* output) {
  const int k32 = (k + 31) / 32 * 32;
  // Broadcast tiles (packed weights, no horizontal sums) unless there are too few rows.
  const bool bcast = rows >= kBr;
  const int groups = (k + 3) / 4;
  const int oc16 = (oc_n + kBn - 1) / kBn * kBn;
  const int ld = bcast ? oc16 : oc_n;
  if (bcast) PackBroadcast(s.w, oc_n, k32, groups, &s.wp);
  const int row_tile = bcast ? kBr : kMr;
  int chunk = std::max(row_tile, kChunkBytes / k32 / row_tile * row_tile);
  if (chunk > rows) chunk = static_cast<int>((rows + row_tile - 1) / row_tile * row_tile);
  s.x.resize(static_cast<size_t>(chunk) * k32);
  s.acc.resize(static_cast<size_t>(chunk) * ld);
  s.rowc.resize(static_cast<size_t>(chunk));
  for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
    const int n = static_cast<int>(std::min<int64_t>(chunk, rows - r0));
    const int padded = (n + row_tile - 1) / row_tile * row_tile;
    for (int i = 0; i < padded; ++i) {
      uint8_t* row = s.x.data() + int64_t{i} * k32;
      if (i < n) {
        // gather fills the row (zero-padded to k32) and returns the sum of its bytes.
        const uint32_t sum = gather(r0 + i, row);
        s.rowc[static_cast<size_t>(i)] = static_cast<int32_t>(static_cast<uint32_t>(d.F) * sum);
      } else {
        std::memset(row, 0, static_cast<size_t>(k32));
        s.rowc[static_cast<size_t>(i)] = 0;
      }
    }
    if (bcast) {
      for (int oc = 0; oc < oc_n; oc += kBn) {
        const int32_t* wp = s.wp.data() + static_cast<size_t>(oc / kBn) * groups * kBn;
        for (int r = 0; r < padded; r += kBr) {
          Tile6x16(s.x.data() + int64_t{r} * k32, k32, groups, wp, s.col.data() + oc,
                   s.rowc.data() + r, s.acc.data() + int64_t{r} * ld + oc, ld);
        }
      }
    } else {
      const uint8_t* w8 = static_cast<const uint8_t*>(weights);
      int oc = 0;
      for (; oc + kNr <= oc_n; oc += kNr) {
        for (int r = 0; r < padded; r += kMr) {
          Tile3x4(s.x.data() + int64_t{r} * k32, w8 + int64_t{oc} * k, k, k32, d.w_flip,
                  s.col.data() + oc, s.rowc.data() + r, s.acc.data() + int64_t{r} * ld + oc, ld);
        }
      }
      for (; oc < oc_n; ++oc) {
        for (int r = 0; r < padded; r += kMr) {
          Tile3x1(s.x.data() + int64_t{r} * k32, w8 + int64_t{oc} * k, k, k32, d.w_flip,
                  s.col[static_cast<size_t>(oc)], s.rowc.data() + r,
                  s.acc.data() + int64_t{r} * ld + oc, ld);
        }
      }
    }
    for (int i = 0; i < n; ++i) store(s.acc.data() + int64_t{i} * ld, oc_n, rq, output, r0 + i);
  }
}

template <typename T>
void StoreRow(const int32_t* acc, int n, const RequantTable& rq, void* out, int64_t row) {
  RequantRow(acc, n, rq, static_cast<T*>(out) + row * n);
}

}  // namespace

namespace {

template <typename T>
ETPU_VNNI bool VnniConvImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                            const T* weights, const int32_t* bias, Shape4 out, T* output,
                            const RequantTable& rq) {
  Domain d;
  if (!MakeDomain<T>(p.input_offset, p.filter_offset, &d)) return false;
  const int64_t k64 = int64_t{filter.h} * filter.w * in.c;
  if (k64 > (1 << 20)) return false;
  const int k = static_cast<int>(k64);
  const int k32 = (k + 31) / 32 * 32;
  VnniScratch& s = GetVnniScratch();
  const int64_t rows = int64_t{out.n} * out.h * out.w;
  PrepareWeights(weights, out.c, k, k32, d, bias, /*copy=*/rows >= kBr, &s);
  const bool pointwise = filter.h == 1 && filter.w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && in.h == out.h && in.w == out.w;
  const uint8_t xf = d.x_flip, pad = d.pad;
  if (pointwise) {
    RunVnni(rows, k, out.c, d, weights, s,
            [&](int64_t row, uint8_t* dst) ETPU_VNNI { return CopyRowSum(input + row * k, k, xf, dst); },
            &StoreRow<T>, rq, output);
  } else {
    const int ic = in.c;
    RunVnni(rows, k, out.c, d, weights, s,
            [&](int64_t row, uint8_t* dst) ETPU_VNNI {
              const int ox = static_cast<int>(row % out.w);
              const int oy = static_cast<int>((row / out.w) % out.h);
              const int b = static_cast<int>(row / (int64_t{out.w} * out.h));
              const int iy0 = oy * p.stride_h - p.pad_top, ix0 = ox * p.stride_w - p.pad_left;
              uint8_t* o = dst;
              for (int fy = 0; fy < filter.h; ++fy) {
                const int iy = iy0 + p.dilation_h * fy;
                const bool row_in = iy >= 0 && iy < in.h;
                for (int fx = 0; fx < filter.w; ++fx, o += ic) {
                  const int ix = ix0 + p.dilation_w * fx;
                  if (row_in && ix >= 0 && ix < in.w) {
                    CopyFlipMasked(input + Offset(in, b, iy, ix, 0), ic, xf, o);
                  } else {
                    FillMasked(pad, ic, o);
                  }
                }
              }
              FillMasked(0, k32 - k, dst + k);
              return SumBytes(dst, k32, 0);
            },
            &StoreRow<T>, rq, output);
  }
  return true;
}

template <typename T>
ETPU_VNNI bool VnniFcImpl(const FullyConnectedParams& p, FcDims dims, const T* input,
                          const T* weights, const int32_t* bias, T* output, const RequantTable& rq) {
  Domain d;
  if (!MakeDomain<T>(p.input_offset, p.filter_offset, &d)) return false;
  const int k = dims.accum_depth;
  const int k32 = (k + 31) / 32 * 32;
  VnniScratch& s = GetVnniScratch();
  PrepareWeights(weights, dims.out_depth, k, k32, d, bias, /*copy=*/dims.batches >= kBr, &s);
  const uint8_t xf = d.x_flip;
  RunVnni(dims.batches, k, dims.out_depth, d, weights, s,
          [&](int64_t row, uint8_t* dst) ETPU_VNNI { return CopyRowSum(input + row * k, k, xf, dst); },
          &StoreRow<T>, rq, output);
  return true;
}

}  // namespace

bool VnniConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                const RequantTable& rq) {
  return VnniConvImpl(p, in, input, filter, weights, bias, out, output, rq);
}
bool VnniConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                const RequantTable& rq) {
  return VnniConvImpl(p, in, input, filter, weights, bias, out, output, rq);
}
bool VnniFullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                        const uint8_t* weights, const int32_t* bias, uint8_t* output,
                        const RequantTable& rq) {
  return VnniFcImpl(p, d, input, weights, bias, output, rq);
}
bool VnniFullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output,
                        const RequantTable& rq) {
  return VnniFcImpl(p, d, input, weights, bias, output, rq);
}

#else

bool VnniConv2D(const ConvParams&, Shape4, const uint8_t*, Shape4, const uint8_t*, const int32_t*,
                Shape4, uint8_t*, const RequantTable&) { return false; }
bool VnniConv2D(const ConvParams&, Shape4, const int8_t*, Shape4, const int8_t*, const int32_t*,
                Shape4, int8_t*, const RequantTable&) { return false; }
bool VnniFullyConnected(const FullyConnectedParams&, FcDims, const uint8_t*, const uint8_t*,
                        const int32_t*, uint8_t*, const RequantTable&) { return false; }
bool VnniFullyConnected(const FullyConnectedParams&, FcDims, const int8_t*, const int8_t*,
                        const int32_t*, int8_t*, const RequantTable&) { return false; }

#endif

}  // namespace etpu::kernels::fast
