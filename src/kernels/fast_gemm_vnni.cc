// Fast CONV_2D / FULLY_CONNECTED on AVX512-VNNI CPUs: 8-bit dot products (vpdpbusd, 4 products
// per int32 lane); broadcast tiles of 6 rows x 32 channels (6 x 16 for the last 16) on 512-bit
// vectors, dot-product tiles on 256-bit vectors for fewer rows; the requantization (the same
// integer steps on 512-bit vectors) is fused into the broadcast tiles, so no int32 row is
// stored and re-read.
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
#include "kernels/fast_simd512.h"

namespace etpu::kernels::fast {

#ifdef ETPU_FAST_X86
namespace {

constexpr int kMr = 3;   // Dot-product tiles: rows x output channels.
constexpr int kNr = 4;
constexpr int kBr = 6;   // Broadcast tiles: rows x output channels (packed weights).
constexpr int kBn = 16;
constexpr int kChunkBytes = 48 * 1024;
constexpr int kOcSplit = 64;  // Output channels per part when threads split a few-row GEMM.

struct VnniScratch {
  std::vector<uint8_t> x;
  std::vector<int32_t> acc, rowc;
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
  if (i < n) {  // The last < 32 bytes: masked load, flipped lanes past n zeroed.
    const __mmask32 m = static_cast<__mmask32>((uint64_t{1} << (n - i)) - 1);
    const __m256i v = _mm256_maskz_mov_epi8(m, _mm256_xor_si256(_mm256_maskz_loadu_epi8(m, p + i), f));
    s = _mm256_add_epi64(s, _mm256_sad_epu8(v, _mm256_setzero_si256()));
  }
  __m128i h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  const uint64_t total = static_cast<uint64_t>(_mm_cvtsi128_si64(h)) +
                         static_cast<uint64_t>(_mm_extract_epi64(h, 1));
  return static_cast<uint32_t>(total);
}

/// n bytes (src[i] ^ flip) to dst, their sum added to the 64-bit lanes of *acc (from the
/// registers: re-reading dst would stall on the partial stores). Reads past src + n only where
/// `avail` (the bytes readable from src) allows, else masked; writes zeros up to 31 bytes past
/// dst + n (the caller's buffer has that slack and writes those bytes afterwards).
ETPU_VNNI inline void CopyFlipSum(const uint8_t* src, int n, int64_t avail, __m256i flip,
                                  uint8_t* dst, __m256i* acc) {
  for (int i = 0; i < n; i += 32) {
    const int m = n - i < 32 ? n - i : 32;
    const __mmask32 mask = static_cast<__mmask32>((uint64_t{1} << m) - 1);
    const __m256i v = avail - i >= 32 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))
                                      : _mm256_maskz_loadu_epi8(mask, src + i);
    const __m256i x = _mm256_maskz_mov_epi8(mask, _mm256_xor_si256(v, flip));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), x);
    *acc = _mm256_add_epi64(*acc, _mm256_sad_epu8(x, _mm256_setzero_si256()));
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


