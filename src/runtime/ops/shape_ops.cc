// Data-movement adapters: RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION, SPLIT, SPLIT_V, PACK,
// UNPACK, PAD, PADV2, TRANSPOSE, STRIDED_SLICE, GATHER_ND, SLICE, SPACE_TO_DEPTH, TILE.
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "kernels/shape_ops.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

size_t ElemSize(const ir::Tensor& t) { return static_cast<size_t>(ir::ElementSize(t.type)); }

Status CheckSameType(const OpBuildContext& c, const ir::Tensor& a, const ir::Tensor& b) {
  if (a.type != b.type) {
    return c.Error(fmt::format("tensor '{}' is {} but '{}' is {}", a.name, ir::TensorTypeName(a.type), b.name,
                               ir::TensorTypeName(b.type)));
  }
  if (ElemSize(a) == 0) return UnimplementedError(c.label() + ": unsupported element type");
  return OkStatus();
}

// RESHAPE, SQUEEZE, EXPAND_DIMS: a byte copy (the output shape is the model's).
Result<EvalFn> MakeCopy(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  const uint8_t* in = c.in_data(0);
  uint8_t* out = c.out_data(0);
  const size_t bytes = static_cast<size_t>(c.out(0).size_bytes());
  return EvalFn([=]() {
    kernels::Reshape(in, bytes, out);
    return OkStatus();
  });
}

Result<EvalFn> MakeConcat(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const ir::Tensor& out = c.out(0);
  const auto* opt = c.op().options<ir::ConcatenationOptions>();
  if (opt == nullptr) return c.Error("missing ConcatenationOptions");
  if (opt->fused_activation_function != ir::ActivationFunctionType::NONE) {
    return UnimplementedError(c.label() + ": fused activation on CONCATENATION is not supported");
  }
  const int rank = static_cast<int>(out.shape.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, opt->axis, rank));
  const std::vector<int> od = Dims(out);
  const int64_t outer = kernels::DimProduct(od, 0, axis);
  const int64_t inner = kernels::DimProduct(od, axis + 1, rank);
  std::vector<kernels::ConcatInput> inputs;
  int64_t total = 0;
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) return c.Error(fmt::format("input {} is missing", i));
    const ir::Tensor& t = c.in(i);
    ETPU_RETURN_IF_ERROR(CheckSameType(c, t, out));
    if (static_cast<int>(t.shape.size()) != rank) return c.Error("inputs must have the output's rank");
    for (int d = 0; d < rank; ++d) {
      if (d != axis && t.shape[d] != out.shape[d]) {
        return c.Error(fmt::format("input '{}' dimension {} is {} (expected {})", t.name, d, t.shape[d], out.shape[d]));
      }
    }
    inputs.push_back({c.in_data(i), t.shape[axis], Quant(t)});
    total += t.shape[axis];
    if (Is8Bit(out.type)) {  // The requantising copy's factor (kernels::Concatenation) must be finite.
      const kernels::QuantParams iq = Quant(t), oq = Quant(out);
      const float factor = iq.scale * (1.f / oq.scale);
      if (!(factor > 0) || !std::isfinite(factor) || !std::isfinite(factor * static_cast<float>(iq.zero_point))) {
        return c.Error(fmt::format("input '{}' scale {} over the output's scale {} is not a finite positive factor",
                                   t.name, iq.scale, oq.scale));
      }
    }
  }
  if (total != out.shape[axis]) return c.Error("input extents do not add up to the output's");
  uint8_t* output = c.out_data(0);
  if (Is8Bit(out.type)) {
    const kernels::QType qt = QTypeOf(out.type);
    const kernels::QuantParams oq = Quant(out);
    return EvalFn([=]() { return kernels::Concatenation(inputs, outer, inner, qt, oq, output); });
  }
  const size_t es = ElemSize(out);
  return EvalFn([=]() { return kernels::ConcatenationRaw(inputs, outer, inner, es, output); });
}

// Shared by SPLIT, SPLIT_V and UNPACK: input [outer, sum(sizes), inner] -> outputs.
Result<EvalFn> MakeSplitImpl(OpBuildContext& c, int data_input, int axis, std::vector<int64_t> sizes) {
  const ir::Tensor& in = c.in(data_input);
  const std::vector<int> id = Dims(in);
  const int rank = static_cast<int>(id.size());
  const int64_t outer = kernels::DimProduct(id, 0, axis);
  const int64_t inner = kernels::DimProduct(id, axis + 1, rank);
  if (static_cast<int>(sizes.size()) != c.num_outputs()) return c.Error("split count does not match the outputs");
  int64_t sum = 0;
  std::vector<void*> outs;
  for (int i = 0; i < c.num_outputs(); ++i) {
    ETPU_RETURN_IF_ERROR(CheckSameType(c, in, c.out(i)));
    if (c.out(i).num_elements() != outer * sizes[static_cast<size_t>(i)] * inner) {
      return c.Error(fmt::format("output '{}' has {} elements (expected {})", c.out(i).name, c.out(i).num_elements(),
                                 outer * sizes[static_cast<size_t>(i)] * inner));
    }
    sum += sizes[static_cast<size_t>(i)];
    outs.push_back(c.out_data(i));
  }
  if (sum != id[static_cast<size_t>(axis)]) return c.Error("split sizes do not add up to the input extent");
  const uint8_t* input = c.in_data(data_input);
  const size_t es = ElemSize(in);
  return EvalFn([=]() { return kernels::Split(input, outer, inner, es, sizes, outs); });
}

