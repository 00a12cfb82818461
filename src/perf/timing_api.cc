// include/etpu/timing.h: the public timing facade over perf::ComputeModelCost + EstimateModelTime.
#include "etpu/timing.h"

#include "device/device_catalog.h"
#include "perf/model_cost.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

Result<ModelTiming> Time(const ir::Model& model, const TimingOptions& options) {
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::LoadDeviceCatalogOrBuiltin(options.device_catalog));
  if (catalog.chips.empty()) return InvalidArgumentError("timing: the device catalog has no chip");
  device::DeviceSpec chip = catalog.DefaultChip();
  if (!options.chip.empty()) {
    ETPU_ASSIGN_OR_RETURN(chip, catalog.Chip(options.chip));
  }
  ETPU_ASSIGN_OR_RETURN(device::HostProfile host, catalog.Host(options.host));
  device::Clock clock = host.default_clock;
  if (!options.clock.empty()) {
    ETPU_ASSIGN_OR_RETURN(clock, device::ParseClock(options.clock));
  }
  ETPU_ASSIGN_OR_RETURN(perf::ModelCost cost, perf::ComputeModelCost(model, chip));
  ETPU_ASSIGN_OR_RETURN(perf::ModelTime time, perf::EstimateModelTime(cost, chip, host, clock));

  ModelTiming out;
  out.chip = chip.name;
  out.host = host.name;
  out.clock = device::ClockName(clock);
  out.first_ms = time.first_ms;
  out.later_ms = time.later_ms;
  out.cpu_op_count = cost.cpu_op_count;
  out.cpu_macs = cost.cpu_macs;
  out.left_out = perf::LeftOut(cost, time);
  for (size_t i = 0; i < cost.edgetpu_ops.size() && i < time.ops.size(); ++i) {
    const perf::EdgeTpuOpCost& c = cost.edgetpu_ops[i];
    const device::InvocationTime& t = time.ops[i];
    EdgeTpuOpTiming op;
    op.op_index = c.op_index;
    op.token = c.caching_token;
    op.first_ms = t.first_total_ms;
    op.later_ms = t.total_ms;
    op.compute_ms = t.compute_ms;
    op.h2d_ms = t.h2d_ms;
    op.d2h_ms = t.d2h_ms;
    op.stream_ms = t.stream_ms;
    op.param_load_ms = t.param_load_ms;
    op.fixed_ms = t.fixed_ms;
    op.cycles = t.cycles;
    op.clock_hz = t.clock_hz;
    op.stream_bound = t.stream_bound;
    op.cached_param_bytes = c.query.cached_param_bytes;
    op.streamed_param_bytes = c.query.streamed_param_bytes;
    op.instruction_bytes = c.query.instruction_bytes;
    op.input_bytes = c.query.input_bytes;
    op.output_bytes = c.query.output_bytes;
    op.scratch_h2d_bytes = c.query.scratch_h2d_bytes;
    op.scratch_d2h_bytes = c.query.scratch_d2h_bytes;
    op.h2d_ms_per_byte = t.h2d_ms_per_byte;
    for (size_t k = 0; k < t.layers.size() && k < c.query.layers.size(); ++k) {
      const device::LayerCost& layer = c.query.layers[k];
      op.layers.push_back({layer.op_index, layer.name, t.layers[k].cycles, t.layers[k].compute_ms});
    }
    out.edgetpu_ops.push_back(op);
  }
  return out;
}

}  // namespace

Result<ModelTiming> EstimateModelTiming(std::span<const uint8_t> compiled_model, const std::string& name,
                                        const TimingOptions& options) {
  ETPU_ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModelFromBuffer(compiled_model, name));
  return Time(model, options);
}

Result<ModelTiming> EstimateModelTimingFile(const std::string& path, const TimingOptions& options) {
  ETPU_ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModel(path));
  return Time(model, options);
}

}  // namespace etpu
