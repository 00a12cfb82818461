// The model zoo for library users: complete quantized .tflite models of real architectures
// (MobileNet, EfficientNet-EdgeTPU, Inception, SSD, PoseNet) with deterministic weights, built in
// memory (docs/ZOO.md). Handy inputs for etpu::Compile and the runtime. Implemented by src/zoo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu {

/// Every zoo model name, in a fixed order ("mobilenet_v1_0.25_128", ...).
std::vector<std::string> ZooModelNames();

/// The .tflite bytes of zoo model `name` (the same bytes on every call). NotFound for an
/// unknown name.
Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name);

}  // namespace etpu
