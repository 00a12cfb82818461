#include "cache/capacity_model.h"

#include <algorithm>
#include <string>

#include "base/units.h"
#include "device/device_catalog.h"
#include "ir/op_table.h"

namespace etpu::cache {

using ir::BuiltinOperator;

namespace {

int64_t TensorBytes(const ir::Tensor& t) {
  if (t.is_dynamic()) return 0;
  const int64_t n = t.num_elements();
  const int64_t e = ir::ElementSize(t.type);
  return (n > 0 && e > 0) ? n * e : 0;
}

// Rank-4 NHWC dims of tensor `index`, or false.
bool Nhwc(const ir::Model& model, int index, int64_t dims[4]) {
  if (index < 0 || static_cast<size_t>(index) >= model.tensors.size()) return false;
  const auto& shape = model.tensors[static_cast<size_t>(index)].shape;
  if (shape.size() != 4) return false;
  for (int i = 0; i < 4; ++i) {
    if (shape[static_cast<size_t>(i)] <= 0) return false;
    dims[i] = shape[static_cast<size_t>(i)];
  }
  return true;
}

// Input rows one output row of `op` needs (kernel height with dilation; 1 for point-wise ops).
int64_t InputRowsPerOutputRow(const ir::Model& model, const ir::Operator& op) {
  int64_t kh = 1, dil = 1;
  if (op.code == BuiltinOperator::CONV_2D || op.code == BuiltinOperator::DEPTHWISE_CONV_2D) {
    int64_t w[4];
    if (op.inputs.size() > 1 && Nhwc(model, op.inputs[1], w)) kh = w[1];
    if (const auto* o = op.options<ir::Conv2DOptions>()) dil = std::max(1, o->dilation_h_factor);
    if (const auto* o = op.options<ir::DepthwiseConv2DOptions>()) dil = std::max(1, o->dilation_h_factor);
  } else if (const auto* p = op.options<ir::Pool2DOptions>()) {
    kh = std::max(1, p->filter_height);
  }
  return (kh - 1) * dil + 1;
}

std::string LayerName(const ir::Model& model, const ir::Operator& op) {
  std::string s = "operator #" + std::to_string(op.index) + " " + op.name();
  if (!op.outputs.empty() && op.outputs[0] >= 0 && static_cast<size_t>(op.outputs[0]) < model.tensors.size()) {
    s += " (output '" + model.tensors[static_cast<size_t>(op.outputs[0])].name + "')";
  }
  return s;
}

}  // namespace

ChipMemory ChipMemory::FromSpec(const device::DeviceSpec& spec) {
  ChipMemory m;
  m.sram_bytes = spec.sram_bytes;
  m.tiles = static_cast<int>(spec.tiles);
  m.narrow_bytes_per_tile = spec.narrow_memory_bytes_per_tile;
  m.executable_reserve_bytes = spec.executable_reserve_bytes;
  m.activation_staging_bytes = spec.activation_staging_bytes;
  m.tile_alignment = spec.tile_alignment_bytes;
  return m;
}

Result<ChipMemory> ChipMemory::Builtin() {
  // Read once: every compile asks (the planner compiles thousands of sets).
  static const Result<ChipMemory> chip = []() -> Result<ChipMemory> {
    ETPU_ASSIGN_OR_RETURN(device::DeviceSpec spec, device::BuiltinChip());
    return FromSpec(spec);
  }();
  return chip;
}

Result<CapacityModel> CapacityModel::Builtin() {
  ETPU_ASSIGN_OR_RETURN(ChipMemory chip, ChipMemory::Builtin());
  ETPU_RETURN_IF_ERROR(chip.Validate());
  return CapacityModel(chip);
}

Status ChipMemory::Validate() const {
  auto bad = [](const char* field, int64_t v, const char* expected) {
    return InvalidArgumentError(std::string("invalid chip memory description: ") + field + " = " + std::to_string(v) +
                                " (expected " + expected + ")");
  };
  if (sram_bytes <= 0) return bad("sram_bytes", sram_bytes, "> 0");
  if (tiles <= 0 || tiles > 4096) return bad("tiles", tiles, "1..4096");
  if (narrow_bytes_per_tile <= 0) return bad("narrow_bytes_per_tile", narrow_bytes_per_tile, "> 0");
  if (executable_reserve_bytes < 0 || executable_reserve_bytes >= sram_bytes) {
    return bad("executable_reserve_bytes", executable_reserve_bytes, "0 <= reserve < sram_bytes");
  }
  if (activation_staging_bytes < 0) return bad("activation_staging_bytes", activation_staging_bytes, ">= 0");
  if (tile_alignment <= 0) return bad("tile_alignment", tile_alignment, "> 0");
  return OkStatus();
}

Result<ActivationFootprint> CapacityModel::Analyze(const ir::Model& model, std::span<const int> ops_in) const {
  ETPU_RETURN_IF_ERROR(chip_.Validate());
  std::vector<int> ops(ops_in.begin(), ops_in.end());
  if (ops.empty()) {
    for (const auto& op : model.ops) ops.push_back(op.index);
  }
  const int n = static_cast<int>(ops.size());
  // Position of each operator in the analysed order (-1 = not analysed).
  std::vector<int> pos(model.ops.size(), -1);
  for (int p = 0; p < n; ++p) {
    const int i = ops[static_cast<size_t>(p)];
    if (i < 0 || static_cast<size_t>(i) >= model.ops.size()) {
      return InvalidArgumentError("failed to analyse activations of '" + model.path + "': operator index " +
                                  std::to_string(i) + " out of range (expected 0.." +
                                  std::to_string(static_cast<int64_t>(model.ops.size()) - 1) + ")");
    }
    if (pos[static_cast<size_t>(i)] != -1) {
      return InvalidArgumentError("failed to analyse activations of '" + model.path + "': operator #" +
                                  std::to_string(i) + " listed twice");
    }
    pos[static_cast<size_t>(i)] = p;
  }

  // Live interval [first, last] of every activation tensor the analysed ops touch, accumulated
  // with difference arrays (bytes and per-tile shares).
  std::vector<int64_t> live_diff(static_cast<size_t>(n) + 1, 0), tile_diff(static_cast<size_t>(n) + 1, 0);
  std::vector<char> seen(model.tensors.size(), 0);
  std::vector<char> graph_output(model.tensors.size(), 0);
  for (int o : model.outputs) {
    if (o >= 0 && static_cast<size_t>(o) < model.tensors.size()) graph_output[static_cast<size_t>(o)] = 1;
  }
  for (int p = 0; p < n; ++p) {
    const ir::Operator& op = model.ops[static_cast<size_t>(ops[static_cast<size_t>(p)])];
    auto visit = [&](int t) {
      if (t < 0 || static_cast<size_t>(t) >= model.tensors.size() || seen[static_cast<size_t>(t)]) return;
      seen[static_cast<size_t>(t)] = 1;
      const ir::Tensor& tensor = model.tensors[static_cast<size_t>(t)];
      if (tensor.is_constant()) return;
      const int64_t bytes = TensorBytes(tensor);
      if (bytes == 0) return;
      int first = 0, last = -1;
      if (tensor.producer >= 0 && static_cast<size_t>(tensor.producer) < pos.size() &&
          pos[static_cast<size_t>(tensor.producer)] >= 0) {
        first = pos[static_cast<size_t>(tensor.producer)];
        last = first;
      }
      bool leaves_region = graph_output[static_cast<size_t>(t)] || tensor.is_variable;
      for (int c : tensor.consumers) {
        const int cp = (c >= 0 && static_cast<size_t>(c) < pos.size()) ? pos[static_cast<size_t>(c)] : -1;
        if (cp >= 0) {
          last = std::max(last, cp);
        } else {
          leaves_region = true;
        }
      }
      if (tensor.is_variable) first = 0;
      if (leaves_region) last = n - 1;
      if (last < first) return;
      const int64_t share = base::RoundUp(base::CeilDiv(bytes, chip_.tiles), chip_.tile_alignment);
      live_diff[static_cast<size_t>(first)] += bytes;
      live_diff[static_cast<size_t>(last) + 1] -= bytes;
      tile_diff[static_cast<size_t>(first)] += share;
      tile_diff[static_cast<size_t>(last) + 1] -= share;
    };
    for (int t : op.inputs) visit(t);
    for (int t : op.outputs) visit(t);
  }

  ActivationFootprint fp;
  fp.layers.reserve(static_cast<size_t>(n));
  const int64_t narrow_total = chip_.narrow_total_bytes();
  const int64_t wide_available = chip_.sram_bytes - chip_.executable_reserve_bytes;
  int64_t live = 0, per_tile = 0;
  for (int p = 0; p < n; ++p) {
    live += live_diff[static_cast<size_t>(p)];
    per_tile += tile_diff[static_cast<size_t>(p)];
    const ir::Operator& op = model.ops[static_cast<size_t>(ops[static_cast<size_t>(p)])];
    LayerActivation la;
    la.op_index = op.index;
    la.live_bytes = live;
    la.per_tile_bytes = per_tile;
    la.overflow_bytes = std::max<int64_t>(0, per_tile - chip_.narrow_bytes_per_tile) * chip_.tiles;
    int64_t out[4], in[4];
    const bool out4 = !op.outputs.empty() && Nhwc(model, op.outputs[0], out);
    la.banded = ir::OpInfoOf(op.code).row_local && out4 && out[1] >= 2;
    if (la.banded) {
      // One output row band: the input rows it reads plus the output row itself.
      int64_t band = out[2] * out[3];
      for (int t : op.inputs) {
        if (t >= 0 && static_cast<size_t>(t) < model.tensors.size() &&
            !model.tensors[static_cast<size_t>(t)].is_constant() && Nhwc(model, t, in)) {
          band += InputRowsPerOutputRow(model, op) * in[2] * in[3];
        }
      }
      if (band > narrow_total + chip_.activation_staging_bytes) {
        return ResourceExhaustedError(std::string(kLargeActivationsMessage) + " In '" + model.path + "', " +
                                      LayerName(model, op) + ": one output row band needs " +
                                      std::to_string(band) + " bytes on chip (at most " +
                                      std::to_string(narrow_total + chip_.activation_staging_bytes) +
                                      " available)");
      }
      la.wide_bytes = std::min(la.overflow_bytes, chip_.activation_staging_bytes);
      la.spill_bytes = la.overflow_bytes - la.wide_bytes;
    } else {
      la.wide_bytes = la.overflow_bytes;
      if (la.wide_bytes > wide_available) {
        return ResourceExhaustedError(std::string(kLargeActivationsMessage) + " In '" + model.path + "', " +
                                      LayerName(model, op) + " needs its whole live activations (" +
                                      std::to_string(la.live_bytes) + " bytes) on chip: " +
                                      std::to_string(la.wide_bytes) + " bytes beyond the tiles' " +
                                      std::to_string(narrow_total) + ", at most " +
                                      std::to_string(wide_available) + " available in SRAM");
      }
    }
    if (la.live_bytes > fp.peak_live_bytes || fp.peak_op < 0) {
      fp.peak_live_bytes = la.live_bytes;
      fp.peak_op = la.op_index;
    }
    fp.wide_sram_bytes = std::max(fp.wide_sram_bytes, la.wide_bytes);
    fp.scratch_bytes += la.spill_bytes;
    fp.layers.push_back(la);
  }
  return fp;
}

SramBudget CapacityModel::Budget(std::span<const ActivationFootprint> set) const {
  SramBudget b;
  b.sram_bytes = chip_.sram_bytes;
  b.executable_reserve_bytes = chip_.executable_reserve_bytes;
  for (const auto& fp : set) b.activation_bytes = std::max(b.activation_bytes, fp.wide_sram_bytes);
  b.parameter_capacity_bytes =
      std::max<int64_t>(0, b.sram_bytes - b.executable_reserve_bytes - b.activation_bytes);
  return b;
}

}  // namespace etpu::cache
