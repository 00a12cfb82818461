// Section 11 of the report: what to change, in words, where the user can act. Each piece of
// advice carries the number it predicts, computed by the compiler or the timing model (not
// guessed): operators that -a would map (the compiler run with -a), the bytes a streamed layer
// lacks, the order that streams least, whether co-compiling pays off (solo vs together, from the
// what-if), so that a test can apply it and compare.
#pragma once

#include <nlohmann/json.hpp>

#include "etpu/compiler.h"
#include "etpu/status.h"

namespace etpu::report {

/// [{"kind", "model", "text", "predicted"}] from the document (its models, orders). `compiled` are
/// the options of the report's compile (each piece of advice changes one of them); `target_runtime`
/// the runtime the packages must run on.
Result<nlohmann::json> Advice(const nlohmann::json& doc, const CompileOptions& compiled, int target_runtime);

}  // namespace etpu::report
