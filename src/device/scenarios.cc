#include "device/scenarios.h"

#include <fmt/format.h>

#include <set>
#include <utility>

namespace etpu::device {

Result<PipelineTime> EstimatePipeline(const std::vector<InvocationQuery>& segments, const DeviceSpec& spec,
                                      const HostProfile& host, Clock clock, const PipelineOptions& options) {
  if (segments.empty()) return InvalidArgumentError("failed to estimate pipeline: no segments");
  HostProfile link = host;
  if (options.shared_usb_hub) {
    ETPU_ASSIGN_OR_RETURN(link, ShareLink(host, static_cast<int>(segments.size())));
  }
  PipelineTime p;
  for (size_t i = 0; i < segments.size(); ++i) {
    Result<InvocationTime> t = EstimateInvocation(segments[i], spec, link, clock);
    if (!t.ok()) return t.status().WithContext(fmt::format("pipeline segment #{}", i));
    p.latency_ms += t->total_ms;
    p.first_latency_ms += t->first_total_ms;
    if (t->total_ms > p.interval_ms) {
      p.interval_ms = t->total_ms;
      p.bottleneck_segment = static_cast<int>(i);
    }
    p.segments.push_back(*t);
  }
  const double hops = static_cast<double>(segments.size() - 1) * link.pipeline_hop_ms;
  p.latency_ms += hops;
  p.first_latency_ms += hops;
  p.throughput_per_s = p.interval_ms > 0 ? 1000.0 / p.interval_ms : 0;
  return p;
}

Result<SwitchingTime> EstimateSwitching(const std::vector<ScheduledModel>& models, const std::vector<int>& sequence,
                                        const DeviceSpec& spec, const HostProfile& host, Clock clock) {
  SwitchingTime s;
  for (size_t i = 0; i < models.size(); ++i) {
    Result<InvocationTime> t = EstimateInvocation(models[i].query, spec, host, clock);
    if (!t.ok()) return t.status().WithContext(fmt::format("model '{}' (#{})", models[i].name, i));
    s.per_model.push_back(*t);
  }
  std::vector<int> counts(models.size(), 0);
  s.mean_ms.assign(models.size(), 0.0);
  // The resident cache identity: (token, -1) for a real token, (0, model) for token 0.
  bool have_token = false;
  std::pair<uint64_t, int> resident{0, -1};
  std::set<int> loaded;
  for (size_t k = 0; k < sequence.size(); ++k) {
    const int m = sequence[k];
    if (m == kClearCache) {
      have_token = false;
      loaded.clear();
      continue;
    }
    if (m < 0 || static_cast<size_t>(m) >= models.size()) {
      return InvalidArgumentError(fmt::format("failed to estimate switching: step {} names model {} (expected 0..{})",
                                              k, m, static_cast<int>(models.size()) - 1));
    }
    SwitchingStep step;
    step.model = m;
    const uint64_t token = models[m].caching_token;
    const std::pair<uint64_t, int> key{token, token != 0 ? -1 : m};
    if (!have_token || key != resident) {
      step.cleared_cache = true;
      loaded.clear();
      have_token = true;
      resident = key;
    }
    step.loaded_params = loaded.insert(m).second;
    step.ms = step.loaded_params ? s.per_model[m].first_total_ms : s.per_model[m].total_ms;
    if (step.loaded_params) ++s.param_loads;
    s.total_ms += step.ms;
    s.mean_ms[m] += step.ms;
    ++counts[m];
    s.steps.push_back(step);
  }
  for (size_t i = 0; i < models.size(); ++i) {
    if (counts[i] > 0) s.mean_ms[i] /= counts[i];
  }
  return s;
}

}  // namespace etpu::device
