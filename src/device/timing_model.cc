#include "device/timing_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/units.h"

namespace etpu::device {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 24;
constexpr double kMaxCycles = 9.0e18;  // Below INT64_MAX (9.22e18).

std::string LayerLabel(const LayerCost& layer, int index) {
  if (layer.name.empty()) return fmt::format("layer #{} ({})", index, LayerKindName(layer.kind));
  return fmt::format("layer '{}' (#{}, {})", layer.name, index, LayerKindName(layer.kind));
}

Status CheckDim(const LayerCost& layer, int index, const char* field, int value) {
  if (value < 1 || value > kMaxDim) {
    return InvalidArgumentError(fmt::format("failed to estimate cycles of {}: {} = {} (expected 1..{})",
                                            LayerLabel(layer, index), field, value, kMaxDim));
  }
  return OkStatus();
}

}  // namespace

const char* LayerKindName(LayerCost::Kind kind) {
  switch (kind) {
    case LayerCost::kConv: return "conv";
    case LayerCost::kDepthwise: return "depthwise";
    case LayerCost::kFullyConnected: return "fully_connected";
    case LayerCost::kElementwise: return "elementwise";
    case LayerCost::kPool: return "pool";
    case LayerCost::kOther: return "other";
  }
  return "unknown";
}

int64_t LayerMacs(const LayerCost& l) {
  if (l.macs > 0) return l.macs;
  const int64_t pixels = int64_t{l.out_h} * l.out_w;
  switch (l.kind) {
    case LayerCost::kConv: return pixels * l.kh * l.kw * l.in_c * l.out_c;
    case LayerCost::kDepthwise: return pixels * l.kh * l.kw * l.out_c;
    case LayerCost::kFullyConnected: return pixels * l.in_c * l.out_c;
    default: return 0;
  }
}

Result<int64_t> EstimateLayerCycles(const LayerCost& l, const DeviceSpec& spec, int index) {
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "out_h", l.out_h));
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "out_w", l.out_w));
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "in_c", l.in_c));
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "out_c", l.out_c));
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "kh", l.kh));
  ETPU_RETURN_IF_ERROR(CheckDim(l, index, "kw", l.kw));
  if (l.macs < 0) {
    return InvalidArgumentError(
        fmt::format("failed to estimate cycles of {}: macs = {} (expected >= 0)", LayerLabel(l, index), l.macs));
  }
  if (spec.tiles < 1 || spec.conv_input_channels_per_cycle < 1 || spec.conv_output_channels_per_cycle < 1 ||
      spec.depthwise_channels_per_cycle < 1 || spec.depthwise_passes < 1 || spec.macs_per_cycle < 1 ||
      !(spec.eta > 0 && spec.eta <= 1)) {
    return InvalidArgumentError(fmt::format("chip '{}': structural cycle constants must be positive", spec.name));
  }
  using base::CeilDiv;
  // Doubles: every factor is <= 2^24, so a product of three stays exact; the whole is bounded.
  const double spatial = static_cast<double>(CeilDiv(int64_t{l.out_h} * l.out_w, spec.tiles));
  const double taps = static_cast<double>(l.kh) * l.kw;
  const double dw_groups = static_cast<double>(CeilDiv(l.out_c, spec.depthwise_channels_per_cycle));
  const double passes = static_cast<double>(spec.depthwise_passes);
  double raw = 0;
  switch (l.kind) {
    case LayerCost::kConv:
      raw = spatial * taps * static_cast<double>(CeilDiv(l.in_c, spec.conv_input_channels_per_cycle)) *
            static_cast<double>(CeilDiv(l.out_c, spec.conv_output_channels_per_cycle));
      break;
    case LayerCost::kDepthwise:
    case LayerCost::kPool:
      raw = spatial * taps * dw_groups * passes;
      break;
    case LayerCost::kElementwise:
      raw = spatial * dw_groups * passes;
      break;
    case LayerCost::kFullyConnected:
      raw = static_cast<double>(l.out_h) * l.out_w *
            static_cast<double>(CeilDiv(l.in_c, spec.conv_output_channels_per_cycle)) *
            static_cast<double>(CeilDiv(l.out_c, spec.conv_output_channels_per_cycle));
      break;
    case LayerCost::kOther:
      raw = l.macs > 0 ? static_cast<double>(CeilDiv(l.macs, spec.macs_per_cycle)) : spatial * dw_groups * passes;
      break;
  }
  const double cycles = std::ceil(raw / spec.eta);
  if (!(cycles < kMaxCycles)) {
    return InvalidArgumentError(
        fmt::format("failed to estimate cycles of {}: {} cycles overflow", LayerLabel(l, index), cycles));
  }
  return static_cast<int64_t>(cycles);
}

