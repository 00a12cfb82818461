#include "perf/model_cost.h"

#include <algorithm>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "device/estimates.h"
#include "ir/op_table.h"
#include "package/region_model.h"
#include "params/record_check.h"

namespace etpu::perf {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 24;

// Dimension `from_back` (1 = innermost) of a shape, at least 1; 1 when the rank is too small.
int Dim(const ir::Tensor& t, int from_back) {
  const int rank = static_cast<int>(t.shape.size());
  if (from_back < 1 || from_back > rank) return 1;
  return std::max(1, t.shape[static_cast<size_t>(rank - from_back)]);
}

int64_t Elements(const ir::Tensor& t) {
  int64_t n = 1;
  for (int32_t d : t.shape) n *= std::max(1, d);
  return n;
}

Result<const ir::Tensor*> TensorAt(const ir::Model& model, const ir::Operator& op, int slot, bool output) {
  const std::vector<int>& list = output ? op.outputs : op.inputs;
  if (slot < 0 || static_cast<size_t>(slot) >= list.size()) {
    return InvalidArgumentError(fmt::format("model '{}': operator #{} ({}) has no {} {}", model.path, op.index,
                                            op.name(), output ? "output" : "input", slot));
  }
  const int t = list[static_cast<size_t>(slot)];
  if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) {
    return InvalidArgumentError(fmt::format("model '{}': operator #{} ({}) {} {} names tensor {} of {}", model.path,
                                            op.index, op.name(), output ? "output" : "input", slot, t,
                                            model.tensors.size()));
  }
  return &model.tensors[static_cast<size_t>(t)];
}

Status WeightRank(const ir::Model& model, const ir::Operator& op, const ir::Tensor& w, size_t rank) {
  if (w.shape.size() == rank) return OkStatus();
  return InvalidArgumentError(fmt::format("model '{}': operator #{} ({}): weight tensor '{}' has rank {}, expected {}",
                                          model.path, op.index, op.name(), w.name, w.shape.size(), rank));
}

int ClampDim(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, 1, kMaxDim + 1)); }

int64_t IoBytes(const std::vector<package::IoLayer>& layers) {
  int64_t sum = 0;
  for (const auto& l : layers) sum += int64_t{std::max(0, l.size_bytes)} * std::max(1, l.execution_count_per_inference);
  return sum;
}

}  // namespace

int64_t ModelCost::on_chip_bytes() const {
  int64_t sum = 0;
  for (const auto& op : edgetpu_ops) sum += op.query.cached_param_bytes;
  return sum;
}

int64_t ModelCost::off_chip_bytes() const {
  int64_t sum = 0;
  for (const auto& op : edgetpu_ops) sum += op.query.streamed_param_bytes;
  return sum;
}

bool IsShapeOnly(ir::BuiltinOperator code) { return ir::OpInfoOf(code).cost == ir::CostShape::kShapeOnly; }