/// Broadcast tile with the requantization fused: out[r][0..16 kNb) = requant(col + rowc[r] +
/// sum_g dot4(x[r][4g..], w[g][..])) over kNb packed blocks of 16 channels (wp: the first block,
/// the next ones block_stride apart); each group of 4 input bytes is broadcast to every lane (no
/// horizontal sums) and meets kNb weight vectors. Only `rows` rows and `ch` channels are stored.
template <int kNb, typename T>
ETPU_VNNI void TileB(const uint8_t* x, int ldx, int groups, const int32_t* wp, size_t block_stride,
                     const int32_t* col, const int32_t* rowc, const Rq16* q, int rows, int ch,
                     T* out, int ldout) {
  __m512i a[kBr][kNb];
#pragma GCC unroll 6
  for (int r = 0; r < kBr; ++r) {
    const __m512i rc = _mm512_set1_epi32(rowc[r]);
    for (int j = 0; j < kNb; ++j) a[r][j] = _mm512_add_epi32(_mm512_loadu_si512(col + kBn * j), rc);
  }
  for (int g = 0; g < groups; ++g) {
    __m512i w[kNb];
    for (int j = 0; j < kNb; ++j) w[j] = _mm512_loadu_si512(wp + j * block_stride + g * kBn);
#pragma GCC unroll 6
    for (int r = 0; r < kBr; ++r) {
      int32_t v;
      std::memcpy(&v, x + int64_t{r} * ldx + 4 * g, 4);
      const __m512i xv = _mm512_set1_epi32(v);
      for (int j = 0; j < kNb; ++j) a[r][j] = _mm512_dpbusd_epi32(a[r][j], xv, w[j]);
    }
  }
  // Constant trip count (rows only guards the stores): the accumulators stay in registers.
  for (int j = 0; j < kNb; ++j) {
    const int left = ch - kBn * j;
    const __mmask16 m = left >= kBn ? static_cast<__mmask16>(0xFFFF)
                                    : static_cast<__mmask16>((1u << std::max(left, 0)) - 1);
#pragma GCC unroll 6
    for (int r = 0; r < kBr; ++r) {
      if (r < rows) {
        _mm_mask_storeu_epi8(out + int64_t{r} * ldout + kBn * j, m,
                             _mm512_cvtepi32_epi8(Requant16(q[j], a[r][j])));
      }
    }
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

/// col[oc] = bias + I * sum(s) + K * F * I (wrap-around) and, for broadcast tiles, the s rows
/// packed as wp[((oc/16) * groups + g) * 16 + oc % 16] = bytes 4g..4g+3 of row oc (zero past k
/// and for channels past oc_n).
template <typename T>
ETPU_VNNI bool BuildVnniPackImpl(int64_t rows, int k, int oc_n, const T* weights,
                                 const int32_t* bias, int32_t input_offset,
                                 int32_t filter_offset, GemmPack* pk) {
  Domain d;
  if (!MakeDomain<T>(input_offset, filter_offset, &d)) return false;
  pk->vnni = true;
  pk->k = k;
  pk->oc = oc_n;
  pk->bcast = rows >= kBr;
  pk->x_flip = d.x_flip;
  pk->w_flip = d.w_flip;
  pk->pad = d.pad;
  pk->F = d.F;
  pk->w16.clear();
  pk->col.assign(static_cast<size_t>(oc_n) + kBn, 0);
  const uint8_t* w = reinterpret_cast<const uint8_t*>(weights);
  const uint32_t kfi = static_cast<uint32_t>(k) * static_cast<uint32_t>(d.F) * static_cast<uint32_t>(d.I);
  for (int oc = 0; oc < oc_n; ++oc) {
    // sum(s) over the signed bytes s = w ^ w_flip: sum((s ^ 0x80) as unsigned) - 128 k.
    const uint8_t* row = w + int64_t{oc} * k;
    const uint32_t sum_s = SumBytes(row, k, static_cast<uint8_t>(d.w_flip ^ 0x80)) -
                           128u * static_cast<uint32_t>(k);
    const uint32_t b = bias ? static_cast<uint32_t>(bias[oc]) : 0u;
    pk->col[static_cast<size_t>(oc)] = static_cast<int32_t>(b + static_cast<uint32_t>(d.I) * sum_s + kfi);
  }
  pk->wp.clear();
  if (pk->bcast) {
    const int groups = (k + 3) / 4;
    const int blocks = (oc_n + kBn - 1) / kBn;
    pk->wp.assign(static_cast<size_t>(blocks) * groups * kBn, 0);
    for (int oc = 0; oc < oc_n; ++oc) {
      const uint8_t* row = w + int64_t{oc} * k;
      int32_t* dst = pk->wp.data() + static_cast<size_t>(oc / kBn) * groups * kBn + oc % kBn;
      for (int g = 0; g < groups; ++g) {
        uint8_t b4[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4 && 4 * g + j < k; ++j) b4[j] = static_cast<uint8_t>(row[4 * g + j] ^ d.w_flip);
        std::memcpy(dst + static_cast<size_t>(g) * kBn, b4, 4);
      }
    }
  }
  return true;
}

/// rows x oc GEMM over [0, rows); gather(row, dst) fills dst (zero-padded to k32) and returns
/// the sum of its bytes. Output row r is output + r * oc. `direct` (broadcast tiles only): the
/// rows as they are, k bytes apart (k a multiple of 4, already in the unsigned domain), read in
/// place instead of gathered, except for a last partial tile.
template <typename T, typename GatherFn>
ETPU_VNNI void RunVnni(const GemmPack& pk, int64_t rows, const T* weights, GatherFn gather,
                       T* output, ThreadPool* pool, const uint8_t* direct = nullptr) {
  const int k = pk.k, oc_n = pk.oc;
  const int k32 = (k + 31) / 32 * 32;
  const bool bcast = pk.bcast && rows >= kBr;
  if (!bcast || k % 4 != 0) direct = nullptr;
  const int groups = (k + 3) / 4;
  const int row_tile = bcast ? kBr : kMr;
  int chunk = std::max(row_tile, kChunkBytes / k32 / row_tile * row_tile);
  if (chunk > rows) chunk = static_cast<int>((rows + row_tile - 1) / row_tile * row_tile);
  // Dot-product tiles of output channels [oc_b, oc_e) (oc_b a multiple of kNr) over the padded
  // rows gathered in s; accumulators into s.acc.
  const uint8_t* w8 = reinterpret_cast<const uint8_t*>(weights);
  auto dots = [&](VnniScratch& s, int padded, int oc_b, int oc_e) ETPU_VNNI {
    int oc = oc_b;
    for (; oc + kNr <= oc_e; oc += kNr) {
      for (int r = 0; r < padded; r += kMr) {
        Tile3x4(s.x.data() + int64_t{r} * k32, w8 + int64_t{oc} * k, k, k32, pk.w_flip,
                pk.col.data() + oc, s.rowc.data() + r, s.acc.data() + int64_t{r} * oc_n + oc, oc_n);
      }
    }
    for (; oc < oc_e; ++oc) {
      for (int r = 0; r < padded; r += kMr) {
        Tile3x1(s.x.data() + int64_t{r} * k32, w8 + int64_t{oc} * k, k, k32, pk.w_flip,
                pk.col[static_cast<size_t>(oc)], s.rowc.data() + r,
                s.acc.data() + int64_t{r} * oc_n + oc, oc_n);
      }
    }
  };
  // A one-row FULLY_CONNECTED (or a conv of <= kMr pixels) has one block of rows: with threads,
  // its output channels are split instead (each accumulator computed by one thread, as always).
  const bool split_oc = !bcast && rows <= kMr && pool != nullptr && pool->threads() > 1 &&
                        oc_n >= 2 * kOcSplit;
  ForRowBlocks(rows, row_tile, chunk, pool, [&](int64_t r0, int n) ETPU_VNNI {
    VnniScratch& s = GetVnniScratch();
    const int padded = (n + row_tile - 1) / row_tile * row_tile;
    // Rows [0, first_gathered) are read in place, the others gathered into s.x.
    const int first_gathered = direct ? n / kBr * kBr : 0;
    s.x.resize(static_cast<size_t>(padded - first_gathered) * k32 + 32);  // + CopyFlipSum's slack
    s.rowc.resize(static_cast<size_t>(padded));
    for (int i = 0; i < first_gathered; ++i) {
      const uint32_t sum = SumBytes(direct + (r0 + i) * k, k, 0);
      s.rowc[static_cast<size_t>(i)] = static_cast<int32_t>(static_cast<uint32_t>(pk.F) * sum);
    }
    for (int i = first_gathered; i < padded; ++i) {
      uint8_t* row = s.x.data() + int64_t{i - first_gathered} * k32;
      if (i < n) {
        const uint32_t sum = gather(r0 + i, row);
        s.rowc[static_cast<size_t>(i)] = static_cast<int32_t>(static_cast<uint32_t>(pk.F) * sum);
      } else {
        std::memset(row, 0, static_cast<size_t>(k32));
        s.rowc[static_cast<size_t>(i)] = 0;
      }
    }
    T* out0 = output + r0 * oc_n;
    if (bcast) {
      const size_t block_stride = static_cast<size_t>(groups) * kBn;
      for (int oc = 0; oc < oc_n;) {
        // 32 channels per tile while they last (two weight vectors per broadcast), then 16.
        const bool two = oc + 2 * kBn <= oc_n;
        const int32_t* wp = pk.wp.data() + static_cast<size_t>(oc / kBn) * block_stride;
        const Rq16 q[2] = {MakeRq16(pk.rq, oc), two ? MakeRq16(pk.rq, oc + kBn) : MakeRq16(pk.rq, oc)};
        const int ch = std::min(two ? 2 * kBn : kBn, oc_n - oc);
        for (int r = 0; r < n; r += kBr) {
          const bool in_place = r < first_gathered;
          const uint8_t* x = in_place ? direct + (r0 + r) * k : s.x.data() + int64_t{r - first_gathered} * k32;
          T* o = out0 + int64_t{r} * oc_n + oc;
          const int ldx = in_place ? k : k32, nr = std::min(kBr, n - r);
          if (two) {
            TileB<2>(x, ldx, groups, wp, block_stride, pk.col.data() + oc, s.rowc.data() + r, q, nr, ch, o, oc_n);
          } else {
            TileB<1>(x, ldx, groups, wp, block_stride, pk.col.data() + oc, s.rowc.data() + r, q, nr, ch, o, oc_n);
          }
        }
        oc += ch;
      }
      return;
    }
    s.acc.resize(static_cast<size_t>(padded) * oc_n);
    if (split_oc) {  // The only block (rows <= kMr): the threads split its output channels.
      ParallelFor(pool, (oc_n + kOcSplit - 1) / kOcSplit, [&](int64_t b, int64_t e) ETPU_VNNI {
        dots(s, padded, static_cast<int>(b * kOcSplit), static_cast<int>(std::min<int64_t>(e * kOcSplit, oc_n)));
      });
    } else {
      dots(s, padded, 0, oc_n);
    }
    for (int i = 0; i < n; ++i) RequantRow(s.acc.data() + int64_t{i} * oc_n, oc_n, pk.rq, out0 + int64_t{i} * oc_n);
  });
}

template <typename T>
ETPU_VNNI void VnniConvImpl(const GemmPack& pk, const ConvParams& p, Shape4 in, const T* input,
                            Shape4 filter, const T* weights, Shape4 out, T* output,
                            ThreadPool* pool) {
  const int k = pk.k;
  const int k32 = (k + 31) / 32 * 32;
  const int64_t rows = int64_t{out.n} * out.h * out.w;
  const bool pointwise = filter.h == 1 && filter.w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && in.h == out.h && in.w == out.w;
  const uint8_t xf = pk.x_flip, pad = pk.pad;
  if (pointwise) {
    // uint8 rows are already in the unsigned domain: read in place.
    const uint8_t* direct = xf == 0 ? reinterpret_cast<const uint8_t*>(input) : nullptr;
    RunVnni(pk, rows, weights,
            [&](int64_t row, uint8_t* dst) ETPU_VNNI { return CopyRowSum(input + row * k, k, xf, dst); },
            output, pool, direct);
    return;
  }
  const int ic = in.c;
  const int64_t in_elems = in.FlatSize();
  const uint32_t out_w = static_cast<uint32_t>(out.w), out_h = static_cast<uint32_t>(out.h);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(xf));
  RunVnni(pk, rows, weights,
          [&](int64_t row, uint8_t* dst) ETPU_VNNI {
            // One 32-bit division (rows < 2^31: Shape4::Valid), a second one only for batches.
            const uint32_t pix = static_cast<uint32_t>(row) / out_w;
            const int ox = static_cast<int>(static_cast<uint32_t>(row) - pix * out_w);
            const uint32_t bu = out.n == 1 ? 0u : pix / out_h;
            const int oy = static_cast<int>(pix - bu * out_h), b = static_cast<int>(bu);
            const int iy0 = oy * p.stride_h - p.pad_top, ix0 = ox * p.stride_w - p.pad_left;
            uint8_t* o = dst;
            __m256i acc = _mm256_setzero_si256();
            uint32_t sum = 0;
            // Copies n elements of the batch's input from element offset `at`.
            auto copy = [&](int64_t at, int n) ETPU_VNNI {
              CopyFlipSum(reinterpret_cast<const uint8_t*>(input + at), n, in_elems - at, flip, o, &acc);
            };
            // With dilation_w 1 and the filter row inside the input, its taps are contiguous.
            const bool row_contiguous = p.dilation_w == 1 && ix0 >= 0 && ix0 + filter.w <= in.w;
            for (int fy = 0; fy < filter.h; ++fy) {
              const int iy = iy0 + p.dilation_h * fy;
              const bool row_in = iy >= 0 && iy < in.h;
              if (row_in && row_contiguous) {
                copy(Offset(in, b, iy, ix0, 0), filter.w * ic);
                o += filter.w * ic;
                continue;
              }
              for (int fx = 0; fx < filter.w; ++fx, o += ic) {
                const int ix = ix0 + p.dilation_w * fx;
                if (row_in && ix >= 0 && ix < in.w) {
                  copy(Offset(in, b, iy, ix, 0), ic);
                } else {
                  FillMasked(pad, ic, o);
                  sum += uint32_t{pad} * static_cast<uint32_t>(ic);
                }
              }
            }
            FillMasked(0, k32 - k, dst + k);
            const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
            return sum + static_cast<uint32_t>(_mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1));
          },
          output, pool);
}

