#include "kernels/dispatch.h"

#include <atomic>

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace etpu::kernels {
namespace {

std::atomic<bool> g_enabled{true};
std::atomic<int> g_cap{static_cast<int>(FastIsa::kAvx512Vnni)};

FastIsa Detect() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2")) return FastIsa::kNone;
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw")) {
    return FastIsa::kAvx512Vnni;
  }
  return FastIsa::kAvx2;
#elif defined(__aarch64__) && defined(__linux__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  if (!(hwcap & HWCAP_ASIMD)) return FastIsa::kNone;
  return (hwcap & HWCAP_ASIMDDP) ? FastIsa::kNeonDot : FastIsa::kNeon;
#endif
  return FastIsa::kNone;
}

/// 0 for kNone, 1 for the level-1 sets (kAvx2, kNeon), 2 for kAvx512Vnni and kNeonDot.
int Level(FastIsa isa) {
  switch (isa) {
    case FastIsa::kAvx2:
    case FastIsa::kNeon: return 1;
    case FastIsa::kAvx512Vnni:
    case FastIsa::kNeonDot: return 2;
    default: return 0;
  }
}

}  // namespace

FastIsa DetectedFastIsa() {
  static const FastIsa isa = Detect();
  return isa;
}

const char* FastIsaName(FastIsa isa) {
  switch (isa) {
    case FastIsa::kAvx512Vnni: return "avx512vnni";
    case FastIsa::kAvx2: return "avx2";
    case FastIsa::kNeonDot: return "neondot";
    case FastIsa::kNeon: return "neon";
    default: return "none";
  }
}

FastIsa SetFastIsaCap(FastIsa cap) {
  return static_cast<FastIsa>(g_cap.exchange(static_cast<int>(cap)));
}

FastIsa ActiveFastIsa() {
  const FastIsa cap = static_cast<FastIsa>(g_cap.load(std::memory_order_relaxed));
  const FastIsa det = DetectedFastIsa();
  if (Level(det) <= Level(cap)) return det;
  if (Level(cap) == 0) return FastIsa::kNone;
  return det == FastIsa::kNeonDot ? FastIsa::kNeon : FastIsa::kAvx2;
}

bool SetFastKernelsEnabled(bool enabled) { return g_enabled.exchange(enabled); }

bool FastKernelsActive() {
  return g_enabled.load(std::memory_order_relaxed) && ActiveFastIsa() != FastIsa::kNone;
}

}  // namespace etpu::kernels
