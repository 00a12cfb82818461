// The Edge TPU region of an etpu package, decoded once per load: the Program's region model read
// as an ir::Model, with the weight buffers the compiler emptied (the weights live in the parameter
// blobs) given zero bytes of their declared size, so that every operator input exists. The
// runtime refills those tensors from the SRAM or the streamed blob before each run; the cost
// model only reads their shapes.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "package/program.h"

namespace etpu::package {

/// A constant operator input the compiler emptied and the decoder gave zero bytes.
struct EmptiedInput {
  int tensor = -1;    ///< Tensor index in the region model.
  int op_index = -1;  ///< The first region operator reading it.
  int slot = -1;      ///< Its input slot there.
};

struct RegionModel {
  std::shared_ptr<const ir::Model> model;
  std::vector<EmptiedInput> emptied;  ///< In order of first use.
};

/// Verifies and reads `program.region_model` (one subgraph, a buffer table, every shape within
/// the reader's limits). `what` names the executable in messages.
Result<RegionModel> UnpackRegionModel(const Program& program, std::string_view what);

}  // namespace etpu::package
