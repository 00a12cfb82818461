// The single-core int8 multiply-accumulate peak of this CPU, measured with tight loops of
// independent accumulators (int8_peak_avx2.cc, int8_peak_vnni.cc: each compiled with its own
// -m flags and called only when the CPU has the instructions):
//   AVX512-VNNI  vpdpbusd on 512-bit vectors: 64 u8 x s8 products summed into int32 per instruction
//   AVX2         vpmaddubsw + vpmaddwd + vpaddd on 256-bit vectors: 32 u8 x s8 products per triple
// (the instruction sequences an int8 GEMM is made of on each ISA). Used by peak_bench and by
// native_bench (achieved GMAC/s of each model against the peak of the ISA etpu runs on).
#pragma once

#include <cstdint>
#include <string>

namespace etpu::bench {

/// Best of `repeats` timed loops of `iterations` iterations (short loops: one of them runs
/// without being preempted on a busy machine); 0 when the CPU lacks the ISA.
double Int8PeakGmacs(const std::string& isa, int64_t iterations = 2'000'000, int repeats = 30);

/// One loop of `iterations` iterations (the MAC count is iterations x MacsPerIteration); returns
/// a value derived from the accumulators so that the loop is not optimised away.
int32_t PeakLoopAvx2(int64_t iterations);
int32_t PeakLoopVnni(int64_t iterations);
inline constexpr int64_t kPeakAvx2MacsPerIteration = 6 * 32;   ///< 6 accumulators x 32 products.
inline constexpr int64_t kPeakVnniMacsPerIteration = 12 * 64;  ///< 12 accumulators x 64 products.

}  // namespace etpu::bench
