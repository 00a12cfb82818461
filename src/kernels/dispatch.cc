#include "kernels/dispatch.h"

#include <atomic>

namespace etpu::kernels {
namespace {

std::atomic<bool> g_enabled{true};

FastIsa Detect() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return FastIsa::kAvx2;
#endif
  return FastIsa::kNone;
}

}  // namespace

FastIsa DetectedFastIsa() {
  static const FastIsa isa = Detect();
  return isa;
}

const char* FastIsaName(FastIsa isa) { return isa == FastIsa::kAvx2 ? "avx2" : "none"; }

bool SetFastKernelsEnabled(bool enabled) { return g_enabled.exchange(enabled); }

bool FastKernelsActive() {
  return g_enabled.load(std::memory_order_relaxed) && DetectedFastIsa() != FastIsa::kNone;
}

}  // namespace etpu::kernels