Result<device::LayerCost> LayerCostOf(const ir::Model& model, const ir::Operator& op) {
  device::LayerCost c;
  c.name = fmt::format("#{} {}", op.index, op.name());
  c.op_index = op.index;
  c.kind = device::LayerCost::kElementwise;
  if (op.outputs.empty()) return c;
  ETPU_ASSIGN_OR_RETURN(const ir::Tensor* out, TensorAt(model, op, 0, true));
  c.out_h = Dim(*out, 3);
  c.out_w = Dim(*out, 2);
  c.out_c = Dim(*out, 1);
  if (!op.inputs.empty() && op.inputs[0] >= 0) {
    ETPU_ASSIGN_OR_RETURN(const ir::Tensor* in, TensorAt(model, op, 0, false));
    c.in_c = Dim(*in, 1);
  }
  switch (ir::OpInfoOf(op.code).cost) {
    case ir::CostShape::kConv: {
      // The weights are input 1 of both (TRANSPOSE_CONV: output shape, weights, input, bias).
      ETPU_ASSIGN_OR_RETURN(const ir::Tensor* w, TensorAt(model, op, 1, false));
      ETPU_RETURN_IF_ERROR(WeightRank(model, op, *w, 4));
      c.kind = device::LayerCost::kConv;
      c.kh = Dim(*w, 3);
      c.kw = Dim(*w, 2);
      c.in_c = Dim(*w, 1);
      c.out_c = Dim(*w, 4);
      break;
    }
    case ir::CostShape::kDepthwise: {
      ETPU_ASSIGN_OR_RETURN(const ir::Tensor* w, TensorAt(model, op, 1, false));
      ETPU_RETURN_IF_ERROR(WeightRank(model, op, *w, 4));
      c.kind = device::LayerCost::kDepthwise;
      c.kh = Dim(*w, 3);
      c.kw = Dim(*w, 2);
      break;
    }
    case ir::CostShape::kFullyConnected: {
      ETPU_ASSIGN_OR_RETURN(const ir::Tensor* w, TensorAt(model, op, 1, false));
      ETPU_RETURN_IF_ERROR(WeightRank(model, op, *w, 2));
      c.kind = device::LayerCost::kFullyConnected;
      c.out_c = Dim(*w, 2);
      c.in_c = Dim(*w, 1);
      c.out_h = ClampDim(Elements(*out) / c.out_c);
      c.out_w = 1;
      break;
    }
    case ir::CostShape::kPool:
      c.kind = device::LayerCost::kPool;
      if (const auto* o = op.options<ir::Pool2DOptions>()) {
        c.kh = ClampDim(o->filter_height);
        c.kw = ClampDim(o->filter_width);
      }
      break;
    case ir::CostShape::kReduce: {
      // A reduction over the spatial map: a pool whose window is the input map.
      ETPU_ASSIGN_OR_RETURN(const ir::Tensor* in, TensorAt(model, op, 0, false));
      c.kind = device::LayerCost::kPool;
      if (in->shape.size() == 4) {
        c.kh = Dim(*in, 3);
        c.kw = Dim(*in, 2);
        c.out_h = out->shape.size() == 4 ? Dim(*out, 3) : 1;
        c.out_w = out->shape.size() == 4 ? Dim(*out, 2) : 1;
      }
      break;
    }
    case ir::CostShape::kElementwise:
    case ir::CostShape::kShapeOnly:
      break;  // Element-wise over the output map.
  }
  return c;
}

Result<std::vector<device::LayerCost>> RegionLayerCosts(const ir::Model& region) {
  std::vector<device::LayerCost> layers;
  for (const auto& op : region.ops) {
    if (IsShapeOnly(op.code)) continue;
    ETPU_ASSIGN_OR_RETURN(device::LayerCost c, LayerCostOf(region, op));
    layers.push_back(std::move(c));
  }
  return layers;
}

Result<EdgeTpuOpCost> EdgeTpuOpCostOf(const package::EdgeTpuOpInfo& op, const device::DeviceSpec& spec,
                                      const std::string& what, const ir::Model* region) {
  const package::PackageInfo& pkg = op.package;
  const package::ExecutableInfo* main = pkg.main();
  if (main == nullptr) return DataLossError(what + ": the package has no executable to run");
  EdgeTpuOpCost cost;
  cost.op_index = op.op_index;
  cost.caching_token = main->token;
  cost.chip = main->chip;
  device::InvocationQuery& q = cost.query;
  q.cached_param_bytes = pkg.on_chip_bytes();
  q.streamed_param_bytes = pkg.off_chip_bytes();
  q.input_bytes = IoBytes(main->input_layers);
  q.output_bytes = IoBytes(main->output_layers);
  cost.declared_scratch_bytes = std::max(0, main->scratch_size_bytes);
  // Link traffic: the DMA hints list what crosses the link on every inference (both etpu's and
  // Google's executables carry them); without hints, the I/O layers and the scratch buffer once
  // each way.
  if (main->dma_hints.empty()) {
    q.scratch_h2d_bytes = cost.declared_scratch_bytes;
    q.scratch_d2h_bytes = cost.declared_scratch_bytes;
  } else {
    int64_t in = 0, out = 0, streamed = 0;
    for (const auto& h : main->dma_hints) {
      if (h.kind != package::DmaHint::Kind::kDescriptor) continue;
      const int64_t n = std::max(0, h.size_bytes);
      switch (h.address) {
        case package::AddressKind::kInputActivation: in += n; break;
        case package::AddressKind::kOutputActivation: out += n; break;
        case package::AddressKind::kParameter: streamed += n; break;
        case package::AddressKind::kScratch: (h.outfeed ? q.scratch_d2h_bytes : q.scratch_h2d_bytes) += n; break;
      }
    }
    if (in > 0) q.input_bytes = in;
    if (out > 0) q.output_bytes = out;
    q.streamed_param_bytes = std::max(q.streamed_param_bytes, streamed);
  }
  // Extra packages (key "7", multi-chip) are other chips' work: their traffic is not this chip's.
  if (main->program.has_value()) {
    package::RegionModel unpacked;
    if (region == nullptr) {
      ETPU_ASSIGN_OR_RETURN(unpacked, params::UnpackCheckedRegion(*main->program, what));
      region = unpacked.model.get();
    }
    ETPU_ASSIGN_OR_RETURN(q.layers, RegionLayerCosts(*region));
    auto instr = device::EstimateInstructionBytes(q.layers, spec);
    if (!instr.ok()) return instr.status().WithContext(what);
    q.instruction_bytes = *instr;
    cost.structural = true;
    return cost;
  }
  // A Google package: the real instruction stream and the compiler's cycle estimate.
  q.instruction_bytes = main->instruction_bytes();
  q.estimated_cycles = main->estimated_cycles_64bit > 0 ? main->estimated_cycles_64bit : main->estimated_cycles;
  cost.compute_known = q.estimated_cycles > 0;
  return cost;
}

