// Section 7 of the report: every co-compile order of the source models (two to six), with the
// cached and streamed bytes and the predicted first/later inference of each model, from the
// planner's group coster (the compiler's own allocation of each order + the one timing model).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// Most models whose orders are all compared (6! = 720 orders).
inline constexpr size_t kMaxWhatIfModels = 6;
/// Orders listed in the document (the given one and the best are always among them).
inline constexpr size_t kListedOrders = 10;

/// {"objective", "orders_compared", "given", "best", "orders": [...]}; null for fewer than two or
/// more than kMaxWhatIfModels models. `paths` in the given compile order.
Result<nlohmann::json> OrderWhatIf(const std::vector<std::string>& paths, const std::string& host, const std::string& clock,
                                   int emulate, double fps);

}  // namespace etpu::report
