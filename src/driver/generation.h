// What differs between the generations of Google's compiler that etpu emulates (--emulate 15|16),
// in one place (docs/COMPILER.md, "Generations"):
//   * the parameter layout generation: 16 (2021-07) writes a softmax table, 15 (2020-11) none;
//   * the co-compile caching policy (src/cache/cache_plan.h);
//   * the default --min_runtime_version (16: 14, 15: 13; compiler-behaviour.md §1.2);
//   * the version line's major number (console_report.h).
#pragma once

#include <string>

#include "params/param_layout.h"

namespace etpu::driver {

params::CompilerGeneration Generation(int emulate);
std::string DefaultCachePolicy(int emulate);
int DefaultMinRuntimeVersion(int emulate);

}  // namespace etpu::driver
