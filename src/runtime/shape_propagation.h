// Shape propagation for resized inputs (TFLite's ResizeInputTensor + AllocateTensors): given new
// shapes for a model's inputs, the shape of every tensor after them, operator by operator, as
// TFLite's Prepare functions compute them. The interpreter then prepares the model at those shapes
// (InterpreterOptions::tensor_shapes).
//
// An operator whose inputs keep their shapes keeps the model's output shapes. One whose inputs
// change needs a rule here (convolutions, pooling, fully connected, reshape, concatenation, mean,
// element-wise and broadcasting operators); without one the resize fails naming the operator. An
// edgetpu-custom-op never changes shape: its executable was compiled for fixed shapes (as the
// real Edge TPU delegate refuses dynamic shapes), so a change reaching it fails naming it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::runtime {

/// Shapes of the tensors whose shape differs from the model's when input i (model input order)
/// takes `input_shapes[i]`; the resized inputs included. `input_shapes` has one entry per input.
Result<std::map<int, std::vector<int32_t>>> PropagateInputShapes(const ir::Model& model,
                                                                 const std::vector<std::vector<int32_t>>& input_shapes);

}  // namespace etpu::runtime
