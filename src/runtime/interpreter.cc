#include "runtime/interpreter.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "kernels/thread_pool.h"
#include "runtime/arena_plan.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime {

namespace {
// TFLite resets an int8 variable tensor without data to its zero point (the real value 0), any
// other tensor to zero bytes.
uint8_t InitialByte(const ir::Tensor& t) {
  if (t.is_variable && t.type == ir::TensorType::INT8 && !t.quant.zero_point.empty()) {
    return static_cast<uint8_t>(static_cast<int8_t>(t.quant.zero_point[0]));
  }
  return 0;
}
}  // namespace

const ir::Model& OpBuildContext::model() const { return interp_.model(); }
const ir::Tensor& OpBuildContext::in(int i) const { return interp_.tensor(op_.inputs.at(static_cast<size_t>(i))); }
const ir::Tensor& OpBuildContext::out(int i) const { return interp_.tensor(op_.outputs.at(static_cast<size_t>(i))); }
const uint8_t* OpBuildContext::in_data(int i) const {
  return interp_.tensor_data(op_.inputs.at(static_cast<size_t>(i))).data();
}
uint8_t* OpBuildContext::out_data(int i) const {
  return interp_.mutable_tensor_data(op_.outputs.at(static_cast<size_t>(i))).data();
}
uint8_t* OpBuildContext::var_data(int i) const {
  const int t = op_.inputs.at(static_cast<size_t>(i));
  if (!interp_.model().tensor(t).is_variable) return nullptr;
  return interp_.mutable_tensor_data(t).data();
}
bool OpBuildContext::in_immutable(int i) const {
  if (!has_input(i)) return false;
  const size_t t = static_cast<size_t>(op_.inputs[static_cast<size_t>(i)]);
  return t < interp_.owned_.size() && !interp_.owned_[t] && interp_.model().tensors[t].is_constant();
}
kernels::ThreadPool* OpBuildContext::thread_pool() const { return interp_.pool_.get(); }
Status OpBuildContext::SetOutputShape(int i, std::vector<int32_t> shape) {
  if (i < 0 || i >= num_outputs()) return Error(fmt::format("output {} out of range", i));
  const size_t t = static_cast<size_t>(op_.outputs[static_cast<size_t>(i)]);
  ir::Tensor& tensor = interp_.tensors_[t];
  if (!interp_.owned_[t] || tensor.is_constant()) return Error(fmt::format("output {} '{}' is constant", i, tensor.name));
  int64_t elements = 1;
  for (int32_t d : shape) {
    if (d < 0 || (d > 0 && elements > (int64_t{1} << 40) / d)) {
      return Error(fmt::format("output {} '{}': invalid shape from the operator", i, tensor.name));
    }
    elements *= d;
  }
  tensor.shape = std::move(shape);
  tensor.shape_signature.clear();
  const size_t bytes = static_cast<size_t>(tensor.size_bytes());
  if (bytes <= interp_.arena_room_[t]) {
    interp_.size_[t] = bytes;  // still fits its arena slot
  } else {
    interp_.arena_room_[t] = 0;
    interp_.OwnStorage(t, bytes);
  }
  return OkStatus();
}
std::string OpBuildContext::label() const {
  std::string name = op_.code == ir::BuiltinOperator::CUSTOM ? "CUSTOM '" + op_.custom_code + "'" : op_.name();
  return fmt::format("{} (#{}) of '{}'", name, op_.index, interp_.model().path);
}
Status OpBuildContext::Error(const std::string& message) const {
  return InvalidArgumentError(label() + ": " + message);
}

