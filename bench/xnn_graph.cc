#include "xnn_graph.h"

#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/quant_utils.h"

namespace etpu::bench {

void XnnGraph::OperatorDeleter::operator()(void* op) const {
  if (op != nullptr) xnn_delete_operator(static_cast<xnn_operator_t>(op));
}

XnnGraph::~XnnGraph() = default;

Status XnnGraph::SetInput(int i, std::span<const uint8_t> bytes) {
  if (i < 0 || i >= num_inputs()) return InvalidArgumentError("XNNPACK graph: no input " + std::to_string(i));
  Slot& s = slots_[static_cast<size_t>(inputs_[static_cast<size_t>(i)])];
  if (bytes.size() != s.size) {
    return InvalidArgumentError("XNNPACK graph: input " + std::to_string(i) + " needs " + std::to_string(s.size) +
                                " bytes, got " + std::to_string(bytes.size()));
  }
  if (!bytes.empty()) std::memcpy(s.bytes.data(), bytes.data(), bytes.size());
  return OkStatus();
}

Status XnnGraph::Run() {
  for (size_t k = 0; k < ops_.size(); ++k) {
    const xnn_status st = xnn_run_operator(static_cast<xnn_operator_t>(ops_[k].get()), /*threadpool=*/nullptr);
    if (st != xnn_status_success) {
      return InternalError("XNNPACK graph: operator " + std::to_string(k) + " failed to run (status " +
                           std::to_string(static_cast<int>(st)) + ")");
    }
  }
  return OkStatus();
}

std::span<const uint8_t> XnnGraph::Output(int i) const {
  if (i < 0 || i >= num_outputs()) return {};
  const Slot& s = slots_[static_cast<size_t>(outputs_[static_cast<size_t>(i)])];
  return {s.bytes.data(), s.size};
}

// Translation of one model; every refusal names the operator, its position and the reason.
class XnnBuilder {
 public:
  XnnBuilder(const ir::Model& model, XnnGraph& graph)
      : m_(model), g_(graph), slot_of_(model.tensors.size(), -1) {}

  Status Translate() {
    if (const xnn_status st = xnn_initialize(/*allocator=*/nullptr); st != xnn_status_success) {
      return FailedPreconditionError("XNNPACK: xnn_initialize failed (status " + std::to_string(static_cast<int>(st)) +
                                     "; unsupported CPU?)");
    }
    for (int t : m_.inputs) {
      ETPU_RETURN_IF_ERROR(CheckUint8(t, "graph input").WithContext(m_.path));
      g_.inputs_.push_back(SlotOf(t));
    }
    for (const ir::Operator& op : m_.ops) {
      ETPU_RETURN_IF_ERROR(TranslateOp(op).WithContext(m_.path + ": operator #" + std::to_string(op.index) + " " +
                                                       op.name()));
    }
    for (int t : m_.outputs) {
      ETPU_RETURN_IF_ERROR(CheckUint8(t, "graph output").WithContext(m_.path));
      g_.outputs_.push_back(SlotOf(t));
    }
    return OkStatus();
  }

 private:
  using Shape = std::vector<int32_t>;

  const ir::Tensor& T(int t) const { return m_.tensor(t); }
  uint8_t* Data(int t) { return g_.slots_[static_cast<size_t>(SlotOf(t))].bytes.data(); }

  /// The storage of tensor t, created on first use (filled with its bytes when constant).
  int SlotOf(int t) {
    int& s = slot_of_[static_cast<size_t>(t)];
    if (s < 0) {
      const ir::Tensor& tensor = T(t);
      XnnGraph::Slot slot;
      slot.size = static_cast<size_t>(tensor.size_bytes());
      slot.bytes.assign(slot.size + XNN_EXTRA_BYTES, 0);
      if (tensor.is_constant()) std::memcpy(slot.bytes.data(), tensor.data.data(), tensor.data.size());
      g_.slots_.push_back(std::move(slot));
      s = static_cast<int>(g_.slots_.size()) - 1;
    }
    return s;
  }

  static Status Unsupported(const std::string& why) { return UnimplementedError("no XNNPACK translation: " + why); }