Result<EvalFn> MakeSplit(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, -1));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, ConstInts(c, 0));
  if (axis_v.size() != 1) return c.Error("axis must be a scalar");
  const int rank = static_cast<int>(c.in(1).shape.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, axis_v[0], rank));
  const int n = c.num_outputs();
  const int extent = c.in(1).shape[static_cast<size_t>(axis)];
  if (extent % n != 0) return c.Error(fmt::format("extent {} is not divisible by {} splits", extent, n));
  return MakeSplitImpl(c, 1, axis, std::vector<int64_t>(static_cast<size_t>(n), extent / n));
}

Result<EvalFn> MakeSplitV(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, -1));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ConstInts(c, 1));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, ConstInts(c, 2));
  if (axis_v.size() != 1) return c.Error("axis must be a scalar");
  const int rank = static_cast<int>(c.in(0).shape.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, axis_v[0], rank));
  const int64_t extent = c.in(0).shape[static_cast<size_t>(axis)];
  int64_t known = 0, unknown = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && unknown < 0) {
      unknown = static_cast<int64_t>(i);
    } else if (sizes[i] < 0) {
      return c.Error("negative split size");
    } else {
      known += sizes[i];
    }
  }
  if (unknown >= 0) sizes[static_cast<size_t>(unknown)] = extent - known;
  return MakeSplitImpl(c, 0, axis, sizes);
}

Result<EvalFn> MakeUnpack(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, -1));
  const auto* opt = c.op().options<ir::UnpackOptions>();
  const int rank = static_cast<int>(c.in(0).shape.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, opt ? opt->axis : 0, rank));
  return MakeSplitImpl(c, 0, axis, std::vector<int64_t>(static_cast<size_t>(c.num_outputs()), 1));
}

Result<EvalFn> MakePack(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const auto* opt = c.op().options<ir::PackOptions>();
  const ir::Tensor& out = c.out(0);
  const int rank = static_cast<int>(out.shape.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, opt ? opt->axis : 0, rank));
  const std::vector<int> od = Dims(out);
  if (od[static_cast<size_t>(axis)] != c.num_inputs()) return c.Error("output extent differs from the input count");
  const int64_t outer = kernels::DimProduct(od, 0, axis);
  const int64_t inner = kernels::DimProduct(od, axis + 1, rank);
  std::vector<kernels::ConcatInput> inputs;
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) return c.Error("missing input");
    ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(i), out));
    if (c.in(i).num_elements() != outer * inner) return c.Error("input sizes do not match the output");
    inputs.push_back({c.in_data(i), 1, Quant(c.in(i))});
  }
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(out);
  return EvalFn([=]() { return kernels::ConcatenationRaw(inputs, outer, inner, es, output); });
}

Result<EvalFn> MakePad(OpBuildContext& c, bool v2) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, v2 ? 3 : 2, 1));
  const ir::Tensor& in = c.in(0);
  const ir::Tensor& out = c.out(0);
  ETPU_RETURN_IF_ERROR(CheckSameType(c, in, out));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ConstInts(c, 1));
  const std::vector<int> id = Dims(in);
  if (pads.size() != 2 * id.size()) return c.Error("paddings must be [rank, 2]");
  std::vector<int> before, after;
  for (size_t d = 0; d < id.size(); ++d) {
    if (pads[2 * d] < 0 || pads[2 * d + 1] < 0) return c.Error("negative padding");
    before.push_back(static_cast<int>(pads[2 * d]));
    after.push_back(static_cast<int>(pads[2 * d + 1]));
    if (id[d] + before[d] + after[d] != out.shape[d]) return c.Error("output shape does not match the paddings");
  }
  const size_t es = ElemSize(in);
  auto value = std::make_shared<std::vector<uint8_t>>(es, 0);
  if (v2) {
    if (!c.in(2).is_constant() || c.in(2).type != in.type) return UnimplementedError(c.label() + ": pad value must be a constant of the input type");
    std::memcpy(value->data(), c.in(2).data.data(), es);
  } else if (Is8Bit(in.type)) {
    (*value)[0] = static_cast<uint8_t>(Quant(out).zero_point);
  }
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  return EvalFn([=]() { return kernels::Pad(id, before, after, es, value->data(), input, output); });
}