template <typename T>
ETPU_VNNI void VnniFcImpl(const GemmPack& pk, FcDims dims, const T* input, const T* weights,
                          T* output, ThreadPool* pool) {
  const int k = pk.k;
  const uint8_t xf = pk.x_flip;
  RunVnni(pk, dims.batches, weights,
          [&](int64_t row, uint8_t* dst) ETPU_VNNI { return CopyRowSum(input + row * k, k, xf, dst); },
          output, pool, xf == 0 ? reinterpret_cast<const uint8_t*>(input) : nullptr);
}

template <typename T>
bool VnniConvAlone(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                   const T* weights, const int32_t* bias, Shape4 out, T* output,
                   const RequantTable& rq) {
  const int64_t k64 = int64_t{filter.h} * filter.w * in.c;
  if (k64 > (1 << 20)) return false;
  GemmPack pk;
  if (!BuildVnniPackImpl(int64_t{out.n} * out.h * out.w, static_cast<int>(k64), out.c, weights,
                         bias, p.input_offset, p.filter_offset, &pk)) {
    return false;
  }
  pk.rq = rq;
  VnniConvImpl(pk, p, in, input, filter, weights, out, output, nullptr);
  return true;
}

}  // namespace

bool VnniConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                const RequantTable& rq) {
  return VnniConvAlone(p, in, input, filter, weights, bias, out, output, rq);
}
bool VnniConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                const RequantTable& rq) {
  return VnniConvAlone(p, in, input, filter, weights, bias, out, output, rq);
}
bool BuildVnniPack(int64_t rows, int k, int oc_n, const uint8_t* weights, const int32_t* bias,
                   int32_t input_offset, int32_t filter_offset, GemmPack* pk) {
  return BuildVnniPackImpl(rows, k, oc_n, weights, bias, input_offset, filter_offset, pk);
}
bool BuildVnniPack(int64_t rows, int k, int oc_n, const int8_t* weights, const int32_t* bias,
                   int32_t input_offset, int32_t filter_offset, GemmPack* pk) {
  return BuildVnniPackImpl(rows, k, oc_n, weights, bias, input_offset, filter_offset, pk);
}
void VnniConv2D(const GemmPack& pk, const ConvParams& p, Shape4 in, const uint8_t* input,
                Shape4 filter, const uint8_t* weights, Shape4 out, uint8_t* output,
                ThreadPool* pool) {
  VnniConvImpl(pk, p, in, input, filter, weights, out, output, pool);
}
void VnniConv2D(const GemmPack& pk, const ConvParams& p, Shape4 in, const int8_t* input,
                Shape4 filter, const int8_t* weights, Shape4 out, int8_t* output,
                ThreadPool* pool) {
  VnniConvImpl(pk, p, in, input, filter, weights, out, output, pool);
}
void VnniFullyConnected(const GemmPack& pk, FcDims d, const uint8_t* input,
                        const uint8_t* weights, uint8_t* output, ThreadPool* pool) {
  VnniFcImpl(pk, d, input, weights, output, pool);
}
void VnniFullyConnected(const GemmPack& pk, FcDims d, const int8_t* input, const int8_t* weights,
                        int8_t* output, ThreadPool* pool) {
  VnniFcImpl(pk, d, input, weights, output, pool);
}