  Status CheckUint8(int t, const std::string& role) const {
    if (t < 0) return Unsupported(role + " is missing");
    const ir::Tensor& tensor = T(t);
    if (tensor.type != ir::TensorType::UINT8) {
      return Unsupported(role + " '" + tensor.name + "' is " + ir::TensorTypeName(tensor.type) + ", expected UINT8");
    }
    if (tensor.quant.scale.size() != 1 || tensor.quant.zero_point.size() != 1) {
      return Unsupported(role + " '" + tensor.name + "' needs one per-tensor scale and zero point");
    }
    const int64_t zp = tensor.quant.zero_point[0];
    if (zp < 0 || zp > 255 || !(tensor.quant.scale[0] > 0) || !std::isfinite(tensor.quant.scale[0])) {
      return Unsupported(role + " '" + tensor.name + "' has an invalid quantization");
    }
    return OkStatus();
  }
  float Scale(int t) const { return T(t).quant.scale[0]; }
  uint8_t Zp(int t) const { return static_cast<uint8_t>(T(t).quant.zero_point[0]); }

  Result<kernels::ActivationRange> Range(int out, ir::ActivationFunctionType act) const {
    return kernels::CalculateActivationRangeQuantized(static_cast<kernels::Activation>(static_cast<int>(act)),
                                                      kernels::QType::kUInt8, {Scale(out), Zp(out)});
  }

  Status Io(const ir::Operator& op, size_t min_inputs, size_t max_inputs) const {
    if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs || op.outputs.size() != 1) {
      return Unsupported("unexpected number of inputs/outputs");
    }
    return CheckUint8(op.outputs[0], "output");
  }

  Status Rank4(int t, const std::string& role) const {
    if (T(t).shape.size() != 4) return Unsupported(role + " must have rank 4");
    return OkStatus();
  }

  /// Takes ownership of a created operator, or turns XNNPACK's refusal into a Status.
  Status Adopt(xnn_status st, xnn_operator_t op, const char* what) {
    if (st != xnn_status_success) {
      if (op != nullptr) xnn_delete_operator(op);
      return Unsupported(std::string(what) + " refused by XNNPACK (status " + std::to_string(static_cast<int>(st)) +
                         ")");
    }
    g_.ops_.emplace_back(op);
    return OkStatus();
  }
  static Status Setup(xnn_status st, const char* what) {
    if (st != xnn_status_success) {
      return Unsupported(std::string(what) + " setup refused by XNNPACK (status " +
                         std::to_string(static_cast<int>(st)) + ")");
    }
    return OkStatus();
  }

  /// Window padding (top/bottom or left/right) of one spatial dimension, checked against the
  /// output tensor's extent.
  Result<std::pair<uint32_t, uint32_t>> Pad(ir::Padding padding, int in, int k, int stride, int dilation,
                                            int out) const {
    ETPU_ASSIGN_OR_RETURN(kernels::PaddedDim d,
                          kernels::ComputePaddedDim(static_cast<kernels::Padding>(static_cast<int>(padding)), in, k,
                                                    stride, dilation));
    if (d.out != out) {
      return InvalidArgumentError("output extent " + std::to_string(out) + " does not match the window's " +
                                  std::to_string(d.out));
    }
    return std::pair<uint32_t, uint32_t>(static_cast<uint32_t>(d.pad), static_cast<uint32_t>(d.pad + d.offset));
  }

  Status TranslateOp(const ir::Operator& op) {
    using Op = ir::BuiltinOperator;
    switch (op.code) {
      case Op::CONV_2D: return Conv(op, false);
      case Op::DEPTHWISE_CONV_2D: return Conv(op, true);
      case Op::FULLY_CONNECTED: return FullyConnected(op);
      case Op::ADD:
      case Op::SUB:
      case Op::MUL: return Binary(op);
      case Op::AVERAGE_POOL_2D:
      case Op::MAX_POOL_2D: return Pool(op);
      case Op::SOFTMAX: return Softmax(op);
      case Op::LOGISTIC: return Logistic(op);
      case Op::RESHAPE:
      case Op::SQUEEZE: return Alias(op);
      default:
        return Unsupported("XNNPACK 2022-02 has no quantized uint8 operator for it (or it is not translated)");
    }
  }

