// The compiler's front half for one model: validated, decided, partitioned, analysed.
#pragma once

#include <string>
#include <vector>

#include "cache/capacity_model.h"
#include "cache/plan_model.h"
#include "etpu/compiler.h"
#include "ir/graph.h"
#include "params/param_layout.h"
#include "partition/partitioner.h"
#include "support/op_support.h"

namespace etpu::driver {

/// Depends only on the model and the options that decide what maps (-m, -a, -i, the -d cut), so
/// one PreparedModel serves every compile of the model with those options (ParsedModel keeps them).
struct PreparedModel {
  const ir::Model* model = nullptr;         ///< Not owned: must outlive this PreparedModel.
  std::vector<support::SupportDecision> decisions;
  partition::Partition partition;
  std::vector<params::LayerParams> layers;   ///< Parameterised layers of all regions, execution order.
  cache::ActivationFootprint activations;    ///< Of the mapped operators.
  /// The cache planner's view (cache::MakePlanModel, name left empty), made once: its content
  /// digest hashes every parameter byte, which every compile of the model would otherwise repeat.
  cache::PlanModel plan_model;
  /// Per region of `partition`: params::ParameterOrder of its operators (the order of its records
  /// in the parameter blobs), made once: every compile of the model places its layers in it.
  std::vector<std::vector<int>> parameter_order;
  /// support::MinRuntimeVersionFor of the mapped operators, made once (PackageRuntimeVersion).
  int mapped_min_runtime_version = 0;
};

/// Support decisions, partitioning (ops [0, max_ops) when max_ops >= 0), activation analysis and
/// parameter layout. ResourceExhausted (kLargeActivationsMessage) when activations cannot fit.
Result<PreparedModel> PrepareModel(const ir::Model& model, const CompileOptions& options, int max_ops);

/// The options PrepareModel depends on, as a key ("m14 a0 i<tensors> k-1").
std::string PrepareKey(const CompileOptions& options, int max_ops);

}  // namespace etpu::driver
