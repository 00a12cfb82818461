#include "runtime/shape_propagation.h"

#include <cstring>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kernels/quant_utils.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime {

namespace {

using Shape = std::vector<int32_t>;
using ir::BuiltinOperator;

/// What one rule sees: the operator, the model and the current shape of every tensor.
struct ShapeContext {
  const ir::Model& model;
  const ir::Operator& op;
  const std::vector<Shape>& shapes;

  bool has(int i) const { return i < static_cast<int>(op.inputs.size()) && op.inputs[static_cast<size_t>(i)] >= 0; }
  const Shape& in(int i) const { return shapes[static_cast<size_t>(op.inputs[static_cast<size_t>(i)])]; }
  const ir::Tensor& in_tensor(int i) const { return model.tensor(op.inputs[static_cast<size_t>(i)]); }
  std::string label() const {
    std::string name = op.code == BuiltinOperator::CUSTOM ? "CUSTOM '" + op.custom_code + "'" : op.name();
    return fmt::format("{} (#{}) of '{}'", name, op.index, model.path);
  }
  Status Error(const std::string& message) const { return InvalidArgumentError(label() + ": " + message); }
  Status Need(int inputs) const {
    for (int i = 0; i < inputs; ++i) {
      if (!has(i)) return Error(fmt::format("input {} is missing", i));
    }
    return OkStatus();
  }
};

using Rule = std::function<Result<Shape>(const ShapeContext&)>;

Result<std::vector<int64_t>> ConstantInts(const ShapeContext& c, int input) {
  ETPU_RETURN_IF_ERROR(c.Need(input + 1));
  const ir::Tensor& t = c.in_tensor(input);
  const int size = ir::ElementSize(t.type);
  if (!t.is_constant() || (t.type != ir::TensorType::INT32 && t.type != ir::TensorType::INT64)) {
    return c.Error(fmt::format("input '{}' must be a constant INT32 or INT64 tensor to resize through it", t.name));
  }
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (size == 4) {
      int32_t x;
      std::memcpy(&x, t.data.data() + 4 * i, 4);
      v.push_back(x);
    } else {
      int64_t x;
      std::memcpy(&x, t.data.data() + 8 * i, 8);
      v.push_back(x);
    }
  }
  return v;
}

Result<int> Axis(const ShapeContext& c, int64_t axis, size_t rank) {
  const int64_t a = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (a < 0 || a >= static_cast<int64_t>(rank)) return c.Error(fmt::format("axis {} out of range for rank {}", axis, rank));
  return static_cast<int>(a);
}

Result<Shape> SameAsInput(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(1));
  return c.in(0);
}

/// NumPy broadcasting of inputs 0 and 1 (TFLite's binary operators).
Result<Shape> Broadcast(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(2));
  const Shape& a = c.in(0);
  const Shape& b = c.in(1);
  Shape out(std::max(a.size(), b.size()));
  for (size_t k = 0; k < out.size(); ++k) {
    const int32_t da = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    const int32_t db = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1) {
      return c.Error(fmt::format("shapes {} and {} do not broadcast", a, b));
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

/// NHWC output of a 2-D window operator: batch and spatial sizes from the input, depth `depth`.
Result<Shape> Windowed(const ShapeContext& c, int32_t depth, ir::Padding padding, int filter_h, int filter_w,
                       int stride_h, int stride_w, int dilation_h, int dilation_w) {
  const Shape& in = c.in(0);
  if (in.size() != 4) return c.Error(fmt::format("input shape {} is not NHWC", in));
  auto h = kernels::ComputePaddedDim(ops::ToPadding(padding), in[1], filter_h, stride_h, dilation_h);
  auto w = kernels::ComputePaddedDim(ops::ToPadding(padding), in[2], filter_w, stride_w, dilation_w);
  if (!h.ok() || !w.ok()) {
    return c.Error(fmt::format("input shape {} gives no output ({})", in, (h.ok() ? w : h).status().message()));
  }
  return Shape{in[0], h->out, w->out, depth};
}

Result<Shape> Conv(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(2));
  const auto* o = c.op.options<ir::Conv2DOptions>();
  const Shape& f = c.in(1);  // OHWI
  if (o == nullptr || f.size() != 4) return c.Error("needs Conv2DOptions and a 4-D filter");
  return Windowed(c, f[0], o->padding, f[1], f[2], o->stride_h, o->stride_w, o->dilation_h_factor, o->dilation_w_factor);
}