Result<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const ir::Model> model,
                                                         InterpreterOptions options) {
  if (model == nullptr) return InvalidArgumentError("Interpreter::Create: no model");
  if (options.num_threads < 1 || options.num_threads > 256) {
    return InvalidArgumentError(fmt::format("num_threads {} out of range [1, 256]", options.num_threads));
  }
  std::unique_ptr<Interpreter> interp(new Interpreter(std::move(model)));
  if (options.num_threads > 1) interp->pool_ = std::make_unique<kernels::ThreadPool>(options.num_threads);
  ETPU_RETURN_IF_ERROR(interp->Allocate(options));
  ETPU_RETURN_IF_ERROR(interp->Prepare(options));
  interp->before_op_ = std::move(options.before_op);
  return interp;
}

Interpreter::Interpreter(std::shared_ptr<const ir::Model> model) : model_(std::move(model)) {}
Interpreter::~Interpreter() = default;

void Interpreter::OwnStorage(size_t t, size_t bytes) {
  storage_[t].assign(bytes, InitialByte(tensors_[t]));
  data_[t] = storage_[t].data();
  size_[t] = bytes;
}

int64_t Interpreter::own_bytes() const {
  int64_t sum = 0;
  for (const auto& s : storage_) sum += static_cast<int64_t>(s.size());
  return sum;
}

int64_t Interpreter::tensor_bytes() const {
  int64_t sum = 0;
  for (size_t t = 0; t < size_.size(); ++t) {
    if (owned_[t]) sum += static_cast<int64_t>(size_[t]);
  }
  return sum;
}

int64_t Interpreter::writable_constant_bytes() const {
  int64_t sum = 0;
  for (size_t t = 0; t < size_.size(); ++t) {
    if (owned_[t] && model_->tensors[t].is_constant() && !model_->tensors[t].is_variable) sum += static_cast<int64_t>(size_[t]);
  }
  return sum;
}

int64_t Interpreter::writable_constant_own_bytes() const {
  int64_t sum = 0;
  for (size_t t = 0; t < storage_.size(); ++t) {
    if (owned_[t] && model_->tensors[t].is_constant() && !model_->tensors[t].is_variable) sum += static_cast<int64_t>(storage_[t].size());
  }
  return sum;
}