namespace {

// Σ EstimateLayerCycles, each layer's cycles also appended to `per_layer` when it is not null.
Result<int64_t> SumLayerCycles(const std::vector<LayerCost>& layers, const DeviceSpec& spec,
                               std::vector<int64_t>* per_layer) {
  int64_t total = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    ETPU_ASSIGN_OR_RETURN(int64_t c, EstimateLayerCycles(layers[i], spec, static_cast<int>(i)));
    if (c > static_cast<int64_t>(kMaxCycles) - total) {
      return InvalidArgumentError(fmt::format("failed to estimate cycles: total overflows at layer #{}", i));
    }
    total += c;
    if (per_layer != nullptr) per_layer->push_back(c);
  }
  return total;
}

}  // namespace

Result<int64_t> EstimateComputeCycles(const std::vector<LayerCost>& layers, const DeviceSpec& spec) {
  return SumLayerCycles(layers, spec, nullptr);
}

Status ValidateDevice(const DeviceSpec& spec, const HostProfile& host) {
  auto bad = [](double v) { return !std::isfinite(v) || v <= 0; };
  if (bad(spec.max_clock_hz) || bad(spec.std_clock_hz)) {
    return InvalidArgumentError(fmt::format("chip '{}': clocks must be positive", spec.name));
  }
  if (bad(host.h2d_bytes_per_s)) {
    return InvalidArgumentError(fmt::format("host profile '{}': h2d_bytes_per_s must be positive", host.name));
  }
  if (bad(host.d2h_bytes_per_s)) {
    return InvalidArgumentError(fmt::format("host profile '{}': d2h_bytes_per_s must be positive", host.name));
  }
  if (!std::isfinite(host.fixed_ms) || host.fixed_ms < 0) {
    return InvalidArgumentError(fmt::format("host profile '{}': fixed_ms must be >= 0", host.name));
  }
  if (bad(host.cpu_time_factor)) {
    return InvalidArgumentError(fmt::format("host profile '{}': cpu_time_factor must be positive", host.name));
  }
  return OkStatus();
}

Result<InvocationTime> EstimateInvocation(const InvocationQuery& q, const DeviceSpec& spec, const HostProfile& host,
                                          Clock clock) {
  ETPU_RETURN_IF_ERROR(ValidateDevice(spec, host));
  const struct {
    const char* name;
    int64_t value;
  } fields[] = {{"estimated_cycles", q.estimated_cycles},   {"instruction_bytes", q.instruction_bytes},
                {"input_bytes", q.input_bytes},             {"output_bytes", q.output_bytes},
                {"streamed_param_bytes", q.streamed_param_bytes}, {"cached_param_bytes", q.cached_param_bytes},
                {"scratch_h2d_bytes", q.scratch_h2d_bytes}, {"scratch_d2h_bytes", q.scratch_d2h_bytes}};
  for (const auto& f : fields) {
    if (f.value < 0) {
      return InvalidArgumentError(
          fmt::format("failed to estimate invocation time: {} = {} (expected >= 0)", f.name, f.value));
    }
  }
  InvocationTime t;
  constexpr double kMsPerS = 1000.0;
  t.clock_hz = EffectiveClockHz(spec, host, clock);
  if (q.estimated_cycles > 0) {
    t.cycles = q.estimated_cycles;
  } else {
    std::vector<int64_t> per_layer;
    ETPU_ASSIGN_OR_RETURN(t.cycles, SumLayerCycles(q.layers, spec, &per_layer));
    for (int64_t c : per_layer) t.layers.push_back({c, static_cast<double>(c) / t.clock_hz * kMsPerS});
  }
  const double h2d_ms_per_byte = kMsPerS / host.h2d_bytes_per_s;
  t.h2d_ms_per_byte = h2d_ms_per_byte;
  t.compute_ms = static_cast<double>(t.cycles) / t.clock_hz * kMsPerS;
  t.h2d_ms = (static_cast<double>(q.instruction_bytes) + static_cast<double>(q.input_bytes) +
              static_cast<double>(q.scratch_h2d_bytes)) *
             h2d_ms_per_byte;
  t.d2h_ms = (static_cast<double>(q.output_bytes) + static_cast<double>(q.scratch_d2h_bytes)) * kMsPerS /
             host.d2h_bytes_per_s;
  t.fixed_ms = host.fixed_ms;
  t.stream_ms = static_cast<double>(q.streamed_param_bytes) * h2d_ms_per_byte;
  t.param_load_ms = static_cast<double>(q.cached_param_bytes) * h2d_ms_per_byte;
  t.stream_bound = t.stream_ms > t.compute_ms;
  t.total_ms = t.fixed_ms + t.h2d_ms + t.d2h_ms + std::max(t.compute_ms, t.stream_ms);
  t.first_total_ms = t.total_ms + t.param_load_ms;
  return t;
}

Result<double> HostCpuMs(double measured_here_ms, const HostProfile& host) {
  if (!std::isfinite(measured_here_ms) || measured_here_ms < 0) {
    return InvalidArgumentError(
        fmt::format("host CPU time: measured {} ms (expected a finite time >= 0)", measured_here_ms));
  }
  if (!std::isfinite(host.cpu_time_factor) || host.cpu_time_factor <= 0) {
    return InvalidArgumentError(fmt::format("host profile '{}': cpu_time_factor must be positive", host.name));
  }
  return measured_here_ms * host.cpu_time_factor;
}

}  // namespace etpu::device
