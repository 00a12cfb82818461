// The `edgetpu-custom-op`: runs one etpu-compiled Edge TPU region on a VirtualEdgeTpu.
//
// Load (Create): reads the op's DWN1 package, checks the runtime version (the real runtime's
// words), refuses Google's executables (chip "beagle": real instructions, never run), decodes the
// virtual-chip Program, gives the region model's emptied weight tensors writable slots in the
// region's arena and prepares a CPU Interpreter on the region.
// Invoke (the op's EvalFn): copies the op's inputs into the region, applies the device's caching
// rule (virtual_edgetpu.h), runs the region and refills EVERY parameterised layer's weights just
// before the first operator reading them (in the region's arena, so only the weights being used
// take memory; InterpreterOptions::before_op): cached layers from
// the device SRAM, streamed ones from the EXECUTION_ONLY blob (viewed in the package, which is read
// in place in the model's custom options: no copy), decoded with src/params; runs the region and
// copies its outputs back. The cached blob's file pages are given back once uploaded (GiveBack). Each invocation appends an
// InvocationRecord (cache event, bytes, simulated time). The time is the shared model cost of the
// op (perf::EdgeTpuOpCostOf) through device::EstimateInvocation: the same figures as the compiler
// report and `etpu bench` (perf::EstimateModelTime).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "device/device_spec.h"
#include "etpu/status.h"
#include "ir/graph.h"
#include "package/package_reader.h"
#include "runtime/interpreter.h"
#include "runtime/virtual_edgetpu.h"

namespace etpu::runtime {

/// What one invocation of an Edge TPU executable did.
struct InvocationRecord {
  int device = 0;
  int op_index = -1;                ///< The custom op in the model.
  uint64_t token = 0;               ///< Caching token of the package.
  bool cache_cleared = false;       ///< The device's cached set was reset first.
  bool parameters_loaded = false;   ///< The PARAMETER_CACHING executable ran (SRAM written).
  bool parameters_reused = false;   ///< Cached parameters were already on the device.
  int64_t sram_bytes_written = 0;
  int64_t streamed_bytes = 0;       ///< EXECUTION_ONLY parameters read this invocation.
  double simulated_ms = 0;          ///< Timing model: first_total_ms when loaded, else total_ms.
};

/// Device timing inputs shared by every executable of a runtime.
struct TimingContext {
  device::DeviceSpec spec;
  device::HostProfile host;
  device::Clock clock = device::Clock::kMax;
};

class EdgeTpuExecutable {
 public:
  /// Called with parameter bytes once they are no longer needed resident: each piece of the cached
  /// blob once uploaded to the SRAM, then the whole blob. The bytes stay readable (the runtime
  /// gives back the pages of a mapped model file: runtime/mapped_file.h).
  using GiveBack = std::function<void(std::span<const uint8_t>)>;

  /// Prepares the executable of one edgetpu-custom-op. `id` must be unique per runtime.
  static Result<std::unique_ptr<EdgeTpuExecutable>> Create(const package::EdgeTpuOpInfo& info,
                                                           const ir::Model& outer, VirtualEdgeTpu* device,
                                                           const TimingContext& timing, int runtime_version,
                                                           uint64_t id, GiveBack give_back = {});

  /// The custom-op factory for the outer interpreter; records go to *sink.
  OpFactory Factory(std::vector<InvocationRecord>* sink);

  int op_index() const { return op_index_; }
  uint64_t token() const { return token_; }
  int64_t cached_bytes() const { return static_cast<int64_t>(caching_params_.size()); }
  int64_t streamed_bytes() const { return static_cast<int64_t>(streamed_.size()); }
  /// The package's bytes, as read: in place in the model's custom options, or a copy of its own.
  std::span<const uint8_t> package_bytes() const { return package_bytes_; }
  const ir::Model& region_model() const { return *region_; }
  /// The CPU interpreter running the region (its tensors, its writable weights).
  const Interpreter& region_interpreter() const { return *interp_; }
  VirtualEdgeTpu* device() const { return device_; }

  /// Restores the region's variable tensors (LSTM state) to their initial values.
  void ResetState() { interp_->ResetVariables(); }

  /// Test hook: XORs byte `offset` of this executable's streamed blob with `mask`.
  Status CorruptStreamed(int64_t offset, uint8_t mask);

 private:
  EdgeTpuExecutable() = default;
  Status Run(const OpBuildContext& outer_op, std::vector<InvocationRecord>* sink);
  /// Decodes the layers whose weights the region operator `op` is the first to read.
  Status FillBefore(int op);
  /// The bytes of one program layer, from the blob it names.
  Result<std::span<const uint8_t>> LayerBytes(const package::LayerParams& layer);
  /// Decodes one layer's record (all its pieces, in program order) into its operator's weights.
  Status FillLayer(const package::LayerParams& layer, std::span<const uint8_t> bytes);

  int op_index_ = -1;
  std::string what_;
  VirtualEdgeTpu* device_ = nullptr;
  uint64_t id_ = 0;
  uint64_t token_ = 0;
  bool has_caching_ = false;
  /// Keeps the package's bytes valid (not copied): the parameter blobs below view them.
  std::vector<std::shared_ptr<const void>> package_storage_;
  std::span<const uint8_t> package_bytes_;
  GiveBack give_back_;
  std::span<const uint8_t> caching_params_;
  std::span<const uint8_t> streamed_;
  std::vector<uint8_t> corrupted_streamed_;  ///< CorruptStreamed's private copy (streamed_ views it then).
  std::vector<uint8_t> joined_;  ///< A record placed in pieces, joined for decoding (FillBefore).
  std::vector<package::LayerParams> layers_;
  std::vector<std::vector<size_t>> layers_before_op_;  ///< Per region operator: layers to decode first.
  std::shared_ptr<const ir::Model> region_;
  std::unique_ptr<Interpreter> interp_;
  double first_ms_ = 0, steady_ms_ = 0;
};

}  // namespace etpu::runtime