Status Interpreter::Allocate(const InterpreterOptions& options) {
  const size_t n = model_->tensors.size();
  tensors_ = model_->tensors;
  storage_.assign(n, {});
  data_.assign(n, nullptr);
  size_.assign(n, 0);
  arena_room_.assign(n, 0);
  owned_.assign(n, false);
  std::vector<bool> writable(n, false);
  for (int t : options.writable_constants) {
    if (t < 0 || static_cast<size_t>(t) >= n) {
      return InvalidArgumentError(fmt::format("writable constant tensor #{} out of range (model has {} tensors)", t, n));
    }
    writable[static_cast<size_t>(t)] = true;
  }
  for (const auto& [t, shape] : options.tensor_shapes) {
    if (t < 0 || static_cast<size_t>(t) >= n || model_->tensors[static_cast<size_t>(t)].is_constant()) {
      return InvalidArgumentError(fmt::format("model '{}': tensor #{} cannot be resized", model_->path, t));
    }
    ir::Tensor& tensor = tensors_[static_cast<size_t>(t)];
    if (tensor.shape_signature.empty()) tensor.shape_signature = tensor.shape;  // As TFLite keeps it.
    tensor.shape = shape;
  }
  // Lifetimes of the intermediates: from the first to the last operator that writes or reads them.
  const int ops = static_cast<int>(model_->ops.size());
  std::vector<int> first(n, ops), last(n, -1);
  for (int k = 0; k < ops; ++k) {
    const ir::Operator& op = model_->ops[static_cast<size_t>(k)];
    for (const auto* list : {&op.inputs, &op.outputs}) {
      for (int t : *list) {
        if (t < 0 || static_cast<size_t>(t) >= n) continue;
        first[static_cast<size_t>(t)] = std::min(first[static_cast<size_t>(t)], k);
        last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], k);
      }
    }
  }
  std::vector<bool> own(n, options.preserve_all_tensors);  // own buffer rather than the arena
  for (int t : model_->inputs) {
    if (t >= 0 && static_cast<size_t>(t) < n) own[static_cast<size_t>(t)] = true;
  }
  for (int t : model_->outputs) {
    if (t >= 0 && static_cast<size_t>(t) < n) own[static_cast<size_t>(t)] = true;
  }
  std::vector<ArenaRequest> requests;
  std::vector<size_t> in_arena, own_storage;
  int64_t own_total = 0;
  for (size_t t = 0; t < n; ++t) {
    const ir::Tensor& tensor = tensors_[t];
    if (tensor.is_constant() && !tensor.is_variable && !writable[t]) continue;
    const int64_t bytes = tensor.size_bytes();
    if (bytes < 0) return InvalidArgumentError(fmt::format("tensor '{}' (#{}) has a negative size", tensor.name, t));
    if (tensor.type == ir::TensorType::STRING) {
      return UnimplementedError(fmt::format("tensor '{}' (#{}) of '{}': STRING tensors are not supported",
                                            tensor.name, t, model_->path));
    }
    owned_[t] = true;
    const bool filled_per_run = writable[t] && options.before_op && !tensor.is_variable;  // the hook fills it
    if (own[t] || (tensor.is_constant() && !filled_per_run) || tensor.is_variable || last[t] < 0) {
      own_storage.push_back(t);
      own_total += bytes;
      continue;
    }
    requests.push_back({bytes, first[t], last[t]});
    in_arena.push_back(t);
  }
  const ArenaPlan plan = PlanArena(requests);
  // Checked before a byte is allocated: a small hostile file can declare many large tensors, each
  // within the reader's limit, and filling them would take gigabytes and seconds.
  const int64_t limit = options.max_tensor_memory > 0 ? std::min(options.max_tensor_memory, kMaxTensorMemory)
                                                       : kMaxTensorMemory;
  if (own_total + plan.size > limit) {
    return ResourceExhaustedError(fmt::format(
        "model '{}': its tensors need {} bytes ({} in buffers of their own, {} in the shared arena), more than the "
        "{} {}", model_->path, own_total + plan.size, own_total, plan.size, limit,
        limit < kMaxTensorMemory ? "allowed (max_tensor_bytes)" : "the interpreter supports"));
  }
  for (size_t t : own_storage) {
    OwnStorage(t, static_cast<size_t>(tensors_[t].size_bytes()));
    if (tensors_[t].is_constant()) {
      std::memcpy(storage_[t].data(), tensors_[t].data.data(), std::min<size_t>(tensors_[t].data.size(), storage_[t].size()));
    }
  }
  arena_.assign(static_cast<size_t>(plan.size), 0);
  for (size_t k = 0; k < in_arena.size(); ++k) {
    const size_t t = in_arena[k];
    data_[t] = arena_.data() + plan.offsets[k];
    size_[t] = static_cast<size_t>(requests[k].bytes);
    arena_room_[t] = size_[t];
  }
  return OkStatus();
}

