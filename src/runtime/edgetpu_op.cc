#include "runtime/edgetpu_op.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "device/timing_model.h"
#include "params/param_layout.h"
#include "params/record_check.h"
#include "params/table_layout.h"
#include "package/region_model.h"
#include "perf/model_cost.h"

namespace etpu::runtime {

using package::LayerKind;

Result<std::unique_ptr<EdgeTpuExecutable>> EdgeTpuExecutable::Create(const package::EdgeTpuOpInfo& info,
                                                                     const ir::Model& outer, VirtualEdgeTpu* device,
                                                                     const TimingContext& timing,
                                                                     int runtime_version, uint64_t id,
                                                                     GiveBack give_back) {
  const package::PackageInfo& pkg = info.package;
  ETPU_RETURN_IF_ERROR(package::CheckRuntimeVersion(pkg.min_runtime_version, runtime_version));
  const std::string what = fmt::format("edgetpu-custom-op (#{}) of '{}'", info.op_index, outer.path);
  if (!pkg.is_virtual()) {
    return UnimplementedError(fmt::format(
        "{}: compiled for Edge TPU chip '{}' (Google's compiler): its executables hold real Edge TPU instructions, "
        "which etpu's virtual Edge TPU does not run. Compile the CPU model with etpu's edgetpu_compiler instead.",
        what, pkg.chip()));
  }
  if (!info.extra_packages.empty()) return UnimplementedError(what + ": multi-chip packages are not supported");
  const package::ExecutableInfo* main = pkg.main();
  if (main == nullptr || !main->program.has_value()) return DataLossError(what + ": no executable with a Program");
  std::unique_ptr<EdgeTpuExecutable> x(new EdgeTpuExecutable());
  x->op_index_ = info.op_index;
  x->what_ = what;
  x->device_ = device;
  x->id_ = id;
  x->token_ = main->token;
  if (const package::ExecutableInfo* pc = pkg.caching()) {
    x->has_caching_ = true;
    x->caching_params_ = pc->parameters;
  }
  x->streamed_ = main->parameters;
  x->package_storage_ = pkg.storage;
  x->package_bytes_ = pkg.bytes;
  x->give_back_ = std::move(give_back);
  x->layers_ = main->program->layers;

  // The region model, decoded once and checked against the layer records (params/record_check.h:
  // every emptied constant has a record that carries it); its emptied weight tensors get writable
  // slots in the region's arena, filled from the parameter records before the operators reading
  // them, on every run.
  ETPU_ASSIGN_OR_RETURN(package::RegionModel region, params::UnpackCheckedRegion(*main->program, what));
  std::vector<int> writable;
  for (const package::EmptiedInput& e : region.emptied) {
    const ir::Operator& reader = region.model->ops[static_cast<size_t>(e.op_index)];
    // RESHAPE's shape operand is not read (the output shape is the model's): an emptied one is harmless.
    if (reader.code == ir::BuiltinOperator::RESHAPE && e.slot == 1) continue;
    writable.push_back(e.tensor);
  }
  x->region_ = region.model;
  // Each layer is decoded before the first operator reading any weight it refills.
  std::vector<int> first_reader(region.model->tensors.size(), -1);
  for (const ir::Operator& op : region.model->ops) {
    for (int t : op.inputs) {
      if (t >= 0 && first_reader[static_cast<size_t>(t)] < 0) first_reader[static_cast<size_t>(t)] = op.index;
    }
  }
  std::vector<bool> is_writable(region.model->tensors.size(), false);
  for (int t : writable) is_writable[static_cast<size_t>(t)] = true;
  x->layers_before_op_.assign(region.model->ops.size(), {});
  for (size_t k = 0; k < x->layers_.size(); ++k) {
    const ir::Operator& op = region.model->ops[static_cast<size_t>(x->layers_[k].op_index)];
    int at = op.index;
    for (int t : op.inputs) {
      if (t >= 0 && is_writable[static_cast<size_t>(t)]) at = std::min(at, first_reader[static_cast<size_t>(t)]);
    }
    x->layers_before_op_[static_cast<size_t>(at)].push_back(k);
  }
  InterpreterOptions opts;
  opts.writable_constants = writable;
  EdgeTpuExecutable* raw = x.get();
  opts.before_op = [raw](int op) { return raw->FillBefore(op); };
  ETPU_ASSIGN_OR_RETURN(x->interp_, Interpreter::Create(x->region_, opts));
  const ir::Operator& op = outer.ops.at(static_cast<size_t>(info.op_index));
  if (op.inputs.size() != x->region_->inputs.size() || op.outputs.size() != x->region_->outputs.size()) {
    return DataLossError(fmt::format("{}: the op has {} inputs / {} outputs but its region {} / {}", what,
                                     op.inputs.size(), op.outputs.size(), x->region_->inputs.size(),
                                     x->region_->outputs.size()));
  }

  // Simulated time, first (parameters uploaded) and steady state: the shared model cost
  // (perf/model_cost.h), as the compiler report and `etpu bench` compute it.
  ETPU_ASSIGN_OR_RETURN(perf::EdgeTpuOpCost cost, perf::EdgeTpuOpCostOf(info, timing.spec, what, x->region_.get()));
  auto time = device::EstimateInvocation(cost.query, timing.spec, timing.host, timing.clock);
  if (!time.ok()) return time.status().WithContext(what + ": timing model");
  x->first_ms_ = time->first_total_ms;
  x->steady_ms_ = time->total_ms;
  return x;
}

Status EdgeTpuExecutable::FillBefore(int op) {
  if (op < 0 || static_cast<size_t>(op) >= layers_before_op_.size()) return OkStatus();
  const std::vector<size_t>& ks = layers_before_op_[static_cast<size_t>(op)];
  for (size_t i = 0; i < ks.size(); ++i) {
    const package::LayerParams& layer = layers_[ks[i]];
    ETPU_ASSIGN_OR_RETURN(std::span<const uint8_t> bytes, LayerBytes(layer));
    // A record placed piece by piece (package/README.md): the other entries of its operator,
    // in program order, are its later pieces.
    size_t end = i + 1;
    while (end < ks.size() && layers_[ks[end]].op_index == layer.op_index) ++end;
    if (end > i + 1) {
      joined_.assign(bytes.begin(), bytes.end());
      for (size_t p = i + 1; p < end; ++p) {
        const package::LayerParams& piece = layers_[ks[p]];
        if (piece.kind != layer.kind) {
          return DataLossError(fmt::format("{}: the pieces of op #{}'s record have layouts {} and {}", what_,
                                           layer.op_index, package::LayerKindName(layer.kind),
                                           package::LayerKindName(piece.kind)));
        }
        ETPU_ASSIGN_OR_RETURN(std::span<const uint8_t> more, LayerBytes(piece));
        joined_.insert(joined_.end(), more.begin(), more.end());
      }
      bytes = joined_;
    }
    ETPU_RETURN_IF_ERROR(FillLayer(layer, bytes));
    i = end - 1;
  }
  return OkStatus();
}

Result<std::span<const uint8_t>> EdgeTpuExecutable::LayerBytes(const package::LayerParams& layer) {
  if (layer.placement == package::Placement::kCached) return device_->ReadCached(id_, layer.offset, layer.size);
  if (layer.offset > streamed_.size() || layer.size > streamed_.size() - layer.offset) {
    return DataLossError(fmt::format("{}: streamed layer range [{}, +{}) leaves the {}-byte blob", what_, layer.offset,
                                     layer.size, streamed_.size()));
  }
  return std::span<const uint8_t>(streamed_.data() + layer.offset, static_cast<size_t>(layer.size));
}

Status EdgeTpuExecutable::FillLayer(const package::LayerParams& layer, std::span<const uint8_t> bytes) {
  {
    const ir::Operator& op = region_->ops.at(static_cast<size_t>(layer.op_index));
    // The weights share the arena: what a record leaves out reads as zeros, as in the region model.
    for (int t : op.inputs) {
      if (t >= 0 && region_->tensor(t).is_constant()) {
        auto dst = interp_->mutable_tensor_data(t);
        std::fill(dst.begin(), dst.end(), uint8_t{0});
      }
    }
    auto write = [&](int slot, std::span<const uint8_t> data) -> Status {
      if (slot < 0 || static_cast<size_t>(slot) >= op.inputs.size() || op.inputs[static_cast<size_t>(slot)] < 0) {
        return DataLossError(fmt::format("{}: layer of op #{} names input slot {} it does not have", what_,
                                         layer.op_index, slot));
      }
      auto dst = interp_->mutable_tensor_data(op.inputs[static_cast<size_t>(slot)]);
      if (dst.size() != data.size()) {
        return DataLossError(fmt::format("{}: op #{} input {} needs {} bytes, its parameters give {}", what_,
                                         layer.op_index, slot, dst.size(), data.size()));
      }
      std::memcpy(dst.data(), data.data(), data.size());
      return OkStatus();
    };
    switch (layer.kind) {
      case LayerKind::kConv:
      case LayerKind::kDepthwise:
      case LayerKind::kConvPerChannel:
      case LayerKind::kDepthwisePerChannel: {
        // The compiler empties a bias only when the record carries it (a zero bias stays).
        const size_t bias_slot = params::BiasSlot(op);
        const bool bias_emptied = bias_slot < op.inputs.size() && op.inputs[bias_slot] >= 0 &&
                                  !interp_->mutable_tensor_data(op.inputs[bias_slot]).empty();
        // The weights are decoded straight into their tensor (a large FC layer is not held twice).
        if (op.inputs.size() < 2 || op.inputs[1] < 0) {
          return DataLossError(fmt::format("{}: layer of op #{} has no weight input", what_, layer.op_index));
        }
        auto decoded = params::DecodeLayerConv(*region_, layer.op_index, bytes, bias_emptied,
                                               interp_->mutable_tensor_data(op.inputs[1]));
        if (!decoded.ok()) return decoded.status().WithContext(what_);
        // An empty weight tensor got no bytes: the size check below names the mismatch.
        if (!decoded->weights.empty()) ETPU_RETURN_IF_ERROR(write(1, decoded->weights));
        if (bias_emptied) {
          ETPU_RETURN_IF_ERROR(write(bias_slot, std::span<const uint8_t>(
                                                    reinterpret_cast<const uint8_t*>(decoded->bias.data()),
                                                    decoded->bias.size() * sizeof(int32_t))));
        }
        break;
      }
      case LayerKind::kElementwiseConstant:
      case LayerKind::kLstm: {
        auto records = params::DecodeLayerConstants(*region_, layer.op_index, bytes, what_);
        if (!records.ok()) return records.status();
        for (const auto& rec : *records) ETPU_RETURN_IF_ERROR(write(rec.input_slot, rec.data));
        break;
      }
      case LayerKind::kSoftmaxTable: {
        const int classes = region_->tensor(op.inputs.at(0)).shape.empty() ? 0 : region_->tensor(op.inputs.at(0)).shape.back();
        auto table = params::DecodeSoftmaxTable(bytes, classes);
        if (!table.ok()) return table.status().WithContext(what_);
        break;
      }
      default:
        break;  // Bookkeeping records carry nothing the computation needs.
    }
  }
  return OkStatus();
}

Status EdgeTpuExecutable::Run(const OpBuildContext& outer_op, std::vector<InvocationRecord>* sink) {
  for (int i = 0; i < outer_op.num_inputs(); ++i) {
    const uint8_t* src = outer_op.in_data(i);
    const int64_t n = outer_op.in(i).size_bytes();
    ETPU_RETURN_IF_ERROR(interp_->SetInput(i, std::span<const uint8_t>(src, static_cast<size_t>(n))));
  }
  CachingExecutable pc{id_, token_, caching_params_, give_back_};
  ETPU_ASSIGN_OR_RETURN(CachePreparation prep, device_->PrepareInvocation(token_, has_caching_ ? &pc : nullptr));
  // Each piece was given back once uploaded, but reading one maps its neighbours in the page cache
  // again (the kernel maps the pages around a fault): the whole blob once more. The streamed blob
  // is read on every run and stays: giving its pages back after each use cost about 20 ms per run
  // of a co-compiled MobileNet v2 (600 KiB streamed; 100 runs 4.0-4.7 s -> 5.4-6.5 s) and lowered
  // no peak.
  if (prep.loaded && give_back_) give_back_(caching_params_);
  ETPU_RETURN_IF_ERROR(interp_->Invoke());  // decodes each layer's weights first (FillBefore)
  for (int i = 0; i < outer_op.num_outputs(); ++i) {
    auto out = interp_->output(i);
    if (static_cast<int64_t>(out.size()) != outer_op.out(i).size_bytes()) {
      return InternalError(what_ + ": region output size differs from the op's");
    }
    std::memcpy(outer_op.out_data(i), out.data(), out.size());
  }
  if (sink != nullptr) {
    InvocationRecord r;
    r.device = device_->index();
    r.op_index = op_index_;
    r.token = token_;
    r.cache_cleared = prep.cleared;
    r.parameters_loaded = prep.loaded;
    r.parameters_reused = has_caching_ && !prep.loaded;
    r.sram_bytes_written = prep.bytes_written;
    r.streamed_bytes = streamed_bytes();
    r.simulated_ms = prep.loaded ? first_ms_ : steady_ms_;
    sink->push_back(r);
  }
  return OkStatus();
}

OpFactory EdgeTpuExecutable::Factory(std::vector<InvocationRecord>* sink) {
  return [this, sink](OpBuildContext& c) -> Result<EvalFn> {
    if (c.op().index != op_index_) return InternalError(what_ + ": factory bound to another operator");
    for (int i = 0; i < c.num_inputs(); ++i) {
      if (!c.has_input(i) || c.in(i).size_bytes() != region_->tensor(region_->inputs[static_cast<size_t>(i)]).size_bytes()) {
        return c.Error(fmt::format("input {} does not match the Edge TPU region's", i));
      }
    }
    for (int i = 0; i < c.num_outputs(); ++i) {
      if (c.out(i).size_bytes() != region_->tensor(region_->outputs[static_cast<size_t>(i)]).size_bytes()) {
        return c.Error(fmt::format("output {} does not match the Edge TPU region's", i));
      }
    }
    OpBuildContext ctx = c;
    return EvalFn([this, ctx, sink]() { return Run(ctx, sink); });
  };
}

Status EdgeTpuExecutable::CorruptStreamed(int64_t offset, uint8_t mask) {
  if (offset < 0 || offset >= streamed_bytes()) {
    return InvalidArgumentError(fmt::format("streamed offset {} out of range [0, {})", offset, streamed_bytes()));
  }
  if (corrupted_streamed_.empty()) {
    corrupted_streamed_.assign(streamed_.begin(), streamed_.end());
    streamed_ = corrupted_streamed_;
  }
  corrupted_streamed_[static_cast<size_t>(offset)] ^= mask;
  return OkStatus();
}

}  // namespace etpu::runtime
