// The model zoo: real architectures (MobileNet v1/v2, EfficientNet-EdgeTPU S/M/L, Inception v1-v4,
// PoseNet MobileNet v1 0.75, SSD MobileNet v2) generated as complete uint8-quantized .tflite
// files with deterministic pseudo-random weights, so demos, tests and benchmarks need no
// downloads. The same name always gives the same bytes. See docs/ZOO.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::zoo {

/// Published size of a zoo model next to what the generator builds.
struct ZooModelInfo {
  std::string name;
  std::string architecture;      ///< One line: family, input size, notable structure.
  int64_t published_params = 0;  ///< Weights + biases as published; 0 when nothing is published.
  int64_t published_macs = 0;    ///< Multiply-accumulates per inference as published; 0 when unknown.
  /// Relative precision of the published figures (they are often rounded, e.g. "14 M").
  double published_params_precision = 0;
  double published_macs_precision = 0;
  std::string source;            ///< Where the published figures come from.
  /// False when the published MAC figure contradicts the architecture itself (a known error in
  /// the source table, explained in `note`); tests then do not compare against it.
  bool published_macs_consistent = true;
  std::string note;
  int64_t params = 0;            ///< Weights + biases in the generated model.
  int64_t macs = 0;              ///< Conv, depthwise and fully connected MACs of the generated model.
};

/// Every zoo model name, in a fixed order.
std::vector<std::string> ZooNames();

/// The complete quantized .tflite of model `name` (deterministic bytes).
Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name);

/// Published and generated figures of model `name` (builds the model to count them).
Result<ZooModelInfo> GetZooModelInfo(const std::string& name);

/// Generates the model and its figures in one pass.
Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name, ZooModelInfo* info);

}  // namespace etpu::zoo
