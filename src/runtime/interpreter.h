// The CPU interpreter: runs one verified TFLite model (ir::Model) operator by operator with the
// bit-exact reference kernels of src/kernels.
//
// Life cycle: Create() gives every non-constant tensor its storage (pointers stay valid for the
// interpreter's lifetime), then prepares every operator once (shapes, multipliers, activation
// clamps) into a closure that Eval runs per invocation.
//
// Storage (runtime/arena_plan.h): the model's inputs and outputs, variable tensors and writable
// constants each have their own buffer; the intermediate tensors share one arena in which tensors
// whose lifetimes (first to last operator using them) do not overlap take the same bytes, as
// TFLite's arena does. So an intermediate tensor's bytes are only meaningful while later operators
// still read it; InterpreterOptions::preserve_all_tensors gives each its own buffer instead (for
// layer-by-layer checks; TFLite's experimental_preserve_all_tensors). An operator that gives its
// output a larger shape at prepare time than the model declares moves that tensor out of the arena. An operator the interpreter
// does not know is an error at Create time naming it. Custom operators are resolved through a
// CustomOpResolver (the Edge TPU custom op is registered that way by the runtime).
//
// Variable tensors (LSTM state) get writable storage initialised from their buffer (or zeros);
// ResetVariables() restores that. Constant tensors listed in InterpreterOptions::writable_constants
// get writable storage too (the Edge TPU region's weights, refilled from the device layer by layer
// through InterpreterOptions::before_op: in the arena when a hook fills them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::kernels {
class ThreadPool;
}

namespace etpu::runtime {

/// What an operator factory sees: the model, the operator and stable tensor data pointers.
class OpBuildContext;

/// The per-invocation work of one prepared operator.
using EvalFn = std::function<Status()>;
/// Prepares one operator (called once at Create).
using OpFactory = std::function<Result<EvalFn>(OpBuildContext&)>;

/// Custom operator factories by custom_code.
using CustomOpResolver = std::map<std::string, OpFactory>;

/// Options of Interpreter::Create.
/// The most memory one interpreter's tensors may take (buffers of their own plus the arena): 1 GiB,
/// far above any Edge TPU-class model (DeepLab v3 at 513x513: 30 MiB with a buffer each), so that
/// a hostile file is refused before it is allocated.
inline constexpr int64_t kMaxTensorMemory = int64_t{1} << 30;

struct InterpreterOptions {
  CustomOpResolver custom_ops;
  /// Constant tensors that get their own writable copy (initialised from the model's bytes).
  std::vector<int> writable_constants;
  /// Shapes replacing the model's for these non-constant tensors (resized inputs and the shapes
  /// runtime/shape_propagation.h computed after them); shape signatures stay the model's.
  std::map<int, std::vector<int32_t>> tensor_shapes;
  /// Threads of the CPU kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED split their output
  /// rows over them; the bytes are the same for any count). 1: the calling thread only.
  int num_threads = 1;
  /// Every tensor keeps its own storage, so intermediates stay readable after Invoke (more memory).
  bool preserve_all_tensors = false;
  /// The most memory the tensors may need (own buffers + arena), checked before allocating;
  /// 0 or more than kMaxTensorMemory = kMaxTensorMemory.
  int64_t max_tensor_memory = 0;
  /// Called with the bytes of each plain constant tensor once the last operator reading it is
  /// prepared (the fast kernels have packed what they need): a model read in place from a mapped
  /// file gives those pages back (runtime/mapped_file.h). The bytes must stay readable.
  std::function<void(std::span<const uint8_t>)> constant_prepared;
  /// Called before each operator runs, with its index (Invoke, InvokeOps); an error stops the run.
  /// Writable constants live in the arena for the operators reading them only (as intermediates
  /// do), so this hook must fill them before their first reader runs (the Edge TPU region's
  /// weights, decoded layer by layer). With preserve_all_tensors they keep buffers of their own.
  std::function<Status(int)> before_op;
};

class Interpreter;

class OpBuildContext {
 public:
  OpBuildContext(Interpreter& interp, const ir::Operator& op) : interp_(interp), op_(op) {}
  const ir::Model& model() const;
  const ir::Operator& op() const { return op_; }
  int num_inputs() const { return static_cast<int>(op_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(op_.outputs.size()); }
  /// True when input i exists and is not the optional -1.
  bool has_input(int i) const { return i < num_inputs() && op_.inputs[static_cast<size_t>(i)] >= 0; }
  /// The tensor of input / output i (callers check has_input / num_outputs first).
  const ir::Tensor& in(int i) const;
  const ir::Tensor& out(int i) const;
  /// Stable data pointers (constant inputs point into the model's buffers).
  const uint8_t* in_data(int i) const;
  uint8_t* out_data(int i) const;
  /// Writable data of an input (variable tensors only; else nullptr).
  uint8_t* var_data(int i) const;
  /// True when input i is a constant whose bytes never change (the model's own buffer: not a
  /// variable or writable constant), so the operator may lay them out once at prepare time.
  bool in_immutable(int i) const;
  /// The interpreter's thread pool (nullptr with one thread).
  kernels::ThreadPool* thread_pool() const;
  /// Gives output i the shape the operator computes at prepare time (as TFLite's Prepare resizes
  /// outputs): the interpreter's view of the tensor and its storage take that shape, whatever the
  /// model declared (custom operators often declare `[]`). Operators prepared later see it.
  Status SetOutputShape(int i, std::vector<int32_t> shape);
  /// "CONV_2D (#3) of 'model.tflite'" for error messages.
  std::string label() const;
  /// InvalidArgument "<label>: <message>".
  Status Error(const std::string& message) const;
  Interpreter& interpreter() { return interp_; }

 private:
  Interpreter& interp_;
  const ir::Operator& op_;
};

/// Runs one model on the CPU.
class Interpreter {
 public:
  /// Allocates tensors and prepares every operator. `model` must outlive nothing: it is shared.
  static Result<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const ir::Model> model,
                                                     InterpreterOptions options = {});
  ~Interpreter();

