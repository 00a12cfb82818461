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

/// Absent or null: false (the field is optional); present: it must be `expected`.
bool Present(const json& o, const char* key) { return o.is_object() && o.contains(key) && !o[key].is_null(); }

/// A whole number in [0, limit].
Result<int> Count(const json& o, const char* key, const std::string& where, const std::string& file, int limit) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number_integer() || o[key].get<int64_t>() < 0 || o[key].get<int64_t>() > limit) {
    return Bad(file, where + "." + key, fmt::format("a whole number from 0 to {}", limit).c_str());
  }
  return static_cast<int>(o[key].get<int64_t>());
}

/// A byte count written as a decimal string (64-bit values are strings in etpu's JSON).
Result<uint64_t> DecimalBytes(const json& o, const char* key, const std::string& where, const std::string& file) {
  const json& v = o[key];
  const std::string text = v.is_string() ? v.get<std::string>() : "";
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Bad(file, where + "." + key, "a byte count as a decimal string");
  }
  return std::stoull(text);
}

/// The optional fields of a member: what it is a part of, and its utilisation and bytes.
Status MemberExtras(const json& j, const std::string& w, const std::string& file, PlanMemberDoc& m) {
  if (Present(j, "pipeline_of")) {
    ETPU_ASSIGN_OR_RETURN(m.pipeline_of, Text(j, "pipeline_of", w, file));
  }
  if (Present(j, "replica_of")) {
    ETPU_ASSIGN_OR_RETURN(m.replica_of, Text(j, "replica_of", w, file));
  }
  if (!m.pipeline_of.empty() && !m.replica_of.empty()) return Bad(file, w, "a stage or a replica, not both");
  if (Present(j, "part")) {
    ETPU_ASSIGN_OR_RETURN(m.part, Count(j, "part", w, file, 1 << 16));
  }
  if (Present(j, "utilisation")) {
    ETPU_ASSIGN_OR_RETURN(m.utilisation, Number(j, "utilisation", w, file));
  }
  if (Present(j, "onchip_bytes")) {
    ETPU_ASSIGN_OR_RETURN(m.onchip_bytes, DecimalBytes(j, "onchip_bytes", w, file));
  }
  if (Present(j, "offchip_bytes")) {
    ETPU_ASSIGN_OR_RETURN(m.offchip_bytes, DecimalBytes(j, "offchip_bytes", w, file));
  }
  return OkStatus();
}

/// pipelines[] and replicas[] (both optional), then every member's pipeline_of / replica_of and
/// part against them.
Status Splits(const json& plan, const std::string& file, PlanDocument& doc) {
  if (Present(plan, "pipelines")) {
    ETPU_ASSIGN_OR_RETURN(const json* pipelines, Array(plan, "pipelines", "plan", file));
    for (size_t k = 0; k < pipelines->size(); ++k) {
      const json& p = (*pipelines)[k];
      const std::string w = fmt::format("pipelines[{}]", k);
      PlanPipelineDoc out;
      ETPU_ASSIGN_OR_RETURN(out.model, Text(p, "model", w, file));
      ETPU_ASSIGN_OR_RETURN(out.stages, Count(p, "stages", w, file, 1 << 16));
      ETPU_ASSIGN_OR_RETURN(out.method, Text(p, "method", w, file));
      ETPU_ASSIGN_OR_RETURN(const json* starts, Array(p, "starts", w, file));
      for (const json& st : *starts) {
        if (!st.is_number_integer() || st.get<int64_t>() < 0 || st.get<int64_t>() > (int64_t{1} << 30) ||
            (!out.starts.empty() && st.get<int64_t>() <= out.starts.back())) {
          return Bad(file, w + ".starts", "increasing operator indices");
        }
        out.starts.push_back(static_cast<int>(st.get<int64_t>()));
      }
      if (out.stages < 2 || out.starts.size() != static_cast<size_t>(out.stages)) {
        return Bad(file, w + ".starts", "one start per stage, at least two stages");
      }
      doc.pipelines.push_back(std::move(out));
    }
  }
  if (Present(plan, "replicas")) {
    ETPU_ASSIGN_OR_RETURN(const json* replicas, Array(plan, "replicas", "plan", file));
    for (size_t k = 0; k < replicas->size(); ++k) {
      const std::string w = fmt::format("replicas[{}]", k);
      PlanReplicaDoc out;
      ETPU_ASSIGN_OR_RETURN(out.model, Text((*replicas)[k], "model", w, file));
      ETPU_ASSIGN_OR_RETURN(out.replicas, Count((*replicas)[k], "replicas", w, file, 1 << 16));
      if (out.replicas < 2) return Bad(file, w + ".replicas", "at least two replicas");
      if (Present((*replicas)[k], "shares")) {  // absent in plans of older etpu versions: equal shares
        ETPU_ASSIGN_OR_RETURN(const json* shares, Array((*replicas)[k], "shares", w, file));
        double sum = 0;
        for (const json& v : *shares) {
          const double x = v.is_number() ? v.get<double>() : -1;
          if (!std::isfinite(x) || x <= 0) return Bad(file, w + ".shares", "positive numbers");
          out.shares.push_back(x);
          sum += x;
        }
        if (out.shares.size() != static_cast<size_t>(out.replicas) || std::abs(sum - 1) > 1e-6) {
          return Bad(file, w + ".shares", "one share per replica, summing to 1");
        }
      }
      doc.replicas.push_back(std::move(out));
    }
  }
  for (size_t d = 0; d < doc.devices.size(); ++d) {
    for (size_t g = 0; g < doc.devices[d].groups.size(); ++g) {
      const auto& members = doc.devices[d].groups[g].members;
      for (size_t k = 0; k < members.size(); ++k) {
        const PlanMemberDoc& m = members[k];
        const std::string w = fmt::format("devices[{}].groups[{}].members[{}]", d, g, k);
        int parts = 0;
        for (const PlanPipelineDoc& p : doc.pipelines) parts = p.model == m.pipeline_of ? p.stages : parts;
        for (const PlanReplicaDoc& r : doc.replicas) parts = r.model == m.replica_of ? r.replicas : parts;
        if (!m.pipeline_of.empty() && parts == 0) return Bad(file, w + ".pipeline_of", "a model of plan.pipelines");
        if (!m.replica_of.empty() && parts == 0) return Bad(file, w + ".replica_of", "a model of plan.replicas");
        if (parts > 0 && m.part >= parts) return Bad(file, w + ".part", "a part below the model's stages or replicas");
      }
    }
  }
  return OkStatus();
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
    ETPU_RETURN_IF_ERROR(MemberExtras((*members)[k], w, file, m));
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
  if (Present(plan, "shared_usb_hub")) {
    if (!plan["shared_usb_hub"].is_boolean()) return Bad(file, "plan.shared_usb_hub", "true or false");
    doc.shared_usb_hub = plan["shared_usb_hub"].get<bool>();
  }
  ETPU_RETURN_IF_ERROR(Splits(plan, file, doc));
  return doc;
}

Result<PlanDocument> ReadPlanDocument(const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(file, size_t{64} << 20));
  const json plan = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (plan.is_discarded()) return InvalidArgumentError(fmt::format("{}: not a JSON document (expected the output of `etpu plan --json`)", file));
  return ParsePlanDocument(plan, file);
}

}  // namespace etpu::planner
