// The public API (include/etpu/runtime.h) on top of Interpreter, EdgeTpuExecutable and
// VirtualEdgeTpu.
#include "etpu/runtime.h"

#include <functional>

#include <fmt/format.h>

#include "base/file_io.h"
#include "device/device_catalog.h"
#include "package/package_reader.h"
#include "runtime/edgetpu_op.h"
#include "runtime/interpreter.h"
#include "runtime/mapped_file.h"
#include "runtime/shape_propagation.h"
#include "runtime/virtual_edgetpu.h"
#include "tflite/model_reader.h"

namespace etpu {

using runtime::EdgeTpuExecutable;
using runtime::Interpreter;
using runtime::InvocationRecord;
using runtime::VirtualEdgeTpu;

struct Runtime::Impl {
  RuntimeOptions options;
  runtime::TimingContext timing;
  std::vector<std::unique_ptr<VirtualEdgeTpu>> devices;
  uint64_t next_id = 1;
};

struct LoadedModel::Impl {
  std::shared_ptr<Runtime::Impl> runtime;  // Keeps the devices alive.
  int device = 0;
  std::shared_ptr<ir::Model> model;
  std::shared_ptr<const runtime::MappedFile> file;  // LoadModel: the mapping the model views.
  std::vector<std::unique_ptr<EdgeTpuExecutable>> executables;
  std::vector<InvocationRecord> records;
  std::vector<CacheEvent> events;
  runtime::InterpreterOptions interp_options;  // As loaded (ResizeInputs prepares the model again).
  // Declared last: destroyed first (its ops point at executables). Shared with tensor_storage().
  std::shared_ptr<Interpreter> interp;
};

namespace {

TensorInfo InfoOf(const ir::Tensor& t) {
  TensorInfo i;
  i.name = t.name;
  i.type = ir::TensorTypeName(t.type);
  i.shape.assign(t.shape.begin(), t.shape.end());
  i.scale = t.quant.scale;
  i.zero_point = t.quant.zero_point;
  i.bytes = t.size_bytes();
  i.index = t.index;
  i.shape_signature.assign(t.shape_signature.begin(), t.shape_signature.end());
  if (i.shape_signature.empty()) i.shape_signature = i.shape;
  i.quantized_dimension = t.quant.quantized_dimension;
  i.constant = t.is_constant();
  return i;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// LoadedModel

int LoadedModel::num_inputs() const { return impl_->interp->num_inputs(); }
int LoadedModel::num_outputs() const { return impl_->interp->num_outputs(); }
TensorInfo LoadedModel::input(int i) const {
  if (i < 0 || i >= num_inputs()) return {};
  return InfoOf(impl_->interp->input_tensor(i));
}
TensorInfo LoadedModel::output(int i) const {
  if (i < 0 || i >= num_outputs()) return {};
  return InfoOf(impl_->interp->output_tensor(i));
}
int LoadedModel::device() const { return impl_->device; }

int LoadedModel::num_tensors() const { return static_cast<int>(impl_->model->tensors.size()); }
TensorMemory LoadedModel::tensor_memory() const {
  // The model's own interpreter and each Edge TPU region's (without the weights a region refills).
  TensorMemory m;
  auto add = [&m](const Interpreter& i) {
    m.own_bytes += i.own_bytes() - i.writable_constant_own_bytes();
    m.arena_bytes += i.arena_bytes();  // with the slots of the weights being decoded
    m.unshared_bytes += i.tensor_bytes() - i.writable_constant_bytes();
  };
  add(*impl_->interp);
  for (const auto& x : impl_->executables) add(x->region_interpreter());
  return m;
}
int64_t LoadedModel::file_resident_bytes() const {
  return impl_->file != nullptr ? impl_->file->ResidentBytes() : -1;
}
TensorInfo LoadedModel::tensor(int t) const {
  if (t < 0 || t >= num_tensors()) return {};
  return InfoOf(impl_->interp->tensor(t));
}
int LoadedModel::input_tensor_index(int i) const {
  return i < 0 || i >= num_inputs() ? -1 : impl_->model->inputs[static_cast<size_t>(i)];
}
int LoadedModel::output_tensor_index(int i) const {
  return i < 0 || i >= num_outputs() ? -1 : impl_->model->outputs[static_cast<size_t>(i)];
}
std::vector<SignatureInfo> LoadedModel::signatures() const {
  auto convert = [](const std::vector<ir::Signature::Entry>& entries) {
    std::vector<SignatureTensor> out;
    for (const auto& e : entries) out.push_back({e.name, e.tensor});
    return out;
  };
  std::vector<SignatureInfo> v;
  for (const auto& s : impl_->model->signatures) v.push_back({s.key, s.subgraph, convert(s.inputs), convert(s.outputs)});
  return v;
}
std::span<const uint8_t> LoadedModel::tensor_data(int t) const {
  if (t < 0 || t >= num_tensors()) return {};
  return impl_->interp->tensor_data(t);
}
std::span<uint8_t> LoadedModel::mutable_tensor_data(int t) {
  if (t < 0 || t >= num_tensors() || impl_->interp->tensor(t).is_constant()) return {};
  return impl_->interp->mutable_tensor_data(t);
}

std::vector<EdgeTpuInfo> LoadedModel::edgetpu_ops() const {
  std::vector<EdgeTpuInfo> v;
  for (const auto& x : impl_->executables) {
    const std::span<const uint8_t> options = impl_->model->ops.at(static_cast<size_t>(x->op_index())).custom_options;
    const std::span<const uint8_t> package = x->package_bytes();
    const auto p = reinterpret_cast<uintptr_t>(package.data()), o = reinterpret_cast<uintptr_t>(options.data());
    const bool in_place = !package.empty() && p >= o && package.size() <= options.size() &&
                          p - o <= options.size() - package.size();
    v.push_back({x->op_index(), x->token(), x->cached_bytes(), x->streamed_bytes(), in_place});
  }
  return v;
}

Status LoadedModel::SetInput(int i, std::span<const uint8_t> bytes) { return impl_->interp->SetInput(i, bytes); }

Status LoadedModel::Invoke() {
  impl_->records.clear();
  impl_->events.clear();
  Status s = impl_->interp->Invoke();
  for (const auto& r : impl_->records) {
    CacheEvent e;
    e.device = r.device;
    e.op_index = r.op_index;
    e.token = r.token;
    e.cache_cleared = r.cache_cleared;
    e.parameters_loaded = r.parameters_loaded;
    e.parameters_reused = r.parameters_reused;
    e.sram_bytes_written = r.sram_bytes_written;
    e.streamed_bytes = r.streamed_bytes;
    e.simulated_ms = r.simulated_ms;
    impl_->events.push_back(e);
  }
  return s;
}

std::span<const uint8_t> LoadedModel::GetOutput(int i) const { return impl_->interp->output(i); }
const std::vector<CacheEvent>& LoadedModel::last_events() const { return impl_->events; }
void LoadedModel::ResetState() {
  impl_->interp->ResetVariables();
  for (auto& x : impl_->executables) x->ResetState();
}

Status LoadedModel::ResizeInputs(const std::vector<std::vector<int>>& shapes) {
  std::vector<std::vector<int32_t>> want(shapes.begin(), shapes.end());
  ETPU_ASSIGN_OR_RETURN(auto changed, runtime::PropagateInputShapes(*impl_->model, want));
  runtime::InterpreterOptions opts = impl_->interp_options;
  opts.tensor_shapes = std::move(changed);
  ETPU_ASSIGN_OR_RETURN(impl_->interp, Interpreter::Create(impl_->model, std::move(opts)));
  for (auto& x : impl_->executables) x->ResetState();
  impl_->events.clear();
  return OkStatus();
}

std::shared_ptr<const void> LoadedModel::tensor_storage() const { return impl_->interp; }

Status LoadedModel::CorruptStreamedParameters(int k, int64_t offset, uint8_t mask) {
  if (k < 0 || static_cast<size_t>(k) >= impl_->executables.size()) {
    return InvalidArgumentError(fmt::format("edgetpu op #{} out of range (model has {})", k, impl_->executables.size()));
  }
  return impl_->executables[static_cast<size_t>(k)]->CorruptStreamed(offset, mask);
}

// ---------------------------------------------------------------------------------------------
// Runtime

bool IsCompiledForRealEdgeTpu(std::span<const uint8_t> bytes) {
  auto model = tflite::ReadModelFromBuffer(bytes, "model");
  if (!model.ok() || !model->HasEdgeTpuCustomOp()) return false;
  auto info = package::ReadCompiledModel(*model);
  if (!info.ok()) return false;
  for (const auto& op : info->edgetpu_ops) {
    if (!op.package.is_virtual()) return true;
  }
  return false;
}

Result<std::unique_ptr<Runtime>> Runtime::Create(const RuntimeOptions& options) {
  if (options.num_devices < 1 || options.num_devices > 64) {
    return InvalidArgumentError(fmt::format("num_devices {} out of range [1, 64]", options.num_devices));
  }
  if (options.num_threads < 1 || options.num_threads > 256) {
    return InvalidArgumentError(fmt::format("num_threads {} out of range [1, 256]", options.num_threads));
  }
  auto impl = std::make_shared<Impl>();
  impl->options = options;
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::LoadDeviceCatalogOrBuiltin(options.device_catalog));
  if (catalog.chips.empty()) return InvalidArgumentError("the device catalog has no chip");
  impl->timing.spec = catalog.DefaultChip();
  ETPU_ASSIGN_OR_RETURN(impl->timing.host, catalog.Host(options.host));
  ETPU_ASSIGN_OR_RETURN(impl->timing.clock, device::ParseClock(options.clock));
  for (int d = 0; d < options.num_devices; ++d) {
    impl->devices.push_back(std::make_unique<VirtualEdgeTpu>(d, impl->timing.spec.sram_bytes));
  }
  return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
}

Runtime::~Runtime() = default;
int Runtime::num_devices() const { return static_cast<int>(impl_->devices.size()); }
int Runtime::runtime_version() const { return impl_->options.runtime_version; }

Result<LoadedModel> Runtime::LoadModel(const std::string& path, int device, int num_threads) {
  ETPU_ASSIGN_OR_RETURN(std::shared_ptr<const runtime::MappedFile> file, runtime::MappedFile::Open(path));
  return Load(file->bytes(), file, path, device, ModelOptions{.num_threads = num_threads});
}

Result<LoadedModel> Runtime::LoadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name, int device,
                                                  int num_threads) {
  return LoadModelFromBuffer(bytes, name, device, ModelOptions{.num_threads = num_threads});
}

Result<LoadedModel> Runtime::LoadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name, int device,
                                                  const ModelOptions& options) {
  return Load(bytes, nullptr, name, device, options);
}