Result<EvalFn> MakeTranspose(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> perm64, ConstInts(c, 1));
  std::vector<int> perm(perm64.begin(), perm64.end());
  const std::vector<int> id = Dims(c.in(0));
  if (perm.size() != id.size()) return c.Error("perm size differs from the rank");
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int>(id.size()) || id[static_cast<size_t>(perm[i])] != c.out(0).shape[i]) {
      return c.Error("perm does not match the output shape");
    }
  }
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(c.in(0));
  return EvalFn([=]() { return kernels::Transpose(id, perm, es, input, output); });
}

Result<EvalFn> MakeStridedSlice(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 4, 1));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  const auto* opt = c.op().options<ir::StridedSliceOptions>();
  if (opt == nullptr) return c.Error("missing StridedSliceOptions");
  if (opt->ellipsis_mask != 0 || opt->new_axis_mask != 0) {
    return UnimplementedError(c.label() + ": ellipsis and new-axis masks are not supported");
  }
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> b64, ConstInts(c, 1));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> e64, ConstInts(c, 2));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> s64, ConstInts(c, 3));
  std::vector<int> b(b64.begin(), b64.end()), e(e64.begin(), e64.end()), s(s64.begin(), s64.end());
  const std::vector<int> id = Dims(c.in(0));
  auto axes = kernels::ResolveStridedSlice(id, b, e, s, opt->begin_mask, opt->end_mask, opt->shrink_axis_mask);
  if (!axes.ok()) return axes.status().WithContext(c.label());
  int64_t count = 1;
  for (const auto& a : *axes) count *= a.Count();
  if (count != c.out(0).num_elements()) return c.Error("slice size does not match the output");
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(c.in(0));
  auto resolved = *axes;
  return EvalFn([=]() { return kernels::StridedSlice(id, resolved, es, input, output); });
}

Result<EvalFn> MakeGatherNd(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  const ir::Tensor& params = c.in(0);
  const ir::Tensor& idx = c.in(1);
  ETPU_RETURN_IF_ERROR(CheckSameType(c, params, c.out(0)));
  ETPU_RETURN_IF_ERROR(CheckType(c, idx, {TensorType::INT32}));
  if (idx.shape.empty()) return c.Error("indices must have rank >= 1");
  const int k = idx.shape.back();
  const std::vector<int> pd = Dims(params);
  if (k < 1 || k > static_cast<int>(pd.size())) return c.Error("index depth out of range");
  const int64_t slice = kernels::DimProduct(pd, k, static_cast<int>(pd.size())) * static_cast<int64_t>(ElemSize(params));
  const int64_t n = idx.num_elements() / k;
  if (c.out(0).size_bytes() != n * slice) return c.Error("output size does not match the gathered slices");
  const uint8_t* p = c.in_data(0);
  const int32_t* ind = As<int32_t>(c.in_data(1));
  uint8_t* out = c.out_data(0);
  const size_t es = ElemSize(params);
  const std::string label = c.label();
  return EvalFn([=]() -> Status {
    Status s = kernels::GatherNd(pd, es, p, ind, n, k, out);
    return s.ok() ? s : s.WithContext(label);
  });
}

// SLICE: begin / size constants (size -1 = to the end), as a stride-1 strided slice.
Result<EvalFn> MakeSlice(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, 1));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> begin, ConstInts(c, 1));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> size, ConstInts(c, 2));
  const std::vector<int> id = Dims(c.in(0));
  auto r = kernels::ResolveSlice(id, begin, size);
  if (!r.ok()) return r.status().WithContext(c.label());
  const std::vector<kernels::SliceAxis> axes = std::move(r).value();
  int64_t count = 1;
  for (const auto& a : axes) count *= a.Count();
  if (count != c.out(0).num_elements()) return c.Error("slice size does not match the output");
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(c.in(0));
  return EvalFn([=]() { return kernels::StridedSlice(id, axes, es, input, output); });
}

// SPACE_TO_DEPTH: NHWC, blocks of b x b pixels become b*b*C channels (row-major within the block).
Result<EvalFn> MakeSpaceToDepth(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  const auto* opt = c.op().options<ir::SpaceToDepthOptions>();
  const int bs = opt ? opt->block_size : 0;
  ETPU_ASSIGN_OR_RETURN(kernels::Shape4 si, ToShape4(c.in(0), c.label()));
  ETPU_ASSIGN_OR_RETURN(kernels::Shape4 so, ToShape4(c.out(0), c.label()));
  if (bs < 1 || si.h % bs != 0 || si.w % bs != 0 ||
      !(so == kernels::Shape4{si.n, si.h / bs, si.w / bs, si.c * bs * bs})) {
    return c.Error(fmt::format("block size {} does not fit input {} / output {}", bs, si.ToString(), so.ToString()));
  }
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(c.in(0));
  return EvalFn([=]() { return kernels::SpaceToDepth(bs, si, es, input, so, output); });
}

