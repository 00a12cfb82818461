#include "kernels/dispatch.h"

#include <atomic>

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
#endif
  return FastIsa::kNone;
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
    default: return "none";
  }
}

FastIsa SetFastIsaCap(FastIsa cap) {
  return static_cast<FastIsa>(g_cap.exchange(static_cast<int>(cap)));
}

FastIsa ActiveFastIsa() {
  const int cap = g_cap.load(std::memory_order_relaxed);
  const int det = static_cast<int>(DetectedFastIsa());
  return static_cast<FastIsa>(det < cap ? det : cap);
}

bool SetFastKernelsEnabled(bool enabled) { return g_enabled.exchange(enabled); }

bool FastKernelsActive() {
  return g_enabled.load(std::memory_order_relaxed) && ActiveFastIsa() != FastIsa::kNone;
}

}  // namespace etpu::kernels
