// Plain value types shared by the package writer and reader (no flatbuffer types leak out).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace etpu::package {

/// Chip name etpu writes into Executable.chip. Not a real chip, so a real runtime refuses the
/// package cleanly instead of running it.
inline constexpr const char* kVirtualChipName = "etpu-virtual";
/// Chip name of Google's Edge TPU executables.
inline constexpr const char* kBeagleChipName = "beagle";

/// Executable.type (package-format.md §1.4).
enum class ExecutableType : int16_t {
  kStandAlone = 0,
  kParameterCaching = 1,
  kExecutionOnly = 2,
};
/// "STAND_ALONE", "PARAMETER_CACHING", "EXECUTION_ONLY"; "UNKNOWN(<n>)" otherwise.
std::string ExecutableTypeName(ExecutableType type);

/// Layer.data_type.
enum class LayerDataType : int16_t {
  kFixedPoint8 = 0,         ///< uint8 affine.
  kFixedPoint16 = 1,
  kSignedFixedPoint32 = 2,
  kBfloat = 3,
  kHalf = 4,
  kSingle = 5,
  kSignedFixedPoint8 = 8,   ///< int8.
  kSignedFixedPoint16 = 9,  ///< int16 (LSTM state).
};
/// "FIXED_POINT8", ...; "UNKNOWN(<n>)" otherwise.
std::string LayerDataTypeName(LayerDataType type);

/// An input or output layer of an executable (Executable.input_layers / output_layers).
struct IoLayer {
  std::string name;
  int32_t size_bytes = 0;   ///< Padded, batch 1.
  int32_t y_dim = 1;
  int32_t x_dim = 1;
  int32_t z_dim = 1;
  int32_t zero_point = 0;
  float scale = 0.0f;       ///< Numerics.dequantization_factor.
  LayerDataType data_type = LayerDataType::kFixedPoint8;
  int32_t execution_count_per_inference = 1;

  bool operator==(const IoLayer&) const = default;
};

/// Meta.desc: which base address a DMA descriptor is relative to.
enum class AddressKind : int16_t {
  kOutputActivation = 0,
  kInputActivation = 1,
  kParameter = 2,
  kScratch = 3,
};

/// One entry of Executable.dma_hints (the AnyHint union tag gives the kind).
struct DmaHint {
  enum class Kind : uint8_t { kDescriptor = 1, kInstruction = 2, kInterrupt = 3, kFence = 4 };
  Kind kind = Kind::kDescriptor;
  bool outfeed = false;            ///< Direction: false = INFEED (host to chip), true = OUTFEED.
  // kDescriptor:
  AddressKind address = AddressKind::kParameter;
  int32_t batch = 0;
  std::string name;                ///< Input/output layer name (activations only).
  int32_t offset_bytes = 0;
  int32_t size_bytes = 0;
  // kInstruction:
  int32_t chunk_index = 0;
  // kInterrupt:
  int16_t interrupt_type = 0;

  bool operator==(const DmaHint&) const = default;
};

}  // namespace etpu::package
