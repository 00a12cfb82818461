// The on-chip memory model of the Edge TPU: how much of the wide SRAM is left for caching
// parameters once a model's own needs (executable, activations) are met.
//
// The chip has two memories that matter here:
//   * the wide SRAM (~8 MiB) holding the executable's working set, cached parameters and any
//     activations that do not fit the tiles;
//   * the narrow (activation) memory: 16 tiles x 192 KiB, where each layer's live activations
//     are spread over the tiles.
//
// Per layer (operator on the Edge TPU, in execution order) the model takes the live activation
// set (every non-constant tensor produced at or before the layer and read at or after it),
// spreads each tensor over the tiles and compares the per-tile share with the narrow memory.
// What overflows is handled in one of three ways:
//   * spatially local layers (convolutions, pools, element-wise, ...) are computed in row
//     bands: up to `activation_staging_bytes` of the overflow is staged in the wide SRAM, the
//     rest round-trips through a host scratch buffer ("spill", scratch bytes);
//   * layers that need whole tensors (reshape, fully connected, softmax, global reductions,
//     ...) keep the whole overflow in the wide SRAM;
//   * a layer whose minimal working set (one output row band, or the whole overflow for a
//     non-local layer) cannot fit on the chip at all makes compilation fail with
//     ResourceExhausted "Compilation failed due to large activation tensors in model.".
// The parameter capacity is sram - executable reserve - the largest wide-SRAM activation need
// of any model of the compile set (models of one set run one at a time).
//
// The sizes come from the one chip description, devices/devices.json (device::BuiltinChip()),
// each with its basis and source there. Calibration (see capacity_model_test.cc): small-activation
// models get ~7.9 MiB (compiler reports 7.7-8.05 MiB of used+remaining); the five-conv 64x64xF
// sweep keeps everything on chip up to F=442 and reproduces the on-chip bytes of F=452/522/642
// (timing-anchors.md 2.3).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "device/device_spec.h"
#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::cache {

/// The message the real compiler prints when activations cannot fit (compiler-behaviour.md 7.1).
inline constexpr const char* kLargeActivationsMessage = "Compilation failed due to large activation tensors in model.";

/// The on-chip memories as the capacity model sees them: a view of the chip description
/// (device::DeviceSpec), never a second copy of its numbers.
struct ChipMemory {
  int64_t sram_bytes = 0;                ///< Wide SRAM, 8 MiB.
  int tiles = 0;                         ///< 4 x 4 tiles.
  int64_t narrow_bytes_per_tile = 0;     ///< Activation memory per tile, 192 KiB.
  int64_t executable_reserve_bytes = 0;  ///< Executable working set.
  int64_t activation_staging_bytes = 0;  ///< Max staged overflow of banded layers.
  int64_t tile_alignment = 0;            ///< Per-tile share of a tensor rounds up to this.

  /// The memories of `spec`.
  static ChipMemory FromSpec(const device::DeviceSpec& spec);
  /// The memories of the built-in chip (device::BuiltinChip()), read once.
  static Result<ChipMemory> Builtin();

  int64_t narrow_total_bytes() const { return narrow_bytes_per_tile * tiles; }
  /// InvalidArgument unless every size is positive (staging and reserve may be 0) and the
  /// reserve fits the SRAM; the message names the field.
  Status Validate() const;
};

/// What one layer needs of the activation memories.
struct LayerActivation {
  int op_index = -1;
  int64_t live_bytes = 0;           ///< Live activation bytes at this layer (all tensors).
  int64_t per_tile_bytes = 0;       ///< Largest per-tile share (sum of per-tensor shares).
  int64_t overflow_bytes = 0;       ///< Bytes that do not fit the narrow memory.
  bool banded = false;              ///< Spatially local: may be computed in row bands.
  int64_t wide_bytes = 0;           ///< Overflow kept in the wide SRAM.
  int64_t spill_bytes = 0;          ///< Overflow that round-trips through host scratch.
};

/// A model's activation needs, as the capacity model sees them.
struct ActivationFootprint {
  int64_t peak_live_bytes = 0;      ///< Largest live activation set of any layer.
  int peak_op = -1;                 ///< Operator index of that layer (-1: no layers).
  int64_t wide_sram_bytes = 0;      ///< Largest wide-SRAM activation need of any layer.
  int64_t scratch_bytes = 0;        ///< Host scratch traffic per inference, each direction.
  std::vector<LayerActivation> layers;  ///< Per analysed operator, in the given order.
};

/// How the wide SRAM of one compile set is divided.
struct SramBudget {
  int64_t sram_bytes = 0;
  int64_t executable_reserve_bytes = 0;
  int64_t activation_bytes = 0;           ///< Largest activation need among the set's models.
  int64_t parameter_capacity_bytes = 0;   ///< What is left for cached parameters (>= 0).
  int64_t set_reserve_bytes = 0;          ///< Kept back by the caching policy for a co-compiled set
                                          ///< (already taken out of parameter_capacity_bytes).
};

/// The on-chip capacity model (one per device kind).
class CapacityModel {
 public:
  explicit CapacityModel(ChipMemory chip) : chip_(chip) {}
  /// The capacity model of the built-in chip.
  static Result<CapacityModel> Builtin();

  const ChipMemory& chip() const { return chip_; }

  /// Analyses the operators `ops` of `model` (indices in execution order; empty = all ops).
  /// Fails with ResourceExhausted (kLargeActivationsMessage + the layer at fault) when a layer
  /// cannot fit on the chip; with InvalidArgument for a bad operator index or an invalid chip.
  Result<ActivationFootprint> Analyze(const ir::Model& model, std::span<const int> ops = {}) const;

  /// The division of the SRAM for a set of models compiled together (empty set: no activations).
  SramBudget Budget(std::span<const ActivationFootprint> set) const;
  /// Budget(set).parameter_capacity_bytes.
  int64_t ParameterCapacity(std::span<const ActivationFootprint> set) const {
    return Budget(set).parameter_capacity_bytes;
  }

 private:
  ChipMemory chip_;
};

}  // namespace etpu::cache
