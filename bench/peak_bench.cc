// The single-core int8 multiply-accumulate peak of this CPU (int8_peak.h): one line per ISA,
//   PEAK isa=avx512vnni gmacs=X   (or "PEAK isa=NAME unsupported")
//   peak_bench [ITERATIONS]   (default 2000000 per timed loop, best of 30: short loops, so that
//   one of them runs without being preempted on a busy machine)
#include <cstdio>
#include <cstdlib>

#include "int8_peak.h"

int main(int argc, char** argv) {
  const long long iterations = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  if (iterations < 1) {
    std::fprintf(stderr, "usage: peak_bench [ITERATIONS]\n");
    return 2;
  }
  for (const char* isa : {"avx2", "avx512vnni"}) {
    const double g = etpu::bench::Int8PeakGmacs(isa, iterations);
    if (g > 0) std::printf("PEAK isa=%s gmacs=%.1f\n", isa, g);
    else std::printf("PEAK isa=%s unsupported\n", isa);
  }
  return 0;
}
