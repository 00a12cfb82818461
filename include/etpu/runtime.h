// etpu's runtime: runs TFLite models (CPU models, and models compiled by etpu's edgetpu_compiler)
// bit-exactly with TFLite's reference kernels; Edge TPU regions run on virtual Edge TPUs whose
// SRAM and caching-token behaviour follow libedgetpu.
//
//   auto rt = etpu::Runtime::Create({.num_devices = 2});
//   auto model = (*rt)->LoadModel("mobilenet_edgetpu.tflite", /*device=*/0);
//   model->SetInput(0, bytes);  model->Invoke();  auto out = model->GetOutput(0);
//   for (const auto& e : model->last_events()) ...   // loaded / reused, bytes, simulated time
//
// Every model is bound to one device; the cache state is per device, so alternating models with
// different caching tokens on one device reloads their parameters at every switch, while
// co-compiled models (same token) keep theirs side by side. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu {

namespace runtime {
class MappedFile;
}  // namespace runtime

/// The runtime version etpu reports by default (libedgetpu's current, 14).
inline constexpr int kDefaultRuntimeVersion = 14;

struct RuntimeOptions {
  int num_devices = 1;                          ///< Virtual Edge TPUs (each with its own SRAM).
  int runtime_version = kDefaultRuntimeVersion;  ///< Packages needing a newer one are refused.
  std::string host = "usb3";                    ///< Host profile of the device catalog (usb3, usb2, pcie, ...).
  std::string clock = "max";                    ///< "max" or "std".
  std::string device_catalog;                   ///< JSON catalog path; empty = built in.
  /// CPU threads of each loaded model's interpreter (1-256): CONV_2D, DEPTHWISE_CONV_2D and
  /// FULLY_CONNECTED split their output rows over them. The outputs are the same bytes for any
  /// count. (The Edge TPU operators' own CPU work stays on the calling thread.)
  int num_threads = 1;
};

/// Where a loaded model's non-constant tensors live (bytes).
struct TensorMemory {
  int64_t own_bytes = 0;       ///< Buffers of their own: inputs, outputs, state (all with preserve_all_tensors).
  int64_t arena_bytes = 0;     ///< The arena the intermediate tensors share.
  int64_t unshared_bytes = 0;  ///< Every non-constant tensor's size summed: a buffer each.
};

/// Options of one loaded model.
struct ModelOptions {
  int num_threads = 0;  ///< Its CPU threads (1-256; 0 = RuntimeOptions::num_threads).
  /// Every tensor keeps its own storage, so intermediate tensors stay readable after Invoke (as
  /// TFLite's experimental_preserve_all_tensors). By default intermediates share one arena.
  bool preserve_all_tensors = false;
  /// The most memory its tensors may need (own buffers + shared arena), checked before any is
  /// allocated; a model needing more is refused with ResourceExhausted. 0 = the interpreter's limit
  /// (1 GiB). For small hosts, and for fuzzing hostile models quickly.
  int64_t max_tensor_bytes = 0;
};

/// One invocation of one Edge TPU executable (one edgetpu-custom-op).
struct CacheEvent {
  int device = 0;
  int op_index = -1;               ///< The edgetpu-custom-op in the model.
  uint64_t token = 0;              ///< The package's caching token.
  bool cache_cleared = false;      ///< The device dropped its cached parameters first.
  bool parameters_loaded = false;  ///< Cached parameters were uploaded into the SRAM.
  bool parameters_reused = false;  ///< They were already on the device.
  int64_t sram_bytes_written = 0;
  int64_t streamed_bytes = 0;
  double simulated_ms = 0;         ///< Simulated device time of this invocation.
};

/// Shape, type and quantization of an input or output tensor.
struct TensorInfo {
  std::string name;
  std::string type;                ///< "UINT8", "INT8", "FLOAT32", ...
  std::vector<int> shape;
  std::vector<float> scale;        ///< Empty when not quantized.
  std::vector<int64_t> zero_point;
  int64_t bytes = 0;
  int index = -1;                  ///< Tensor index in the model's (main) subgraph.
  std::vector<int> shape_signature;  ///< -1 marks a dynamic dimension; the shape when the model has none.
  int quantized_dimension = 0;     ///< The per-channel axis.
  bool constant = false;           ///< Holds data from the model (weights); not writable.
};

/// One named input or output of a signature.
struct SignatureTensor {
  std::string name;       ///< The signature's name for it (may differ from the tensor's name).
  int tensor_index = -1;  ///< Tensor index in the model's (main) subgraph.
};

/// One SignatureDef of a model (TFLite's signature runner): a key and named inputs and outputs.
struct SignatureInfo {
  std::string key;        ///< e.g. "serving_default".
  int subgraph_index = 0;
  std::vector<SignatureTensor> inputs;   ///< In the model file's order.
  std::vector<SignatureTensor> outputs;
};

/// State of one virtual Edge TPU.
struct DeviceState {
  uint64_t current_token = 0;
  int cached_executables = 0;
  int64_t sram_used = 0;
  int64_t sram_bytes = 0;
};

/// Summary of a compiled model's Edge TPU part.
struct EdgeTpuInfo {
  int op_index = -1;
  uint64_t token = 0;
  int64_t cached_bytes = 0;    ///< PARAMETER_CACHING parameters.
  int64_t streamed_bytes = 0;  ///< EXECUTION_ONLY parameters.
  /// The package is read where it lies in the model's custom options (for LoadModel: in the
  /// mapped file, whose pages are given back after use), not copied into memory of its own.
  bool package_in_place = false;
};

class Runtime;

