#include "report/report_seed.h"

#include <optional>
#include <vector>

#include "device/device_spec.h"
#include "etpu/timing.h"
#include "etpu/zoo.h"
#include "ir/graph.h"
#include "perf/anchors.h"
#include "tflite/model_reader.h"

namespace etpu::report {
namespace {

using nlohmann::json;

/// The zoo name a model's description claims ("etpu zoo: NAME (...)"), if any.
std::optional<std::string> ClaimedZooName(const ir::Model& model) {
  const std::string prefix = "etpu zoo: ";
  if (!model.description.starts_with(prefix)) return std::nullopt;
  const size_t end = model.description.find(' ', prefix.size());
  return model.description.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

bool SameTensor(const ir::Tensor& a, const ir::Tensor& b) { return a.type == b.type && a.shape == b.shape; }

/// Same graph structure: operators (code, version, inputs and outputs by type and shape) in order.
bool SameStructure(const ir::Model& a, const ir::Model& b) {
  if (a.ops.size() != b.ops.size() || a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size()) return false;
  auto same_list = [&](const std::vector<int>& x, const std::vector<int>& y) {
    if (x.size() != y.size()) return false;
    for (size_t k = 0; k < x.size(); ++k) {
      if ((x[k] < 0) != (y[k] < 0)) return false;
      if (x[k] >= 0 && !SameTensor(a.tensor(x[k]), b.tensor(y[k]))) return false;
    }
    return true;
  };
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const ir::Operator& x = a.ops[i];
    const ir::Operator& y = b.ops[i];
    if (x.code != y.code || x.version != y.version || !same_list(x.inputs, y.inputs) || !same_list(x.outputs, y.outputs)) return false;
  }
  return same_list(a.inputs, b.inputs) && same_list(a.outputs, b.outputs);
}

}  // namespace

Result<json> SeedFigures(std::span<const uint8_t> source, std::span<const uint8_t> compiled, const std::string& name) {
  json out = json::array();
  auto model = tflite::ReadModelFromBuffer(source, name);
  if (!model.ok()) return out;  // The compile read it; a model this reader refuses is no zoo model.
  const std::optional<std::string> zoo = ClaimedZooName(*model);
  if (!zoo) return out;
  std::vector<const perf::LatencyAnchor*> anchors;
  for (const perf::LatencyAnchor& a : perf::SeedMeasurements()) {
    if (a.zoo_name == *zoo) anchors.push_back(&a);
  }
  if (anchors.empty()) return out;
  auto bytes = GenerateZooModel(*zoo);
  if (!bytes.ok()) return out;
  auto reference = tflite::ReadModelFromBuffer(*bytes, *zoo);
  if (!reference.ok() || !SameStructure(*model, *reference)) return out;  // The description alone is no identity.
  for (const perf::LatencyAnchor* a : anchors) {
    TimingOptions to;
    to.host = a->host;
    to.clock = device::ClockName(a->clock);
    ETPU_ASSIGN_OR_RETURN(ModelTiming ours, EstimateModelTiming(compiled, name, to));
    out.push_back({{"zoo_model", a->zoo_name}, {"label", a->label}, {"source", a->source}, {"host", a->host}, {"clock", to.clock},
                   {"seed_first_ms", a->first_ms}, {"seed_later_ms", a->later_ms},
                   {"ours_first_ms", ours.first_ms}, {"ours_later_ms", ours.later_ms}});
  }
  return out;
}

}  // namespace etpu::report