Result<Shape> DepthwiseConv(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(2));
  const auto* o = c.op.options<ir::DepthwiseConv2DOptions>();
  const Shape& f = c.in(1);  // 1HWC
  if (o == nullptr || f.size() != 4) return c.Error("needs DepthwiseConv2DOptions and a 4-D filter");
  return Windowed(c, f[3], o->padding, f[1], f[2], o->stride_h, o->stride_w, o->dilation_h_factor, o->dilation_w_factor);
}

Result<Shape> Pool(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(1));
  const auto* o = c.op.options<ir::Pool2DOptions>();
  if (o == nullptr || c.in(0).size() != 4) return c.Error("needs Pool2DOptions and an NHWC input");
  return Windowed(c, c.in(0)[3], o->padding, o->filter_height, o->filter_width, o->stride_h, o->stride_w, 1, 1);
}

Result<Shape> FullyConnected(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(2));
  const Shape& in = c.in(0);
  const Shape& w = c.in(1);  // [units, accum]
  if (w.size() != 2 || w[1] <= 0 || in.empty()) return c.Error(fmt::format("filter shape {} is not [units, depth]", w));
  const auto* o = c.op.options<ir::FullyConnectedOptions>();
  if (o != nullptr && o->keep_num_dims) {
    if (in.back() != w[1]) return c.Error(fmt::format("input shape {} does not end in the filter's depth {}", in, w[1]));
    Shape out = in;
    out.back() = w[0];
    return out;
  }
  int64_t elements = 1;
  for (int32_t d : in) elements *= d;
  if (elements % w[1] != 0) return c.Error(fmt::format("input shape {} is not a multiple of the filter's depth {}", in, w[1]));
  return Shape{static_cast<int32_t>(elements / w[1]), w[0]};
}

/// TFLite's RESHAPE: the shape input (or the new_shape option), one -1 taking what is left.
Result<Shape> Reshape(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(1));
  std::vector<int64_t> want;
  if (c.has(1) && c.in(1).size() == 1) {
    ETPU_ASSIGN_OR_RETURN(want, ConstantInts(c, 1));
  } else if (const auto* o = c.op.options<ir::ReshapeOptions>(); o != nullptr) {
    want.assign(o->new_shape.begin(), o->new_shape.end());
  } else {
    return c.Error("has neither a shape input nor a new_shape option");
  }
  int64_t elements = 1;
  for (int32_t d : c.in(0)) elements *= d;
  int64_t known = 1;
  int unknown = -1;
  for (size_t k = 0; k < want.size(); ++k) {
    if (want[k] == -1 && unknown < 0) {
      unknown = static_cast<int>(k);
    } else if (want[k] < 0) {
      return c.Error(fmt::format("invalid new shape {}", want));
    } else {
      known *= want[k];
    }
  }
  if (unknown >= 0 && known > 0 && elements % known == 0) want[static_cast<size_t>(unknown)] = elements / known;
  if (unknown < 0 ? known != elements : (known == 0 || elements % known != 0)) {
    return c.Error(fmt::format("cannot reshape {} ({} elements) to {}", c.in(0), elements, want));
  }
  return Shape(want.begin(), want.end());
}

Result<Shape> Concatenation(const ShapeContext& c) {
  ETPU_RETURN_IF_ERROR(c.Need(1));
  const auto* o = c.op.options<ir::ConcatenationOptions>();
  Shape out = c.in(0);
  ETPU_ASSIGN_OR_RETURN(int axis, Axis(c, o != nullptr ? o->axis : 0, out.size()));
  for (size_t i = 1; i < c.op.inputs.size(); ++i) {
    const Shape& s = c.in(static_cast<int>(i));
    for (size_t k = 0; k < out.size(); ++k) {
      if (s.size() != out.size() || (static_cast<int>(k) != axis && s[k] != out[k])) {
        return c.Error(fmt::format("inputs of shapes {} and {} do not concatenate on axis {}", out, s, axis));
      }
    }
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  return out;
}

Result<Shape> Mean(const ShapeContext& c) {
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ConstantInts(c, 1));
  const Shape& in = c.in(0);
  std::vector<bool> reduced(in.size(), false);
  for (int64_t a : axes) {
    ETPU_ASSIGN_OR_RETURN(int k, Axis(c, a, in.size()));
    reduced[static_cast<size_t>(k)] = true;
  }
  const auto* o = c.op.options<ir::ReducerOptions>();
  Shape out;
  for (size_t k = 0; k < in.size(); ++k) {
    if (!reduced[k]) {
      out.push_back(in[k]);
    } else if (o != nullptr && o->keep_dims) {
      out.push_back(1);
    }
  }
  return out;
}