Result<ModelCost> ComputeModelCost(const ir::Model& model, const device::DeviceSpec& spec) {
  ETPU_ASSIGN_OR_RETURN(package::CompiledModelInfo info, package::ReadCompiledModel(model));
  ModelCost cost;
  for (const auto& op : info.edgetpu_ops) {
    const std::string what = fmt::format("edgetpu-custom-op (#{}) of '{}'", op.op_index, model.path);
    ETPU_ASSIGN_OR_RETURN(EdgeTpuOpCost c, EdgeTpuOpCostOf(op, spec, what));
    cost.edgetpu_ops.push_back(std::move(c));
  }
  for (int index : info.cpu_ops) {
    if (index < 0 || static_cast<size_t>(index) >= model.ops.size()) {
      return InternalError(fmt::format("model '{}': CPU operator index {} out of range", model.path, index));
    }
    const ir::Operator& op = model.ops[static_cast<size_t>(index)];
    ++cost.cpu_op_count;
    const ir::CostShape shape = ir::OpInfoOf(op.code).cost;
    if (shape == ir::CostShape::kConv || shape == ir::CostShape::kDepthwise ||
        shape == ir::CostShape::kFullyConnected) {
      ETPU_ASSIGN_OR_RETURN(device::LayerCost c, LayerCostOf(model, op));
      cost.cpu_macs += device::LayerMacs(c);
    }
  }
  return cost;
}

Result<ModelTime> EstimateModelTime(const ModelCost& cost, const device::DeviceSpec& spec,
                                    const device::HostProfile& host, device::Clock clock) {
  ModelTime time;
  for (const auto& op : cost.edgetpu_ops) {
    auto t = device::EstimateInvocation(op.query, spec, host, clock);
    if (!t.ok()) return t.status().WithContext(fmt::format("edgetpu-custom-op #{}", op.op_index));
    time.first_ms += t->first_total_ms;
    time.later_ms += t->total_ms;
    time.ops.push_back(*t);
  }
  if (cost.cpu_op_count > 0 && cost.cpu_measured_ms >= 0) {
    ETPU_ASSIGN_OR_RETURN(time.cpu_ms, device::HostCpuMs(cost.cpu_measured_ms, host));
    time.cpu_timed = true;
    time.first_ms += time.cpu_ms;
    time.later_ms += time.cpu_ms;
  }
  return time;
}

std::vector<std::string> LeftOut(const ModelCost& cost, const ModelTime& time) {
  std::vector<std::string> out;
  for (const auto& op : cost.edgetpu_ops) {
    if (!op.structural && !op.compute_known) {
      out.push_back(fmt::format("Edge TPU compute of edgetpu-custom-op #{} (its package has no cycle estimate)", op.op_index));
    }
  }
  if (cost.cpu_op_count > 0 && !time.cpu_timed) {
    out.push_back(fmt::format("{} operator(s) on the host CPU (not measured)", cost.cpu_op_count));
  }
  return out;
}

}  // namespace etpu::perf
