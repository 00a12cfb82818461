// Reading TFLite models: every file is untrusted.
//
// ReadModel verifies the flatbuffer (identifier, structure), unpacks it and checks every index
// and size before building the IR (ir/graph.h). Errors name the file and the tensor, operator or
// field at fault and what was expected; nothing is assumed valid past a failed check.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::tflite {

/// Largest tensor the reader accepts (elements and bytes); larger shapes are an error.
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;
/// Newest builtin operator code this schema knows (RIGHT_SHIFT).
inline constexpr int kNewestKnownBuiltin = 161;

/// Reads and verifies the model file at `path`.
Result<ir::Model> ReadModel(const std::string& path);
/// Verifies and reads a model held in memory; `name` is used in messages.
Result<ir::Model> ReadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name);
/// As ReadModelFromBuffer, but reads constant tensors and custom options in place: the model's
/// views point into `bytes` (8-byte aligned, e.g. a read-only mapping of the file), which must
/// outlive it, and its object tree holds no buffer payloads or custom options (the runtime's
/// models, never written out again).
Result<ir::Model> ReadModelInPlace(std::span<const uint8_t> bytes, const std::string& name);
/// Builds (and checks) the IR of an already unpacked model object tree (ModelBuilder::Build,
/// ExtractSubModel, ...).
Result<ir::Model> BuildModel(ir::FlatModel fb, const std::string& name);
/// The same, buffer b's bytes being payloads[b] (one per buffer of the tree; the tree's own data are
/// not read), which must outlive the model.
Result<ir::Model> BuildModelWithPayloads(ir::FlatModel fb, const std::string& name,
                                         const std::vector<std::span<const uint8_t>>& payloads);

}  // namespace etpu::tflite