#else

bool VnniConv2D(const ConvParams&, Shape4, const uint8_t*, Shape4, const uint8_t*, const int32_t*,
                Shape4, uint8_t*, const RequantTable&) { return false; }
bool VnniConv2D(const ConvParams&, Shape4, const int8_t*, Shape4, const int8_t*, const int32_t*,
                Shape4, int8_t*, const RequantTable&) { return false; }
bool BuildVnniPack(int64_t, int, int, const uint8_t*, const int32_t*, int32_t, int32_t,
                   GemmPack*) { return false; }
bool BuildVnniPack(int64_t, int, int, const int8_t*, const int32_t*, int32_t, int32_t,
                   GemmPack*) { return false; }
void VnniConv2D(const GemmPack&, const ConvParams&, Shape4, const uint8_t*, Shape4,
                const uint8_t*, Shape4, uint8_t*, ThreadPool*) {}
void VnniConv2D(const GemmPack&, const ConvParams&, Shape4, const int8_t*, Shape4,
                const int8_t*, Shape4, int8_t*, ThreadPool*) {}
void VnniFullyConnected(const GemmPack&, FcDims, const uint8_t*, const uint8_t*, uint8_t*,
                        ThreadPool*) {}
void VnniFullyConnected(const GemmPack&, FcDims, const int8_t*, const int8_t*, int8_t*,
                        ThreadPool*) {}

#endif

}  // namespace etpu::kernels::fast