Status Interpreter::Prepare(const InterpreterOptions& options) {
  // The last operator reading each plain constant (options.constant_prepared).
  std::vector<int> last_reader(tensors_.size(), -1);
  for (const ir::Operator& op : model_->ops) {
    for (int t : op.inputs) {
      if (t >= 0 && static_cast<size_t>(t) < tensors_.size()) last_reader[static_cast<size_t>(t)] = op.index;
    }
  }
  for (const ir::Operator& op : model_->ops) {
    const OpFactory* factory = nullptr;
    if (op.code == ir::BuiltinOperator::CUSTOM) {
      auto it = options.custom_ops.find(op.custom_code);
      if (it != options.custom_ops.end()) {
        factory = &it->second;
      } else {
        factory = ops::FindDefaultCustomOp(op.custom_code);
      }
      if (factory == nullptr) {
        return UnimplementedError(fmt::format("model '{}': unsupported custom operator '{}' (#{})", model_->path,
                                              op.custom_code, op.index));
      }
    } else {
      factory = FindBuiltinOp(op.code);
      if (factory == nullptr) {
        return UnimplementedError(
            fmt::format("model '{}': unsupported operator {} (#{})", model_->path, op.name(), op.index));
      }
    }
    for (int t : op.outputs) {
      if (t < 0 || !owned_[static_cast<size_t>(t)]) {
        return InvalidArgumentError(fmt::format("model '{}': operator {} (#{}) writes a constant tensor", model_->path,
                                                op.name(), op.index));
      }
    }
    OpBuildContext ctx(*this, op);
    ETPU_ASSIGN_OR_RETURN(EvalFn fn, (*factory)(ctx));
    evals_.push_back(std::move(fn));
    if (!options.constant_prepared) continue;
    for (int t : op.inputs) {
      if (t < 0 || static_cast<size_t>(t) >= tensors_.size()) continue;
      const size_t u = static_cast<size_t>(t);
      if (last_reader[u] == op.index && !owned_[u] && model_->tensors[u].is_constant()) {
        options.constant_prepared(model_->tensors[u].data);
      }
    }
  }
  return OkStatus();
}

Status Interpreter::SetInput(int i, std::span<const uint8_t> bytes) {
  if (i < 0 || i >= num_inputs()) {
    return InvalidArgumentError(fmt::format("input #{} out of range (model has {} inputs)", i, num_inputs()));
  }
  const auto buf = mutable_tensor_data(model_->inputs[static_cast<size_t>(i)]);
  if (bytes.size() != buf.size()) {
    return InvalidArgumentError(fmt::format("input #{} '{}': got {} bytes (expected {})", i,
                                            tensor(model_->inputs[static_cast<size_t>(i)]).name, bytes.size(), buf.size()));
  }
  std::memcpy(buf.data(), bytes.data(), bytes.size());
  return OkStatus();
}

std::span<const uint8_t> Interpreter::output(int i) const {
  if (i < 0 || i >= num_outputs()) return {};
  return tensor_data(model_->outputs[static_cast<size_t>(i)]);
}

Status Interpreter::Invoke() { return InvokeOps(0, static_cast<int>(evals_.size())); }

Status Interpreter::InvokeOps(int first, int last) {
  if (first < 0 || last > static_cast<int>(evals_.size()) || first > last) {
    return InvalidArgumentError(fmt::format("operator range [{}, {}) out of range (model has {} operators)", first,
                                            last, evals_.size()));
  }
  for (int k = first; k < last; ++k) {
    if (before_op_) ETPU_RETURN_IF_ERROR(before_op_(k));
    ETPU_RETURN_IF_ERROR(evals_[static_cast<size_t>(k)]());
  }
  return OkStatus();
}

std::span<const uint8_t> Interpreter::tensor_data(int t) const {
  if (t < 0 || static_cast<size_t>(t) >= storage_.size()) return {};
  if (owned_[static_cast<size_t>(t)]) return {data_[static_cast<size_t>(t)], size_[static_cast<size_t>(t)]};
  return model_->tensor(t).data;
}

std::span<uint8_t> Interpreter::mutable_tensor_data(int t) {
  if (t < 0 || static_cast<size_t>(t) >= storage_.size() || !owned_[static_cast<size_t>(t)]) return {};
  return {data_[static_cast<size_t>(t)], size_[static_cast<size_t>(t)]};
}

void Interpreter::ResetVariables() {
  for (size_t t = 0; t < storage_.size(); ++t) {
    const ir::Tensor& tensor = model_->tensors[t];
    if (!tensor.is_variable || !owned_[t]) continue;
    std::fill(storage_[t].begin(), storage_[t].end(), InitialByte(tensor));
    if (tensor.is_constant()) {
      std::memcpy(storage_[t].data(), tensor.data.data(), std::min(tensor.data.size(), storage_[t].size()));
    }
  }
}

}  // namespace etpu::runtime
