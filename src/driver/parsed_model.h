// A model read and checked once (etpu::ParsedModel of include/etpu/compiler.h): the IR, or the
// reason the compiler refuses the model, as structured data (the console wording is rendered by
// driver/console_report). Compile reuses a ParsedModel as often as it is passed in.
#pragma once

#include <optional>
#include <string>

#include "etpu/compiler.h"
#include "ir/graph.h"

namespace etpu {

class ParsedModel {
 public:
  std::string name;                       ///< As given (path or display name).
  std::optional<ir::Model> model;         ///< Set when the model was read and accepted.
  std::optional<CompileFailure> failure;  ///< Set when it was refused (model index -1; Compile fills it in).
};

namespace driver {

/// Runs the whole-model checks on a model that was read: already compiled, op versions, dynamic
/// shapes (a dynamic batch dimension is compiled as batch 1), not quantized.
std::optional<CompileFailure> ValidateModel(const ir::Model& model, const std::string& name);

}  // namespace driver
}  // namespace etpu