const Rule* FindRule(BuiltinOperator code) {
  using B = BuiltinOperator;
  static const std::map<B, Rule> rules = [] {
    std::map<B, Rule> r;
    for (B b : {B::QUANTIZE, B::DEQUANTIZE, B::RELU, B::RELU6, B::RELU_N1_TO_1, B::RELU_0_TO_1, B::LOGISTIC, B::TANH,
                B::SOFTMAX, B::LOG_SOFTMAX, B::HARD_SWISH, B::LEAKY_RELU, B::ELU, B::L2_NORMALIZATION, B::ABS, B::NEG,
                B::EXP, B::SQRT, B::RSQRT, B::FLOOR, B::ROUND, B::CAST}) {
      r[b] = SameAsInput;
    }
    for (B b : {B::ADD, B::SUB, B::MUL, B::DIV, B::MAXIMUM, B::MINIMUM, B::SQUARED_DIFFERENCE, B::PRELU}) r[b] = Broadcast;
    r[B::CONV_2D] = Conv;
    r[B::DEPTHWISE_CONV_2D] = DepthwiseConv;
    r[B::AVERAGE_POOL_2D] = Pool;
    r[B::MAX_POOL_2D] = Pool;
    r[B::FULLY_CONNECTED] = FullyConnected;
    r[B::RESHAPE] = Reshape;
    r[B::CONCATENATION] = Concatenation;
    r[B::MEAN] = Mean;
    return r;
  }();
  auto it = rules.find(code);
  return it == rules.end() ? nullptr : &it->second;
}

}  // namespace

Result<std::map<int, std::vector<int32_t>>> PropagateInputShapes(const ir::Model& model,
                                                                 const std::vector<std::vector<int32_t>>& input_shapes) {
  if (input_shapes.size() != model.inputs.size()) {
    return InvalidArgumentError(fmt::format("model '{}' has {} inputs; got {} shapes", model.path, model.inputs.size(),
                                            input_shapes.size()));
  }
  std::vector<Shape> shapes;
  for (const ir::Tensor& t : model.tensors) shapes.push_back(t.shape);
  std::vector<bool> changed(shapes.size(), false);
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    const ir::Tensor& t = model.tensor(model.inputs[i]);
    int64_t elements = 1;
    for (int32_t d : input_shapes[i]) {
      if (d < 0 || (d > 0 && elements > (int64_t{1} << 40) / d)) {
        return InvalidArgumentError(fmt::format("input {} '{}' of '{}': invalid shape {}", i, t.name, model.path,
                                                input_shapes[i]));
      }
      elements *= d;
    }
    if (input_shapes[i] != t.shape) {
      shapes[static_cast<size_t>(t.index)] = input_shapes[i];
      changed[static_cast<size_t>(t.index)] = true;
    }
  }
  for (const ir::Operator& op : model.ops) {
    const ShapeContext c{model, op, shapes};
    int from = -1;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      if (op.inputs[i] >= 0 && changed[static_cast<size_t>(op.inputs[i])]) from = static_cast<int>(i);
    }
    if (from < 0) continue;
    const ir::Tensor& input = model.tensor(op.inputs[static_cast<size_t>(from)]);
    const std::string change =
        fmt::format("input '{}' is {} instead of {}", input.name, shapes[static_cast<size_t>(input.index)], input.shape);
    if (op.code == BuiltinOperator::CUSTOM && op.custom_code == ir::kEdgeTpuCustomOp) {
      return FailedPreconditionError(c.label() + ": an Edge TPU executable runs only the shapes it was compiled for (" +
                                     change + "); compile the model at the new shape instead of resizing it");
    }
    const Rule* rule = op.code == BuiltinOperator::CUSTOM ? nullptr : FindRule(op.code);
    if (rule == nullptr || op.outputs.size() != 1) {
      return UnimplementedError(c.label() + ": etpu cannot resize through this operator (" + change + ")");
    }
    ETPU_ASSIGN_OR_RETURN(Shape out, (*rule)(c));
    const size_t t = static_cast<size_t>(op.outputs[0]);
    if (out != shapes[t]) {
      shapes[t] = std::move(out);
      changed[t] = true;
    }
  }
  std::map<int, std::vector<int32_t>> result;
  for (size_t t = 0; t < shapes.size(); ++t) {
    if (changed[t]) result[static_cast<int>(t)] = shapes[t];
  }
  return result;
}

}  // namespace etpu::runtime
