// Inside src/tflite only: conversion between the schema's builtin options union and the IR's
// option structs (ir/operator_options.h). Enum values are equal by construction
// (ir_schema_test.cc checks them), so enum fields convert by value.
#pragma once

#include "ir/operator_options.h"
#include "tflite/schema/tflite_generated.h"

namespace etpu::tflite {

/// The IR's options of a schema union; std::monostate for NONE and for kinds the IR does not hold.
ir::BuiltinOptions ToIrOptions(const tflite_fb::BuiltinOptionsUnion& options);
/// The schema union holding `options` (NONE for std::monostate).
tflite_fb::BuiltinOptionsUnion ToSchemaOptions(const ir::BuiltinOptions& options);

}  // namespace etpu::tflite
