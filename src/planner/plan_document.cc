#include "planner/plan_document.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "base/file_io.h"

namespace etpu::planner {
namespace {

using nlohmann::json;

Status Bad(const std::string& file, const std::string& where, const char* expected) {
  return InvalidArgumentError(fmt::format("{}: {}: expected {} (is this the output of `etpu plan --json`?)", file, where, expected));
}

Result<double> Number(const json& o, const char* key, const std::string& where, const std::string& file) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number() || !std::isfinite(o[key].get<double>()) || o[key].get<double>() < 0) {
    return Bad(file, where + "." + key, "a number >= 0");
  }
  return o[key].get<double>();
}

Result<std::string> Text(const json& o, const char* key, const std::string& where, const std::string& file) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return Bad(file, where + "." + key, "a string");
  return o[key].get<std::string>();
}

Result<const json*> Array(const json& o, const char* key, const std::string& where, const std::string& file) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_array()) return Bad(file, where + "." + key, "an array");
  return &o[key];
}

Result<PlanGroupDoc> Group(const json& g, const std::string& where, const std::string& file) {
  PlanGroupDoc out;
  ETPU_ASSIGN_OR_RETURN(const json* models, Array(g, "models", where, file));
  for (const json& m : *models) {
    if (!m.is_string()) return Bad(file, where + ".models", "model names (strings)");
    out.models.push_back(m.get<std::string>());
  }
  ETPU_ASSIGN_OR_RETURN(out.compile_command, Text(g, "compile_command", where, file));
  ETPU_ASSIGN_OR_RETURN(const json* members, Array(g, "members", where, file));
  for (size_t k = 0; k < members->size(); ++k) {
    const std::string w = fmt::format("{}.members[{}]", where, k);
    PlanMemberDoc m;
    ETPU_ASSIGN_OR_RETURN(m.name, Text((*members)[k], "name", w, file));
    ETPU_ASSIGN_OR_RETURN(m.rate_hz, Number((*members)[k], "rate_hz", w, file));
    ETPU_ASSIGN_OR_RETURN(m.first_ms, Number((*members)[k], "first_ms", w, file));
    ETPU_ASSIGN_OR_RETURN(m.later_ms, Number((*members)[k], "later_ms", w, file));
    if ((*members)[k].contains("latency_p99_ms") && !(*members)[k]["latency_p99_ms"].is_null()) {
      ETPU_ASSIGN_OR_RETURN(m.latency_p99_ms, Number((*members)[k], "latency_p99_ms", w, file));
    }
    out.members.push_back(std::move(m));
  }
  if (out.members.size() != out.models.size()) return Bad(file, where + ".members", "one entry per model of the group");
  return out;
}

}  // namespace

Result<PlanDocument> ParsePlanDocument(const json& plan, const std::string& file) {
  PlanDocument doc;
  doc.file = file;
  ETPU_ASSIGN_OR_RETURN(doc.throughput_headroom, Number(plan, "throughput_headroom", "plan", file));
  if (plan.is_object() && plan.contains("lower_bound_headroom") && plan["lower_bound_headroom"].is_number()) {
    doc.lower_bound_headroom = plan["lower_bound_headroom"].get<double>();
  }
  ETPU_ASSIGN_OR_RETURN(const json* devices, Array(plan, "devices", "plan", file));
  if (devices->empty()) return Bad(file, "plan.devices", "at least one device");
  for (size_t d = 0; d < devices->size(); ++d) {
    const json& dev = (*devices)[d];
    const std::string where = fmt::format("devices[{}]", d);
    PlanDeviceDoc out;
    ETPU_ASSIGN_OR_RETURN(out.host, Text(dev, "host", where, file));
    ETPU_ASSIGN_OR_RETURN(out.device_string, Text(dev, "device_string", where, file));
    ETPU_ASSIGN_OR_RETURN(out.utilisation, Number(dev, "utilisation", where, file));
    ETPU_ASSIGN_OR_RETURN(out.token_switches_per_s, Number(dev, "token_switches_per_s", where, file));
    ETPU_ASSIGN_OR_RETURN(out.streamed_mb_s, Number(dev, "streamed_mb_s", where, file));
    ETPU_ASSIGN_OR_RETURN(const json* groups, Array(dev, "groups", where, file));
    for (size_t g = 0; g < groups->size(); ++g) {
      ETPU_ASSIGN_OR_RETURN(PlanGroupDoc group, Group((*groups)[g], fmt::format("{}.groups[{}]", where, g), file));
      out.groups.push_back(std::move(group));
    }
    doc.devices.push_back(std::move(out));
  }
  if (plan.contains("workload")) {
    const json& w = plan["workload"];
    ETPU_ASSIGN_OR_RETURN(const std::string kind, Text(w, "kind", "plan.workload", file));
    if (kind == "sequence") {
      ETPU_ASSIGN_OR_RETURN(doc.frames_per_s, Number(w, "frames_per_s", "plan.workload", file));
      if (doc.frames_per_s <= 0) return Bad(file, "plan.workload.frames_per_s", "a number > 0");
      ETPU_ASSIGN_OR_RETURN(const json* sequence, Array(w, "sequence", "plan.workload", file));
      std::set<std::string> planned;
      for (const auto& d : doc.devices) {
        for (const auto& g : d.groups) planned.insert(g.models.begin(), g.models.end());
      }
      for (const json& m : *sequence) {
        if (!m.is_string() || !planned.contains(m.get<std::string>())) {
          return Bad(file, "plan.workload.sequence", "names of the plan's models");
        }
        doc.sequence.push_back(m.get<std::string>());
      }
      if (doc.sequence.empty()) return Bad(file, "plan.workload.sequence", "at least one model");
    } else if (kind != "poisson") {
      return Bad(file, "plan.workload.kind", "\"poisson\" or \"sequence\"");
    }
  }
  if (plan.contains("baselines") && plan["baselines"].is_object()) {
    for (const auto& [name, b] : plan["baselines"].items()) {
      ETPU_ASSIGN_OR_RETURN(double h, Number(b, "throughput_headroom", "baselines." + name, file));
      doc.baselines.emplace_back(name, h);
    }
  }
  return doc;
}

Result<PlanDocument> ReadPlanDocument(const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(file, size_t{64} << 20));
  const json plan = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (plan.is_discarded()) return InvalidArgumentError(fmt::format("{}: not a JSON document (expected the output of `etpu plan --json`)", file));
  return ParsePlanDocument(plan, file);
}

}  // namespace etpu::planner