Result<LoadedModel> Runtime::Load(std::span<const uint8_t> bytes, std::shared_ptr<const runtime::MappedFile> file,
                                  const std::string& name, int device, const ModelOptions& options) {
  const int num_threads = options.num_threads;
  if (device < 0 || device >= num_devices()) {
    return InvalidArgumentError(fmt::format("device {} out of range (the runtime has {} devices)", device, num_devices()));
  }
  if (num_threads < 0 || num_threads > 256) {
    return InvalidArgumentError(fmt::format("num_threads {} out of range [1, 256] (0: the runtime's)", num_threads));
  }
  ETPU_ASSIGN_OR_RETURN(ir::Model model,
                        file != nullptr ? tflite::ReadModelInPlace(bytes, name) : tflite::ReadModelFromBuffer(bytes, name));
  auto impl = std::make_shared<LoadedModel::Impl>();
  impl->runtime = impl_;
  impl->device = device;
  impl->file = file;
  // A model read in place views the mapping: the mapping lives as long as the model.
  impl->model = std::shared_ptr<ir::Model>(new ir::Model(std::move(model)), [file](ir::Model* m) { delete m; });
  runtime::InterpreterOptions opts;
  // Pages of the mapped file that are not read again are given back (runtime/mapped_file.h).
  std::function<void(std::span<const uint8_t>)> give_back;
  if (file != nullptr) give_back = [file](std::span<const uint8_t> bytes) { file->Drop(bytes); };
  opts.constant_prepared = give_back;
  opts.num_threads = num_threads > 0 ? num_threads : impl_->options.num_threads;
  opts.preserve_all_tensors = options.preserve_all_tensors;
  if (options.max_tensor_bytes < 0) {
    return InvalidArgumentError(fmt::format("max_tensor_bytes {} is negative (0: the interpreter's limit)",
                                            options.max_tensor_bytes));
  }
  opts.max_tensor_memory = options.max_tensor_bytes;
  if (impl->model->HasEdgeTpuCustomOp()) {
    // Packages are read in place (the model keeps its custom options, and a mapped file, alive).
    ETPU_ASSIGN_OR_RETURN(package::CompiledModelInfo info, package::ReadCompiledModel(*impl->model, impl->model));
    for (const auto& op : info.edgetpu_ops) {
      ETPU_ASSIGN_OR_RETURN(auto x, EdgeTpuExecutable::Create(op, *impl->model, impl_->devices[static_cast<size_t>(device)].get(),
                                                               impl_->timing, impl_->options.runtime_version,
                                                               impl_->next_id++, give_back));
      impl->executables.push_back(std::move(x));
      // Decoded: of the package, only the parameter blobs are read again (the cached one faulted
      // back in when uploaded and given back after it, the streamed one on every run).
      if (file != nullptr) file->Drop(impl->model->ops.at(static_cast<size_t>(op.op_index)).custom_options);
    }
    // One factory dispatching on the operator index (a model may hold several edgetpu ops).
    LoadedModel::Impl* raw = impl.get();
    opts.custom_ops[ir::kEdgeTpuCustomOp] = [raw](runtime::OpBuildContext& c) -> Result<runtime::EvalFn> {
      for (size_t k = 0; k < raw->executables.size(); ++k) {
        auto f = raw->executables[k]->Factory(&raw->records);
        auto r = f(c);
        if (r.ok() || r.status().code() != StatusCode::kInternal) return r;
      }
      return c.Error("no Edge TPU package decoded for this operator");
    };
  }
  impl->interp_options = opts;
  ETPU_ASSIGN_OR_RETURN(impl->interp, Interpreter::Create(impl->model, std::move(opts)));
  return LoadedModel(std::move(impl));
}

DeviceState Runtime::device_state(int device) const {
  if (device < 0 || device >= num_devices()) return {};
  const auto& d = *impl_->devices[static_cast<size_t>(device)];
  return DeviceState{d.current_token(), d.cached_count(), d.sram_used(), d.sram_bytes()};
}

Status Runtime::CorruptSram(int device, int64_t offset, uint8_t mask) {
  if (device < 0 || device >= num_devices()) return InvalidArgumentError(fmt::format("device {} out of range", device));
  return impl_->devices[static_cast<size_t>(device)]->CorruptSram(offset, mask);
}

Status Runtime::ResetDevice(int device) {
  if (device < 0 || device >= num_devices()) return InvalidArgumentError(fmt::format("device {} out of range", device));
  impl_->devices[static_cast<size_t>(device)]->Reset();
  return OkStatus();
}

}  // namespace etpu
