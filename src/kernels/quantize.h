// QUANTIZE (float -> uint8/int8, and uint8/int8 -> uint8/int8 requantization) and DEQUANTIZE.
//
// float -> q: zero_point + (int32)round(x / scale) (float division, ties away from zero),
// clamped to the type. q -> q: MBQM(x - zp_in, m) + zp_out with m = double(s_in) / double(s_out).
// q -> float: (float)(double(scale) * (x - zero_point)).
// CAST (TFLite's cast kernel): static_cast between numeric types; to BOOL: x != 0; a BOOL element
// is one byte, any non-zero byte reads as true.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

void Quantize(QuantParams q, int64_t n, const float* input, uint8_t* output);
void Quantize(QuantParams q, int64_t n, const float* input, int8_t* output);

/// Prepared requantization between two 8-bit quantizations.
struct RequantizeParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};
Result<RequantizeParams> PrepareRequantize(QuantParams input, QuantParams output);
void Requantize(const RequantizeParams& p, int64_t n, const uint8_t* input, uint8_t* output);
void Requantize(const RequantizeParams& p, int64_t n, const uint8_t* input, int8_t* output);
void Requantize(const RequantizeParams& p, int64_t n, const int8_t* input, uint8_t* output);
void Requantize(const RequantizeParams& p, int64_t n, const int8_t* input, int8_t* output);

void Dequantize(QuantParams q, int64_t n, const uint8_t* input, float* output);
void Dequantize(QuantParams q, int64_t n, const int8_t* input, float* output);

/// The element types CAST converts between.
enum class CastType { kFloat32, kInt32, kInt64, kInt16, kUInt8, kInt8, kBool };
/// `n` elements of `from` at `input` (aligned for that type) -> `to` at `output`.
void Cast(CastType from, CastType to, int64_t n, const void* input, void* output);

}  // namespace etpu::kernels
