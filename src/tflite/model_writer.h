// Serialising TFLite models. Packing the object tree keeps every field the schema knows, so a
// model read and written again is the same model; output is deterministic (same tree, same bytes).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace etpu::tflite {

/// Serialises `model` with the TFL3 identifier.
std::vector<uint8_t> SerializeModel(const tflite_fb::ModelT& model);

/// A deep copy of an object tree (by packing and unpacking it).
ir::FlatModel CloneModel(const tflite_fb::ModelT& model);

}  // namespace etpu::tflite
