// RenderReportCsv: the per-layer table (section 5) as CSV, one row per operator of every model
// (RFC 4180 quoting), for spreadsheets.
#include <fmt/format.h>

#include <map>
#include <set>

#include "report/model_report.h"

namespace etpu::report {
namespace {

using nlohmann::json;

std::string Q(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string V(const json& v) { return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump()); }

}  // namespace

std::string RenderReportCsv(const json& doc) {
  std::string s = "model,op_index,op,runs_on,status,rule_id,param_bytes,placement,sram_offset,compute_ms,stream_ms,bound\n";
  for (const json& m : doc["models"]) {
    const std::map<int64_t, json> layers = LayersByOperator(m["layers"]);
    auto row = [&](const json& index, const json& op, const char* runs_on, const json& status, const json& rule,
                   const json* times) {
      auto it = layers.find(index.get<int64_t>());
      const json* l = it == layers.end() ? nullptr : &it->second;
      s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", Q(V(m["name"])), V(index), Q(V(op)), runs_on, Q(V(status)),
                       Q(V(rule)), l ? V((*l)["param_bytes"]) : "", l ? V((*l)["placement"]) : "",
                       l ? V((*l)["sram_offset"]) : "", times ? V((*times)["compute_ms"]) : "",
                       times ? V((*times)["stream_ms"]) : "", times ? V((*times)["bound"]) : "");
    };
    if (m["operators"].is_array()) {
      for (const json& o : m["operators"]) {
        row(o["op_index"], o["op"], o["edgetpu"].get<bool>() ? "edgetpu" : "cpu", o["status"], o["rule_id"], &o);
      }
    } else {  // Read from a compiled file: the package's layers and CPU operators; no statuses.
      std::set<int64_t> seen;  // one row per operator, in the package's order
      for (const json& l : m["layers"]) {
        if (seen.insert(l["op_index"].get<int64_t>()).second) row(l["op_index"], l["op"], "edgetpu", nullptr, nullptr, nullptr);
      }
      for (const json& c : m["inspect"]["cpu_ops"]) row(c["index"], c["op"], "cpu", nullptr, nullptr, nullptr);
    }
  }
  return s;
}

}  // namespace etpu::report
