// Model surgery on the flatbuffer object tree: replacing operator runs by custom operators and
// cutting sub-models out, keeping everything else (operator options, tensor names, quantization,
// metadata, signatures) and dropping only what nothing references any more.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::tflite {

/// A convex set of operators (execution order, not necessarily consecutive) to replace by a custom operator.
struct RegionReplacement {
  std::vector<int> ops;
  std::vector<int> inputs;     ///< Tensor indices of the original model.
  std::vector<int> outputs;
  std::string custom_code;
  std::vector<uint8_t> custom_options;  ///< FlexBuffer bytes.
};

/// What the compiled model keeps of the input's metadata. The real compiler drops the
/// `min_runtime_version` and `CONVERSION_METADATA` entries (compiler-behaviour.md §3.3.8): the first
/// names the TFLite runtime the replaced builtin operators needed, which no longer describes a
/// model whose operators run in a custom op. We drop those two and keep every other entry and
/// every signature (with tensor indices renumbered), so the model stays valid and self-describing.
inline constexpr const char* kDroppedMetadata[] = {"min_runtime_version", "CONVERSION_METADATA"};

/// Returns a copy of `model` with each region replaced by one custom operator, placed where the
/// region's first operator was; every other operator keeps its relative order. Regions must be
/// disjoint and convex: fails (naming the operator and tensor) when that order would read a tensor
/// before it is written. Only what the result references is
/// copied (the weights of replaced operators never are); surviving tensors and buffers keep their
/// relative order. `description` replaces the model description when non-empty.
/// The regions are taken by value: their custom options move into the result without a copy.
Result<ir::FlatModel> ReplaceRegions(const ir::Model& model, std::vector<RegionReplacement> regions,
                                     const std::string& description);

/// A stand-alone model made of `ops` (execution order) with the given boundary tensors.
/// Signatures are dropped (they describe the whole model). Tensors listed in `without_data` keep
/// their name, shape and quantization but lose their bytes (buffer 0).
Result<ir::FlatModel> ExtractSubModel(const ir::Model& model, const std::vector<int>& ops, const std::vector<int>& inputs,
                                      const std::vector<int>& outputs, const std::vector<int>& without_data = {});

}  // namespace etpu::tflite