  const ir::Model& model() const { return *model_; }
  int num_inputs() const { return static_cast<int>(model_->inputs.size()); }
  int num_outputs() const { return static_cast<int>(model_->outputs.size()); }
  /// The interpreter's view of a tensor: the model's, with the shapes operators set at prepare time.
  const ir::Tensor& tensor(int t) const { return tensors_.at(static_cast<size_t>(t)); }
  const ir::Tensor& input_tensor(int i) const { return tensor(model_->inputs.at(static_cast<size_t>(i))); }
  const ir::Tensor& output_tensor(int i) const { return tensor(model_->outputs.at(static_cast<size_t>(i))); }

  /// Copies `bytes` into input i; the size must equal the tensor's byte size.
  Status SetInput(int i, std::span<const uint8_t> bytes);
  /// The bytes of output i (valid until the next Invoke).
  std::span<const uint8_t> output(int i) const;

  /// Runs every operator in order.
  Status Invoke();
  /// Runs operators [first, last) only (layer-by-layer checks).
  Status InvokeOps(int first, int last);

  /// Raw bytes of any tensor (constants included; empty for a tensor without data).
  std::span<const uint8_t> tensor_data(int t) const;
  /// Writable bytes of a non-constant, variable or writable-constant tensor; empty otherwise.
  std::span<uint8_t> mutable_tensor_data(int t);
  /// Restores every variable tensor to its initial value.
  void ResetVariables();
  /// Bytes of the shared arena of intermediate tensors (0 with preserve_all_tensors), of the
  /// tensors' own buffers, and of all non-constant tensors' sizes summed (what the arena saves against).
  int64_t arena_bytes() const { return static_cast<int64_t>(arena_.size()); }
  int64_t own_bytes() const;
  int64_t tensor_bytes() const;
  /// Bytes of the writable constants (part of tensor_bytes), and of those with buffers of their
  /// own (part of own_bytes; the others are in the arena).
  int64_t writable_constant_bytes() const;
  int64_t writable_constant_own_bytes() const;

 private:
  friend class OpBuildContext;
  explicit Interpreter(std::shared_ptr<const ir::Model> model);
  Status Allocate(const InterpreterOptions& options);
  Status Prepare(const InterpreterOptions& options);

  std::shared_ptr<const ir::Model> model_;
  /// Gives tensor t its own buffer of `bytes` (filled with its initial byte).
  void OwnStorage(size_t t, size_t bytes);

  std::vector<ir::Tensor> tensors_;            ///< The model's tensors with prepare-time shapes.
  std::vector<std::vector<uint8_t>> storage_;  ///< Own buffers; empty for plain constants and arena tensors.
  std::vector<uint8_t> arena_;                 ///< The intermediates' shared bytes.
  std::vector<uint8_t*> data_;                 ///< Per tensor with storage: its bytes (own buffer or arena).
  std::vector<size_t> size_;                   ///< Per tensor with storage: its byte size.
  std::vector<size_t> arena_room_;             ///< Per arena tensor: its slot's size (0: not in the arena).
  std::vector<bool> owned_;                    ///< The tensor has writable storage (own or arena).
  std::vector<EvalFn> evals_;
  std::function<Status(int)> before_op_;
  std::unique_ptr<kernels::ThreadPool> pool_;  ///< num_threads > 1 only.
};

/// The factory of a builtin operator, or nullptr when it is not supported.
const OpFactory* FindBuiltinOp(ir::BuiltinOperator code);
/// Names of every supported builtin operator (for docs and tests).
std::vector<std::string> SupportedBuiltinOps();

}  // namespace etpu::runtime
