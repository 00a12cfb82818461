// One-operator oracle cases (op_oracle_test.cc runs them): the case type and the model-building
// helpers shared by the files that define cases.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tflite/model_builder.h"

namespace etpu::oracle_test {

struct OpCase {
  std::string name;
  std::function<void(tflite::ModelBuilder&)> build;
  bool lib29 = false;  ///< libtflite22 lacks the operator (or its type).
  bool ramp = false;   ///< One more input variant: byte i holds i % 256 (every value once per 256).
  /// Maps every input byte into the operator's domain (e.g. RSQRT: no value below the zero point).
  std::function<uint8_t(uint8_t)> domain;
};

inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

inline std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng() >> 24);
  return v;
}

template <typename T>
int Const(tflite::ModelBuilder& b, const std::string& name, ir::TensorType type, std::vector<int32_t> shape,
          std::vector<T> values, const ir::Quantization& q = {}) {
  return b.AddConstant<T>(name, type, std::move(shape), std::span<const T>(values), q);
}

inline int RandomConst(tflite::ModelBuilder& b, const std::string& name, ir::TensorType type,
                       std::vector<int32_t> shape, const ir::Quantization& q, uint32_t seed) {
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(d);
  return b.AddTensor(name, type, std::move(shape), q, RandomBytes(n, seed));
}

inline ir::BuiltinOptions Options(auto value) { return ir::BuiltinOptions(std::move(value)); }

/// op_oracle_layer_cases.cc: the cases of the retired src/kernels/tools/oracle_layer_check.cc.
void AddLayerCheckCases(std::vector<OpCase>& c);
/// op_oracle_table_cases.cc: the mappable operators no other case reached.
void AddTableCoverageCases(std::vector<OpCase>& c);

}  // namespace etpu::oracle_test
