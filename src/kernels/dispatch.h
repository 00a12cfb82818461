// Run-time selection between etpu's fast (SIMD) kernels and the reference kernels.
//
// The public kernels (Conv2D, DepthwiseConv2D, FullyConnected for uint8 / int8) take a fast path
// when the CPU has one and its parameters fit it; every fast path is bit-exact with the
// reference kernel (same int32 accumulators, same double-rounding requantization), which the
// tests check. The switch below exists for tests and benchmarks that run both side by side; it
// is process-wide and not meant to be flipped while kernels run on other threads.
#pragma once

namespace etpu::kernels {

/// Instruction sets the fast kernels can use on this CPU (decided once, at run time).
/// kAvx512Vnni: AVX2 plus AVX512-VNNI/VL (8-bit dot products, vpdpbusd on 256-bit vectors).
/// kNeon: 64-bit ARM's Advanced SIMD; kNeonDot: plus the dot-product extension (UDOT/SDOT).
/// Each CPU family has two levels: level 1 (kAvx2, kNeon) and level 2 (kAvx512Vnni, kNeonDot).
enum class FastIsa { kNone, kAvx2, kAvx512Vnni, kNeon, kNeonDot };

/// The fast instruction set detected on this CPU (kNone without AVX2 on x86, kNone on CPUs
/// other than x86 and 64-bit ARM).
FastIsa DetectedFastIsa();

/// "avx512vnni", "avx2", "neondot", "neon" or "none" (for logs and benchmark labels).
const char* FastIsaName(FastIsa isa);

/// Enables (default) or disables the fast paths process-wide; disabled, every kernel runs its
/// reference implementation. Returns the previous setting.
bool SetFastKernelsEnabled(bool enabled);

/// True when the fast paths are enabled and the CPU has one.
bool FastKernelsActive();

/// Caps the instruction set the fast paths use (tests run the AVX2 paths on VNNI CPUs too).
/// Returns the previous cap. The cap is a level: the effective ISA is the detected one when its
/// level is at most the cap's, else the detected family's level-1 set (kNone caps to kNone).
FastIsa SetFastIsaCap(FastIsa cap);

/// The instruction set the fast paths use now (the detected one, capped as above).
FastIsa ActiveFastIsa();

}  // namespace etpu::kernels