/// A model loaded on one device. Cheap to move; keeps its runtime's devices alive.
class LoadedModel {
 public:
  int num_inputs() const;
  int num_outputs() const;
  TensorInfo input(int i) const;
  TensorInfo output(int i) const;
  int device() const;
  /// The model's edgetpu-custom-ops (empty for a CPU model).
  std::vector<EdgeTpuInfo> edgetpu_ops() const;

  /// Every tensor of the model (the interpreter's view: shapes as operators prepared them).
  int num_tensors() const;
  /// Tensor t; an empty TensorInfo (index -1) when t is out of range.
  TensorInfo tensor(int t) const;
  /// Tensor indices of input / output i (-1 when out of range).
  int input_tensor_index(int i) const;
  int output_tensor_index(int i) const;
  /// The model's SignatureDefs, in file order (empty when it has none).
  std::vector<SignatureInfo> signatures() const;
  /// Bytes of tensor t (constants included; empty when it has none or t is out of range).
  std::span<const uint8_t> tensor_data(int t) const;
  /// Writable bytes of a non-constant tensor (inputs, outputs, activations; stable for the model's
  /// lifetime); empty for constants and out-of-range indices. An intermediate tensor shares its
  /// bytes with others whose lifetimes do not meet its own (ModelOptions::preserve_all_tensors).
  std::span<uint8_t> mutable_tensor_data(int t);
  /// Memory of the non-constant tensors of the CPU interpreter and of each Edge TPU region's
  /// interpreter (the weights a region refills before each run are not tensors of their own).
  TensorMemory tensor_memory() const;
  /// Bytes of the model file resident in this process (LoadModel reads it in place from a
  /// read-only mapping and gives back the pages of weights already packed or cached in the
  /// virtual SRAM); -1 for a model loaded from a buffer or when the system does not tell.
  int64_t file_resident_bytes() const;

  /// Copies the exact bytes of input i.
  Status SetInput(int i, std::span<const uint8_t> bytes);
  /// Runs the model once; Edge TPU regions run on the bound device.
  Status Invoke();
  /// Bytes of output i after Invoke (valid until the next Invoke).
  std::span<const uint8_t> GetOutput(int i) const;
  /// Cache events of the last Invoke, one per Edge TPU executable run.
  const std::vector<CacheEvent>& last_events() const;
  /// Resets LSTM state (variable tensors) to their initial values.
  void ResetState();

  /// Gives the inputs these shapes (one per input, in input order), as TFLite's
  /// ResizeInputTensor followed by AllocateTensors: the shapes propagate through the CPU
  /// operators and every tensor gets fresh storage (inputs zero, LSTM state initial). An Edge
  /// TPU executable runs only the shapes it was compiled for: a change reaching one fails
  /// (FailedPrecondition naming the operator), as does one through an operator etpu has no shape
  /// rule for (Unimplemented). On error the model is unchanged. Spans handed out before stay
  /// valid only while a tensor_storage() handle taken before is held.
  Status ResizeInputs(const std::vector<std::vector<int>>& shapes);
  /// Keeps the current tensor storage (what tensor_data / mutable_tensor_data point into) alive
  /// while held, even after ResizeInputs replaced it (for zero-copy views, e.g. numpy arrays).
  std::shared_ptr<const void> tensor_storage() const;

  /// Test hook: XORs byte `offset` of the streamed (EXECUTION_ONLY) parameters of the model's
  /// `k`-th edgetpu-custom-op with `mask`.
  Status CorruptStreamedParameters(int k, int64_t offset, uint8_t mask);

  struct Impl;
  explicit LoadedModel(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<Impl> impl_;
};

/// True when `model` holds an edgetpu-custom-op compiled by Google's compiler for a real chip
/// ("beagle"), which the virtual Edge TPU cannot run; false for CPU models, etpu's compiled
/// models and bytes that are not a readable model.
bool IsCompiledForRealEdgeTpu(std::span<const uint8_t> model);

/// N virtual Edge TPUs plus the CPU interpreter.
class Runtime {
 public:
  static Result<std::unique_ptr<Runtime>> Create(const RuntimeOptions& options = {});
  ~Runtime();

  int num_devices() const;
  int runtime_version() const;
  /// Loads a model file, binding its Edge TPU part (if any) to `device`. `num_threads`: this
  /// model's CPU threads (1-256; 0 = RuntimeOptions::num_threads), as TFLite's interpreter takes
  /// them per model.
  Result<LoadedModel> LoadModel(const std::string& path, int device = 0, int num_threads = 0);
  Result<LoadedModel> LoadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name, int device = 0,
                                          int num_threads = 0);
  /// The same with every per-model option.
  Result<LoadedModel> LoadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name, int device,
                                          const ModelOptions& options);

  DeviceState device_state(int device) const;
  /// Test hook: XORs SRAM byte `offset` of `device` with `mask`.
  Status CorruptSram(int device, int64_t offset, uint8_t mask);
  /// Forgets the cached parameters of `device` (closing and reopening it).
  Status ResetDevice(int device);

  struct Impl;

 private:
  explicit Runtime(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  /// LoadModelFromBuffer; with `file` (LoadModel: `bytes` are its read-only mapping) the model is
  /// read in place and the pages of constants gone into packed weights or the virtual SRAM are
  /// given back (runtime/mapped_file.h).
  Result<LoadedModel> Load(std::span<const uint8_t> bytes, std::shared_ptr<const runtime::MappedFile> file,
                           const std::string& name, int device, const ModelOptions& options);
  std::shared_ptr<Impl> impl_;
};

}  // namespace etpu
