// Reading the TFLite model a compiled package carries for its Edge TPU region (package/program.h),
// for the package decoder: a structural look without unpacking, and the region read as an
// ir::Model with its emptied weights given zero bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::tflite {

/// What a look at a model flatbuffer (verification, no unpacking) finds.
struct ModelOutline {
  bool identified = false;   ///< The TFL3 file identifier is there.
  bool verified = false;     ///< The flatbuffer verifies (depth <= 64, at most `max_tables` tables).
  int subgraphs = 0;
  int first_subgraph_ops = 0;
};
ModelOutline OutlineModel(std::span<const uint8_t> bytes, int64_t max_tables);

/// An operator input the compiler emptied (no bytes, not written, not a variable) and the reader
/// gave zero bytes of its declared size.
struct ZeroFilledInput {
  int tensor = -1;    ///< Tensor index in the model.
  int op_index = -1;  ///< The first operator reading it.
  int slot = -1;      ///< Its input slot there.
};
struct ZeroFilledModel {
  ir::Model model;
  std::vector<ZeroFilledInput> filled;  ///< In order of first use.
  /// The zero bytes the filled inputs view (one read-only mapping, not resident): keep it as long
  /// as the model (the tree's buffers of the filled inputs hold no bytes).
  std::shared_ptr<const uint8_t> zeros;
};
/// Verifies and reads a region model (one subgraph, a buffer table, every shape within the
/// reader's limits), filling its emptied inputs with zeros. `what` names it in messages.
Result<ZeroFilledModel> ReadRegionModel(std::span<const uint8_t> bytes, const std::string& what);

}  // namespace etpu::tflite
