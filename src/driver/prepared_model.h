// The compiler's front half for one model: validated, decided, partitioned, analysed.
#pragma once

#include <string>
#include <vector>

#include "cache/capacity_model.h"
#include "etpu/compiler.h"
#include "ir/graph.h"
#include "params/param_layout.h"
#include "partition/partitioner.h"
#include "support/op_support.h"

namespace etpu::driver {

struct PreparedModel {
  std::string input_path;   ///< As given on the command line (or the segment's name).
  std::string stem;         ///< Output name stem ("foo" for foo.tflite).
  const ir::Model* model = nullptr;         ///< Not owned: must outlive this PreparedModel.
  std::vector<support::SupportDecision> decisions;
  partition::Partition partition;
  std::vector<params::LayerParams> layers;   ///< Parameterised layers of all regions, execution order.
  cache::ActivationFootprint activations;    ///< Of the mapped operators.
};

/// Support decisions, partitioning (ops [0, max_ops) when max_ops >= 0), activation analysis and
/// parameter layout. ResourceExhausted (kLargeActivationsMessage) when activations cannot fit.
Result<PreparedModel> PrepareModel(const ir::Model& model, const std::string& input_path, const std::string& stem,
                                   const CompileOptions& options, int max_ops);

}  // namespace etpu::driver