  Status Conv(const ir::Operator& op, bool depthwise) {
    ETPU_RETURN_IF_ERROR(Io(op, 2, 3));
    const int in = op.inputs[0], w = op.inputs[1], bias = op.inputs.size() > 2 ? op.inputs[2] : -1, out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    ETPU_RETURN_IF_ERROR(CheckUint8(w, "filter"));
    if (!T(w).is_constant()) return Unsupported("the filter must be constant");
    ETPU_RETURN_IF_ERROR(Rank4(in, "input"));
    ETPU_RETURN_IF_ERROR(Rank4(w, "filter"));
    ETPU_RETURN_IF_ERROR(Rank4(out, "output"));
    if (bias >= 0 && (T(bias).type != ir::TensorType::INT32 || !T(bias).is_constant())) {
      return Unsupported("the bias must be a constant INT32 tensor");
    }
    const Shape& is = T(in).shape;
    const Shape& ws = T(w).shape;
    const Shape& os = T(out).shape;
    ir::Padding padding;
    int sh, sw, dh, dw;
    ir::ActivationFunctionType act;
    uint32_t groups, group_in, group_out;
    uint32_t flags = 0;
    if (depthwise) {
      const auto* o = op.options<ir::DepthwiseConv2DOptions>();
      if (o == nullptr) return Unsupported("missing DepthwiseConv2DOptions");
      padding = o->padding, sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor, dw = o->dilation_w_factor;
      act = o->fused_activation_function;
      if (ws[0] != 1 || is[3] <= 0 || ws[3] % is[3] != 0 || os[3] != ws[3]) {
        return Unsupported("depthwise filter/channels do not match");
      }
      groups = static_cast<uint32_t>(is[3]), group_in = 1, group_out = static_cast<uint32_t>(ws[3] / is[3]);
      flags = XNN_FLAG_DEPTHWISE_CONVOLUTION;  // Filter layout [1, KH, KW, C * multiplier], as TFLite's.
    } else {
      const auto* o = op.options<ir::Conv2DOptions>();
      if (o == nullptr) return Unsupported("missing Conv2DOptions");
      padding = o->padding, sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor, dw = o->dilation_w_factor;
      act = o->fused_activation_function;
      if (ws[3] != is[3] || os[3] != ws[0]) return Unsupported("grouped convolution or mismatched channels");
      groups = 1, group_in = static_cast<uint32_t>(ws[3]), group_out = static_cast<uint32_t>(ws[0]);
    }
    if (bias >= 0 && T(bias).num_elements() != os[3]) return Unsupported("bias size does not match the channels");
    if (is[0] != os[0]) return Unsupported("batch of input and output differ");
    ETPU_ASSIGN_OR_RETURN(auto ph, Pad(padding, is[1], ws[1], sh, dh, os[1]));
    ETPU_ASSIGN_OR_RETURN(auto pw, Pad(padding, is[2], ws[2], sw, dw, os[2]));
    ETPU_ASSIGN_OR_RETURN(kernels::ActivationRange r, Range(out, act));
    const auto* bias_data = bias >= 0 ? reinterpret_cast<const int32_t*>(T(bias).data.data()) : nullptr;
    std::vector<int32_t> bias_copy;  // The flatbuffer's bytes need not be 4-byte aligned.
    if (bias_data != nullptr) {
      bias_copy.resize(static_cast<size_t>(os[3]));
      std::memcpy(bias_copy.data(), T(bias).data.data(), bias_copy.size() * sizeof(int32_t));
    }
    xnn_operator_t x = nullptr;
    const xnn_status st = xnn_create_convolution2d_nhwc_qu8(
        ph.first, pw.second, ph.second, pw.first, static_cast<uint32_t>(ws[1]), static_cast<uint32_t>(ws[2]),
        static_cast<uint32_t>(sh), static_cast<uint32_t>(sw), static_cast<uint32_t>(dh), static_cast<uint32_t>(dw),
        groups, group_in, group_out, static_cast<size_t>(is[3]), static_cast<size_t>(os[3]), Zp(in), Scale(in), Zp(w),
        Scale(w), T(w).data.data(), bias_copy.empty() ? nullptr : bias_copy.data(), Zp(out), Scale(out),
        static_cast<uint8_t>(r.min), static_cast<uint8_t>(r.max), flags, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "convolution"));
    return Setup(xnn_setup_convolution2d_nhwc_qu8(x, static_cast<size_t>(is[0]), static_cast<size_t>(is[1]),
                                                  static_cast<size_t>(is[2]), Data(in), Data(out), nullptr),
                 "convolution");
  }

  Status FullyConnected(const ir::Operator& op) {
    ETPU_RETURN_IF_ERROR(Io(op, 2, 3));
    const int in = op.inputs[0], w = op.inputs[1], bias = op.inputs.size() > 2 ? op.inputs[2] : -1, out = op.outputs[0];
    const auto* o = op.options<ir::FullyConnectedOptions>();
    if (o == nullptr) return Unsupported("missing FullyConnectedOptions");
    if (o->weights_format != ir::FullyConnectedOptionsWeightsFormat::DEFAULT) return Unsupported("shuffled weights");
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    ETPU_RETURN_IF_ERROR(CheckUint8(w, "weights"));
    if (!T(w).is_constant() || T(w).shape.size() != 2) return Unsupported("the weights must be a constant 2-D tensor");
    if (bias >= 0 && (T(bias).type != ir::TensorType::INT32 || !T(bias).is_constant())) {
      return Unsupported("the bias must be a constant INT32 tensor");
    }
    const int64_t units = T(w).shape[0], depth = T(w).shape[1];
    if (depth <= 0 || T(in).num_elements() % depth != 0) {
      return Unsupported("input size is not a multiple of the depth");
    }
    const int64_t batch = T(in).num_elements() / depth;
    if (T(out).num_elements() != batch * units) return Unsupported("output size does not match batch x units");
    if (bias >= 0 && T(bias).num_elements() != units) return Unsupported("bias size does not match the units");
    ETPU_ASSIGN_OR_RETURN(kernels::ActivationRange r, Range(out, o->fused_activation_function));
    std::vector<int32_t> bias_copy;
    if (bias >= 0) {
      bias_copy.resize(static_cast<size_t>(units));
      std::memcpy(bias_copy.data(), T(bias).data.data(), bias_copy.size() * sizeof(int32_t));
    }
    xnn_operator_t x = nullptr;
    const xnn_status st = xnn_create_fully_connected_nc_qu8(
        static_cast<size_t>(depth), static_cast<size_t>(units), static_cast<size_t>(depth), static_cast<size_t>(units),
        Zp(in), Scale(in), Zp(w), Scale(w), T(w).data.data(), bias_copy.empty() ? nullptr : bias_copy.data(), Zp(out),
        Scale(out), static_cast<uint8_t>(r.min), static_cast<uint8_t>(r.max), 0, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "fully connected"));
    return Setup(xnn_setup_fully_connected_nc_qu8(x, static_cast<size_t>(batch), Data(in), Data(out), nullptr),
                 "fully connected");
  }

  Status Binary(const ir::Operator& op) {
    ETPU_RETURN_IF_ERROR(Io(op, 2, 2));
    const int a = op.inputs[0], b = op.inputs[1], out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(a, "input 1"));
    ETPU_RETURN_IF_ERROR(CheckUint8(b, "input 2"));
    ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE;
    if (const auto* o = op.options<ir::AddOptions>()) act = o->fused_activation_function;
    else if (const auto* s = op.options<ir::SubOptions>()) act = s->fused_activation_function;
    else if (const auto* mo = op.options<ir::MulOptions>()) act = mo->fused_activation_function;
    ETPU_ASSIGN_OR_RETURN(kernels::ActivationRange r, Range(out, act));
    using Create = xnn_status (*)(uint8_t, float, uint8_t, float, uint8_t, float, uint8_t, uint8_t, uint32_t,
                                  xnn_operator_t*);
    using SetupFn = xnn_status (*)(xnn_operator_t, size_t, const size_t*, size_t, const size_t*, const uint8_t*,
                                   const uint8_t*, uint8_t*, pthreadpool_t);
    Create create = xnn_create_add_nd_qu8;
    SetupFn setup = xnn_setup_add_nd_qu8;
    if (op.code == ir::BuiltinOperator::SUB) create = xnn_create_subtract_nd_qu8, setup = xnn_setup_subtract_nd_qu8;
    if (op.code == ir::BuiltinOperator::MUL) create = xnn_create_multiply_nd_qu8, setup = xnn_setup_multiply_nd_qu8;
    xnn_operator_t x = nullptr;
    const xnn_status st = create(Zp(a), Scale(a), Zp(b), Scale(b), Zp(out), Scale(out), static_cast<uint8_t>(r.min),
                                 static_cast<uint8_t>(r.max), 0, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "elementwise operator"));
    const std::vector<size_t> sa(T(a).shape.begin(), T(a).shape.end());
    const std::vector<size_t> sb(T(b).shape.begin(), T(b).shape.end());
    // XNNPACK broadcasts NumPy-style like TFLite; check the result has the output's size.
    int64_t n = 1;
    for (size_t i = 0; i < std::max(sa.size(), sb.size()); ++i) {
      const size_t da = i < sa.size() ? sa[sa.size() - 1 - i] : 1, db = i < sb.size() ? sb[sb.size() - 1 - i] : 1;
      if (da != db && da != 1 && db != 1) return Unsupported("shapes do not broadcast");
      n *= static_cast<int64_t>(std::max(da, db));
    }
    if (n != T(out).num_elements()) return Unsupported("broadcast shape does not match the output");
    return Setup(setup(x, sa.size(), sa.data(), sb.size(), sb.data(), Data(a), Data(b), Data(out), nullptr),
                 "elementwise operator");
  }

  Status Pool(const ir::Operator& op) {
    ETPU_RETURN_IF_ERROR(Io(op, 1, 1));
    const int in = op.inputs[0], out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    ETPU_RETURN_IF_ERROR(Rank4(in, "input"));
    ETPU_RETURN_IF_ERROR(Rank4(out, "output"));
    const auto* o = op.options<ir::Pool2DOptions>();
    if (o == nullptr) return Unsupported("missing Pool2DOptions");
    const Shape& is = T(in).shape;
    const Shape& os = T(out).shape;
    if (is[0] != os[0] || is[3] != os[3]) return Unsupported("batch/channels of input and output differ");
    ETPU_ASSIGN_OR_RETURN(auto ph, Pad(o->padding, is[1], o->filter_height, o->stride_h, 1, os[1]));
    ETPU_ASSIGN_OR_RETURN(auto pw, Pad(o->padding, is[2], o->filter_width, o->stride_w, 1, os[2]));
    ETPU_ASSIGN_OR_RETURN(kernels::ActivationRange r, Range(out, o->fused_activation_function));
    const auto c = static_cast<size_t>(is[3]);
    const auto lo = static_cast<uint8_t>(r.min), hi = static_cast<uint8_t>(r.max);
    xnn_operator_t x = nullptr;
    if (op.code == ir::BuiltinOperator::MAX_POOL_2D) {
      if (Zp(in) != Zp(out) || Scale(in) != Scale(out)) return Unsupported("max pooling that requantises");
      const xnn_status st = xnn_create_max_pooling2d_nhwc_u8(
          ph.first, pw.second, ph.second, pw.first, static_cast<uint32_t>(o->filter_height),
          static_cast<uint32_t>(o->filter_width), static_cast<uint32_t>(o->stride_h),
          static_cast<uint32_t>(o->stride_w), 1, 1, c, c, c, lo, hi, 0, &x);
      ETPU_RETURN_IF_ERROR(Adopt(st, x, "max pooling"));
      return Setup(xnn_setup_max_pooling2d_nhwc_u8(x, static_cast<size_t>(is[0]), static_cast<size_t>(is[1]),
                                                   static_cast<size_t>(is[2]), Data(in), Data(out), nullptr),
                   "max pooling");
    }
    if (ph.first + ph.second + pw.first + pw.second != 0) {
      return Unsupported("average pooling with padding (TFLite divides by the in-bounds count)");
    }
    if (os[1] == 1 && os[2] == 1 && o->filter_height == is[1] && o->filter_width == is[2]) {
      const xnn_status st = xnn_create_global_average_pooling_nwc_qu8(c, c, c, Zp(in), Scale(in), Zp(out), Scale(out),
                                                                      lo, hi, 0, &x);
      ETPU_RETURN_IF_ERROR(Adopt(st, x, "global average pooling"));
      return Setup(xnn_setup_global_average_pooling_nwc_qu8(x, static_cast<size_t>(is[0]),
                                                             static_cast<size_t>(is[1]) * static_cast<size_t>(is[2]),
                                                             Data(in), Data(out), nullptr),
                   "global average pooling");
    }
    const xnn_status st = xnn_create_average_pooling2d_nhwc_qu8(
        0, 0, 0, 0, static_cast<uint32_t>(o->filter_height), static_cast<uint32_t>(o->filter_width),
        static_cast<uint32_t>(o->stride_h), static_cast<uint32_t>(o->stride_w), c, c, c, Zp(in), Scale(in), Zp(out),
        Scale(out), lo, hi, 0, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "average pooling"));
    return Setup(xnn_setup_average_pooling2d_nhwc_qu8(x, static_cast<size_t>(is[0]), static_cast<size_t>(is[1]),
                                                      static_cast<size_t>(is[2]), Data(in), Data(out), nullptr),
                 "average pooling");
  }

  /// Rows x channels (the last dimension) of an operator working on the innermost axis.
  Result<std::pair<size_t, size_t>> Rows(int in, int out) const {
    const Shape& s = T(in).shape;
    if (s.empty() || s.back() <= 0) return Unsupported("input needs a non-empty last dimension");
    if (T(out).num_elements() != T(in).num_elements()) return Unsupported("input and output sizes differ");
    const auto c = static_cast<size_t>(s.back());
    return std::pair<size_t, size_t>(static_cast<size_t>(T(in).num_elements()) / c, c);
  }

  Status Softmax(const ir::Operator& op) {
    ETPU_RETURN_IF_ERROR(Io(op, 1, 1));
    const int in = op.inputs[0], out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    const auto* o = op.options<ir::SoftmaxOptions>();
    if (o == nullptr || !(o->beta > 0)) return Unsupported("softmax needs a positive beta");
    ETPU_ASSIGN_OR_RETURN(auto rc, Rows(in, out));
    xnn_operator_t x = nullptr;
    // softmax(beta * s * (q - zp)) does not depend on zp: beta folds into the input scale.
    const xnn_status st = xnn_create_softmax_nc_qu8(rc.second, rc.second, rc.second, o->beta * Scale(in), Zp(out),
                                                    Scale(out), 0, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "softmax"));
    return Setup(xnn_setup_softmax_nc_qu8(x, rc.first, Data(in), Data(out), nullptr), "softmax");
  }

  Status Logistic(const ir::Operator& op) {
    ETPU_RETURN_IF_ERROR(Io(op, 1, 1));
    const int in = op.inputs[0], out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    ETPU_ASSIGN_OR_RETURN(auto rc, Rows(in, out));
    xnn_operator_t x = nullptr;
    const xnn_status st = xnn_create_sigmoid_nc_qu8(rc.second, rc.second, rc.second, Zp(in), Scale(in), Zp(out),
                                                    Scale(out), 0, 255, 0, &x);
    ETPU_RETURN_IF_ERROR(Adopt(st, x, "sigmoid"));
    return Setup(xnn_setup_sigmoid_nc_qu8(x, rc.first, Data(in), Data(out), nullptr), "sigmoid");
  }

  /// RESHAPE / SQUEEZE: the output shares the input's bytes (no kernel runs).
  Status Alias(const ir::Operator& op) {
    if (op.inputs.empty() || op.outputs.size() != 1) return Unsupported("unexpected number of inputs/outputs");
    const int in = op.inputs[0], out = op.outputs[0];
    ETPU_RETURN_IF_ERROR(CheckUint8(in, "input"));
    ETPU_RETURN_IF_ERROR(CheckUint8(out, "output"));
    if (Zp(in) != Zp(out) || Scale(in) != Scale(out)) return Unsupported("a reshape that requantises");
    if (T(in).num_elements() != T(out).num_elements()) return Unsupported("input and output sizes differ");
    if (slot_of_[static_cast<size_t>(out)] >= 0) return Unsupported("output already has storage");
    slot_of_[static_cast<size_t>(out)] = SlotOf(in);
    return OkStatus();
  }

  const ir::Model& m_;
  XnnGraph& g_;
  std::vector<int> slot_of_;  ///< Storage slot of each tensor (-1: none yet).
};

Result<std::unique_ptr<XnnGraph>> XnnGraph::Build(const ir::Model& model) {
  std::unique_ptr<XnnGraph> graph(new XnnGraph());
  XnnBuilder builder(model, *graph);
  ETPU_RETURN_IF_ERROR(builder.Translate());
  return graph;
}

}  // namespace etpu::bench
