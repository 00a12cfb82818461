// Inside src/tflite only: the schema's object tree behind ir::FlatModel. This is the one header
// that includes the generated schema; no header outside src/tflite may include it
// (scripts/check_layering.sh checks that).
#pragma once

#include <cstdint>
#include <memory>

#include "ir/graph.h"
#include "tflite/schema/tflite_generated.h"

namespace etpu::tflite {

/// Hands an object tree to an ir::FlatModel (which destroys it with the tree's own deleter).
ir::FlatModel AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT> tree);

/// The operator code of an OperatorCode entry (the larger of the two code fields, as TFLite does).
int32_t EffectiveBuiltinCode(const tflite_fb::OperatorCodeT& code);

}  // namespace etpu::tflite
