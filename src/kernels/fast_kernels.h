// Internal: the fast (SIMD) paths behind Conv2D, DepthwiseConv2D and FullyConnected.
//
// Each entry point returns true when it computed the output and false when the case is not
// covered (no AVX2, depth multiplier > 1, offsets or multipliers outside the ranges the SIMD
// arithmetic is exact for); the public kernel then runs the reference loop. The caller has
// checked the shapes. Bit-exactness argument:
//  - accumulators: (w + filter_offset) and (x + input_offset) are formed exactly in int16
//    (|offset| <= 256) and multiplied/summed in int32 with wrap-around (vpmaddwd / vpmulld,
//    vpaddd); the reference sums the same products in int32, so as long as the reference does
//    not overflow (it would be undefined behaviour there) the sums are identical whatever the
//    order. Padded taps contribute 0 in both.
//  - requantization: RequantTable holds the reference's per-channel (multiplier, shift); the
//    vector code computes SaturatingRoundingDoublingHighMul as floor((x*m + 2^30) / 2^31) with
//    64-bit products (identical to the reference for every x when m >= 0, which the table
//    requires) and RoundingDivideByPOT with the reference's mask / threshold formula.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/fully_connected.h"
#include "kernels/types.h"

namespace etpu::kernels::fast {

bool Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
            const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
bool Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
            const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                    const uint8_t* weights, const int32_t* bias, uint8_t* output);
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                    const int8_t* weights, const int32_t* bias, int8_t* output);

/// ADD (subtract = false) or SUB of two same-shape tensors of n elements (fast_elementwise.cc).
bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const uint8_t* a,
            const uint8_t* b, uint8_t* out);
bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const int8_t* a, const int8_t* b,
            int8_t* out);

/// One output pixel of the uint8 RESIZE_BILINEAR: o[c] = clamp(round(p00[c] s[0] + p01[c] s[1]
/// + p10[c] s[2] + p11[c] s[3])) in float, summed left to right (fast_resize.cc). `simd` false
/// runs the scalar formula (also the reference's).
void BilinearPixelU8(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                     const uint8_t* p11, const float s[4], int channels, bool simd, uint8_t* o);

/// Per-channel requantization parameters laid out for 8-lane vectors (padded with zeros to a
/// multiple of 8 channels).
struct RequantTable {
  std::vector<int32_t> mult, left, right, mask, half;
  int channels = 0;
  int32_t out_offset = 0, act_min = 0, act_max = 0;
  bool uniform = false;  ///< Every channel has the same multiplier and shift (per-tensor).
  /// The reference's (multiplier, shift) of channel c (for scalar tails).
  int32_t scalar_mult(int c) const { return mult[static_cast<size_t>(c)]; }
  int scalar_shift(int c) const {
    return left[static_cast<size_t>(c)] - right[static_cast<size_t>(c)];
  }
};

/// Fills `t` from one (per-tensor) or `channels` (per-channel) multipliers and shifts. Returns
/// false when the vector arithmetic would not be exact (a negative multiplier, |shift| > 31).
bool BuildRequantTable(const std::vector<int32_t>& multipliers, const std::vector<int>& shifts,
                       int channels, int32_t out_offset, int32_t act_min, int32_t act_max,
                       RequantTable* t);

/// Requantizes `n` int32 accumulators of channels [0, n) into 8-bit outputs (AVX2).
void RequantRow(const int32_t* acc, int n, const RequantTable& t, uint8_t* out);
void RequantRow(const int32_t* acc, int n, const RequantTable& t, int8_t* out);

/// The AVX512-VNNI GEMM behind Conv2D / FullyConnected (fast_gemm_vnni.cc); only called when
/// ActiveFastIsa() is kAvx512Vnni. False = not covered (the AVX2 int16 path runs instead).
bool VnniConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                const RequantTable& rq);
bool VnniConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                const RequantTable& rq);
bool VnniFullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                        const uint8_t* weights, const int32_t* bias, uint8_t* output,
                        const RequantTable& rq);
bool VnniFullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output,
                        const RequantTable& rq);

}  // namespace etpu::kernels::fast
