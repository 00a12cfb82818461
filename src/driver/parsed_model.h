// A model read and checked once (etpu::ParsedModel of include/etpu/compiler.h): the IR, or the
// reason the compiler refuses the model, as structured data (the console wording is rendered by
// driver/console_report). Compile reuses a ParsedModel as often as it is passed in.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "driver/prepared_model.h"
#include "etpu/compiler.h"
#include "ir/graph.h"

namespace etpu {

class ParsedModel {
 public:
  std::string name;                       ///< As given (path or display name).
  std::optional<ir::Model> model;         ///< Set when the model was read and accepted.
  std::optional<CompileFailure> failure;  ///< Set when it was refused (model index -1; Compile fills it in).

  /// The model prepared under `options` (decisions, partition, activations, parameter layout),
  /// made once per distinct driver::PrepareKey and shared by every later compile. Thread-safe.
  Result<std::shared_ptr<const driver::PreparedModel>> Prepared(const CompileOptions& options, int max_ops) const;

 private:
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<const driver::PreparedModel>> prepared_;
};

namespace driver {

/// Runs the whole-model checks on a model that was read: already compiled, op versions, dynamic
/// shapes (a dynamic batch dimension is compiled as batch 1), not quantized.
std::optional<CompileFailure> ValidateModel(const ir::Model& model, const std::string& name);

}  // namespace driver
}  // namespace etpu
