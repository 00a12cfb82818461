// The report's invariant checks (section 10), computed from the document itself so that a
// tampered or inconsistent document shows red: per-layer sums equal the summary lines, the
// package and the timing model read the same bytes, cached regions do not overlap and fit, one
// non-zero token per group, first - later = the parameter upload.
#pragma once

#include <nlohmann/json.hpp>

namespace etpu::report {

/// [{"id", "group", "model", "ok", "detail"}], in a fixed order; model / group null when the
/// check is about a group / the model.
nlohmann::json InvariantChecks(const nlohmann::json& doc);

}  // namespace etpu::report