// TILE: multiples (INT32 or INT64, one per input dimension) constant or computed; the output
// shape is the model's and must equal input dims * multiples. No requantization (TFLite copies).
Status CheckTileShape(const std::string& label, const std::vector<int>& in_dims, const std::vector<int>& out_dims,
                      std::span<const int64_t> multiples) {
  if (multiples.size() != in_dims.size()) {
    return InvalidArgumentError(fmt::format("{}: {} multiples for an input of rank {}", label, multiples.size(),
                                            in_dims.size()));
  }
  for (size_t d = 0; d < in_dims.size(); ++d) {
    if (multiples[d] < 0 || static_cast<int64_t>(in_dims[d]) * multiples[d] != out_dims[d]) {
      return InvalidArgumentError(fmt::format("{}: dimension {}: input {} x multiple {} is not the output's {}", label,
                                              d, in_dims[d], multiples[d], out_dims[d]));
    }
  }
  return OkStatus();
}

Result<EvalFn> MakeTile(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8, TensorType::INT32,
                                              TensorType::INT64, TensorType::FLOAT32, TensorType::BOOL}));
  ETPU_RETURN_IF_ERROR(CheckSameType(c, c.in(0), c.out(0)));
  const ir::Tensor& mt = c.in(1);
  ETPU_RETURN_IF_ERROR(CheckType(c, mt, {TensorType::INT32, TensorType::INT64}));
  const std::vector<int> id = Dims(c.in(0)), od = Dims(c.out(0));
  if (od.size() != id.size()) return c.Error("the output's rank differs from the input's");
  if (id.size() > static_cast<size_t>(kernels::kMaxDims)) {
    return UnimplementedError(fmt::format("{}: rank {} (at most {})", c.label(), id.size(), kernels::kMaxDims));
  }
  if (mt.num_elements() != static_cast<int64_t>(id.size())) {
    return c.Error(fmt::format("multiples '{}' has {} values for an input of rank {}", mt.name, mt.num_elements(),
                               id.size()));
  }
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const size_t es = ElemSize(c.in(0));
  const std::string label = c.label();
  if (mt.is_constant()) {
    ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> mult, ConstInts(c, 1));
    ETPU_RETURN_IF_ERROR(CheckTileShape(label, id, od, mult));
    return EvalFn([=]() { return kernels::Tile(id, mult, es, input, output); });
  }
  // Computed multiples: read when the operator runs, checked against the model's output shape.
  const uint8_t* mdata = c.in_data(1);
  const bool wide = mt.type == TensorType::INT64;
  return EvalFn([=]() -> Status {
    std::vector<int64_t> mult(id.size());
    for (size_t d = 0; d < id.size(); ++d) {
      if (wide) {
        std::memcpy(&mult[d], mdata + 8 * d, 8);
      } else {
        int32_t v;
        std::memcpy(&v, mdata + 4 * d, 4);
        mult[d] = v;
      }
    }
    ETPU_RETURN_IF_ERROR(CheckTileShape(label, id, od, mult));
    return kernels::Tile(id, mult, es, input, output);
  });
}

}  // namespace

void RegisterShapeOps(std::vector<Registration>& r) {
  using B = ir::BuiltinOperator;
  r.push_back({B::RESHAPE, MakeCopy});
  r.push_back({B::SQUEEZE, MakeCopy});
  r.push_back({B::EXPAND_DIMS, MakeCopy});
  r.push_back({B::CONCATENATION, MakeConcat});
  r.push_back({B::SPLIT, MakeSplit});
  r.push_back({B::SPLIT_V, MakeSplitV});
  r.push_back({B::PACK, MakePack});
  r.push_back({B::UNPACK, MakeUnpack});
  r.push_back({B::PAD, [](OpBuildContext& c) { return MakePad(c, false); }});
  r.push_back({B::PADV2, [](OpBuildContext& c) { return MakePad(c, true); }});
  r.push_back({B::TRANSPOSE, MakeTranspose});
  r.push_back({B::STRIDED_SLICE, MakeStridedSlice});
  r.push_back({B::GATHER_ND, MakeGatherNd});
  r.push_back({B::SLICE, MakeSlice});
  r.push_back({B::SPACE_TO_DEPTH, MakeSpaceToDepth});
  r.push_back({B::TILE, MakeTile});
}

}  // namespace etpu::runtime::ops
