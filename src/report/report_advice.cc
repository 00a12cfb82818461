#include "report/report_advice.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/units.h"
#include "etpu/compiler.h"
#include "report/report_nearest.h"

namespace etpu::report {
namespace {

using nlohmann::json;

int64_t I(const json& v) { return v.is_number_integer() ? v.get<int64_t>() : 0; }
std::string B(int64_t b) { return base::FormatBytes(static_cast<uint64_t>(std::max<int64_t>(b, 0))); }

void Add(json& out, const char* kind, size_t model, const std::string& text, json predicted) {
  out.push_back({{"kind", kind}, {"model", static_cast<int64_t>(model)}, {"text", text}, {"predicted", std::move(predicted)}});
}

/// Operators kept on the CPU only by the one-subgraph rule: how many -a maps (the compiler, run).
Status SubgraphAdvice(const json& m, size_t index, const CompileOptions& compiled, json& out) {
  std::vector<int> waiting;
  for (const json& o : m["operators"]) {
    if (!o["edgetpu"].get<bool>() && o["rule_id"] == "partition.single_subgraph") waiting.push_back(o["op_index"].get<int>());
  }
  if (waiting.empty()) return OkStatus();
  CompileOptions options = compiled;
  options.multiple_subgraphs = true;
  options.build_models = false;
  const ModelInput input = ModelInput::FromPath(m["name"].get<std::string>());
  ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(std::span<const ModelInput>(&input, 1), options));
  if (!r.ok || r.models.empty()) return OkStatus();
  json mapped = json::array();
  for (int op : waiting) {
    if (r.models.front().operators.at(static_cast<size_t>(op)).region >= 0) mapped.push_back(op);
  }
  Add(out, "multiple_subgraphs", index,
      fmt::format("{} operator(s) stay on the CPU only because the compiler makes one Edge TPU subgraph; compiling with -a "
                  "(edgetpu_compiler -a) maps {} of them ({} Edge TPU subgraphs).",
                  waiting.size(), mapped.size(), r.models.front().regions.size()),
      {{"option", "-a"}, {"mapped_ops", mapped}, {"subgraphs", static_cast<int64_t>(r.models.front().regions.size())}});
  return OkStatus();
}

/// A package that needs a newer runtime than the target: -m TARGET (the compiler, run with it).
Status RuntimeAdvice(const json& m, size_t index, const CompileOptions& compiled, int target, json& out) {
  if (m["min_runtime_version"].get<int>() <= target) return OkStatus();
  CompileOptions options = compiled;
  options.min_runtime_version = target;
  options.build_models = false;
  const ModelInput input = ModelInput::FromPath(m["name"].get<std::string>());
  ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(std::span<const ModelInput>(&input, 1), options));
  if (!r.ok || r.models.empty()) return OkStatus();
  const ModelResult& with_m = r.models.front();
  Add(out, "runtime_version", index,
      fmt::format("The package needs runtime {}, newer than the target {}: compile with -m {} (edgetpu_compiler -m {}); the "
                  "package then needs runtime {} and {} of {} operators run on the Edge TPU.",
                  m["min_runtime_version"].get<int>(), target, target, target, with_m.min_runtime_version,
                  with_m.operators.size() - with_m.cpu_ops.size(), with_m.operators.size()),
      {{"option", fmt::format("-m {}", target)}, {"min_runtime_version", with_m.min_runtime_version},
       {"edgetpu_ops", static_cast<int64_t>(with_m.operators.size() - with_m.cpu_ops.size())}});
  return OkStatus();
}

/// Every other CPU operator: the rule that refused it, and the nearest change that maps it
/// (report_nearest.h: the rules themselves, put to each candidate change).
Status CpuRuleAdvice(const json& m, size_t index, const CompileOptions& compiled, json& out) {
  std::vector<int> refused;
  std::vector<const json*> verdicts;
  for (const json& o : m["operators"]) {
    if (o["edgetpu"].get<bool>() || o["rule_id"] == "partition.single_subgraph") continue;
    refused.push_back(o["op_index"].get<int>());
    verdicts.push_back(&o);
  }
  ETPU_ASSIGN_OR_RETURN(json changes, NearestChanges(m["name"].get<std::string>(), refused, compiled));
  for (size_t k = 0; k < refused.size(); ++k) {
    const json& o = *verdicts[k];
    json change = changes.at(k);
    const std::string nearest = change["text"].get<std::string>();
    change.erase("text");
    change.erase("op_index");
    Add(out, "cpu_operator", index,
        fmt::format("Operator {} ({}) runs on the CPU: rule {}: {}. Nearest change: {}.", o["op_index"].get<int>(), o["op"].get<std::string>(),
                    o["rule_id"].get<std::string>(), o["reason"].get<std::string>(), nearest),
        {{"op_index", o["op_index"]}, {"rule_id", o["rule_id"]}, {"change", std::move(change)}});
  }
  return OkStatus();
}

