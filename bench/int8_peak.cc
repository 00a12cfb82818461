// Times the int8 peak loops (int8_peak.h); each runs only when the CPU has its instructions.
#include "int8_peak.h"

#include <algorithm>
#include <chrono>

namespace etpu::bench {

double Int8PeakGmacs(const std::string& isa, int64_t iterations, int repeats) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool vnni = isa == "avx512vnni";
  if (vnni ? !(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni"))
           : !(isa == "avx2" && __builtin_cpu_supports("avx2"))) {
    return 0;
  }
  const int64_t per = vnni ? kPeakVnniMacsPerIteration : kPeakAvx2MacsPerIteration;
  double best_s = 0;
  volatile int32_t sink = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    sink = sink + (vnni ? PeakLoopVnni(iterations) : PeakLoopAvx2(iterations));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r == 0 || s < best_s) best_s = s;
  }
  return best_s > 0 ? static_cast<double>(iterations) * static_cast<double>(per) / best_s / 1e9 : 0;
#else
  (void)isa, (void)iterations, (void)repeats;
  return 0;
#endif
}

}  // namespace etpu::bench
