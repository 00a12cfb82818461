#include "package/package_types.h"

#include <fmt/format.h>

namespace etpu::package {

std::string ExecutableTypeName(ExecutableType type) {
  switch (type) {
    case ExecutableType::kStandAlone: return "STAND_ALONE";
    case ExecutableType::kParameterCaching: return "PARAMETER_CACHING";
    case ExecutableType::kExecutionOnly: return "EXECUTION_ONLY";
  }
  return fmt::format("UNKNOWN({})", static_cast<int>(type));
}

std::string LayerDataTypeName(LayerDataType type) {
  switch (type) {
    case LayerDataType::kFixedPoint8: return "FIXED_POINT8";
    case LayerDataType::kFixedPoint16: return "FIXED_POINT16";
    case LayerDataType::kSignedFixedPoint32: return "SIGNED_FIXED_POINT32";
    case LayerDataType::kBfloat: return "BFLOAT";
    case LayerDataType::kHalf: return "HALF";
    case LayerDataType::kSingle: return "SINGLE";
    case LayerDataType::kSignedFixedPoint8: return "SIGNED_FIXED_POINT8";
    case LayerDataType::kSignedFixedPoint16: return "SIGNED_FIXED_POINT16";
  }
  return fmt::format("UNKNOWN({})", static_cast<int>(type));
}

}  // namespace etpu::package