/// Bytes the compiler streams whatever the room (element-wise constants, an LSTM's sequence
/// buffer): no order or grouping caches them.
void AlwaysStreamedAdvice(const json& m, size_t index, json& out) {
  int64_t bytes = 0;
  std::string ops;
  json op_indices = json::array();
  for (const json& l : m["layers"]) {
    if (!l["always_streamed"].is_boolean() || !l["always_streamed"].get<bool>()) continue;
    bytes += I(l["param_bytes"]);
    ops += fmt::format("{}op {} {}", ops.empty() ? "" : ", ", I(l["op_index"]), l["op"].get<std::string>());
    op_indices.push_back(l["op_index"]);
  }
  if (bytes == 0) return;
  Add(out, "always_streamed", index,
      fmt::format("{} of parameters ({}) stream on every inference whatever the room: the compiler never caches them "
                  "(element-wise constants, an LSTM's sequence buffer), so no order or grouping changes them.",
                  B(bytes), ops),
      {{"op_indices", std::move(op_indices)}, {"bytes", bytes}});
}

void StreamAdvice(const json& doc, const json& m, size_t index, json& out) {
  AlwaysStreamedAdvice(m, index, out);
  if (!m["first_streamed"].is_object()) return;
  const int64_t need = I(m["first_streamed"]["param_bytes"]);
  const int64_t free = I(m["remaining_bytes"]);
  const std::string text = fmt::format(
      "{} of parameters stream on every inference. The first streamed layer (op {}) needs {}; {} are free, so {} more would "
      "have to go (a smaller model, or fewer models co-compiled with it) for it to be cached.",
      B(I(m["offchip_bytes"])), I(m["first_streamed"]["op_index"]), B(need), B(free), B(need - free));
  json predicted = {{"op_index", m["first_streamed"]["op_index"]}, {"missing_bytes", std::max<int64_t>(0, need - free)}};
  const json& w = doc["orders"];
  if (w.is_object()) {  // The listed order in which this model streams least.
    const json* best = nullptr;
    int64_t best_streamed = I(m["offchip_bytes"]);
    for (const json& o : w["orders"]) {
      for (const json& mm : o["models"]) {
        if (mm["model"].get<size_t>() == index && o["ok"].get<bool>() && I(mm["offchip_bytes"]) < best_streamed) {
          best = &o;
          best_streamed = I(mm["offchip_bytes"]);
        }
      }
    }
    if (best) {
      predicted["order"] = (*best)["order"];
      predicted["order_offchip_bytes"] = best_streamed;
      std::string names;
      for (const json& k : (*best)["order"]) names += (names.empty() ? "" : ", ") + doc["models"][k.get<size_t>()]["name"].get<std::string>();
      Add(out, "streamed_layers", index, text + fmt::format(" Compiled in the order {} it streams {} instead.", names, B(best_streamed)), predicted);
      return;
    }
  }
  Add(out, "streamed_layers", index, text, predicted);
}

/// Co-compiled vs each model alone: later times, and how often the models must alternate for the
/// shared SRAM to pay off (alone, every switch uploads the parameters again).
void CoCompileAdvice(const json& doc, json& out) {
  const json& w = doc["orders"];
  if (!w.is_object()) return;
  double together = 0, apart = 0, reload = 0;
  for (size_t i = 0; i < w["solo"].size(); ++i) {
    const json& s = w["solo"][i];
    if (s.is_null()) return;
    together += doc["models"][i]["timing"]["later_ms"].get<double>();
    apart += s["later_ms"].get<double>();
    reload += s["first_ms"].get<double>() - s["later_ms"].get<double>();
  }
  const double cost = together - apart;  // What co-compiling costs per round of every model.
  std::string text;
  if (cost <= 0) {
    text = fmt::format("Co-compiling pays off: one round of every model takes {:.3f} ms together and {:.3f} ms apart, and "
                       "together no switch between the models uploads parameters again (apart: {:.3f} ms per round of switches).",
                       together, apart, reload);
  } else {
    text = fmt::format("Co-compiling costs {:.3f} ms per round of every model ({:.3f} ms together, {:.3f} ms apart) and saves "
                       "{:.3f} ms of parameter upload per switch between models compiled apart: it pays off when the models "
                       "switch more often than once every {:.1f} rounds.",
                       cost, together, apart, reload, reload / cost);
  }
  out.push_back({{"kind", "co_compile"}, {"model", nullptr}, {"text", text},
                 {"predicted", {{"together_later_ms", together}, {"apart_later_ms", apart}, {"reload_ms", reload}}}});
}

}  // namespace

Result<json> Advice(const json& doc, const CompileOptions& compiled, int target_runtime) {
  json out = json::array();
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const json& m = doc["models"][i];
    if (!m["operators"].is_array()) continue;  // Read from a compiled file: the verdicts are not known.
    ETPU_RETURN_IF_ERROR(RuntimeAdvice(m, i, compiled, target_runtime, out));
    ETPU_RETURN_IF_ERROR(SubgraphAdvice(m, i, compiled, out));
    ETPU_RETURN_IF_ERROR(CpuRuleAdvice(m, i, compiled, out));
    StreamAdvice(doc, m, i, out);
  }
  CoCompileAdvice(doc, out);
  return out;
}

}  // namespace etpu::report
