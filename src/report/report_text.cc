// RenderReportText: the report document as plain text, section by section.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "base/units.h"
#include "report/model_report.h"

namespace etpu::report {
namespace {

using nlohmann::json;

std::string B(const json& v) { return v.is_number_integer() ? base::FormatBytes(v.get<uint64_t>()) : "-"; }
std::string S(const json& v) { return v.is_string() ? v.get<std::string>() : (v.is_null() ? "-" : v.dump()); }

}  // namespace

std::string RenderReportText(const json& doc) {
  const json& h = doc["header"];
  std::string s = "etpu report\n\n1. Header\n";
  s += fmt::format("  etpu {}; emulated compiler {}; target runtime {}\n", S(h["etpu_version"]), S(h["compiler_version"]),
                   h["target_runtime_version"].get<int>());
  for (const json& m : doc["models"]) s += fmt::format("  package min runtime {}: {}\n", m["min_runtime_version"].get<int>(), S(m["name"]));
  s += fmt::format("  host {} (clock {}, chip {})\n", S(h["host"]), S(h["clock"]), S(h["chip"]));
  for (const json& in : h["inputs"]) s += fmt::format("  input {} ({}, {} bytes) sha256 {}\n", S(in["path"]), S(in["kind"]), in["file_bytes"].get<int64_t>(), S(in["sha256"]));
  if (!h["co_compile_order"].empty()) {
    s += "  co-compile order:";
    for (const json& p : h["co_compile_order"]) s += fmt::format(" {}", S(p));
    s += "\n";
  }
  s += "  caching tokens:";
  for (const json& t : h["tokens"]) s += fmt::format(" {}", S(t));
  s += h["tokens"].empty() ? " none\n" : "\n";
  for (const json& w : h["runtime_warnings"]) s += fmt::format("  WARNING {}: {}\n", S(w["model"]), S(w["message"]));

  s += "\n2. The compiler's summary and the SRAM arithmetic\n";
  for (const json& g : doc["groups"]) {
    if (g["summary_text"].is_string()) s += g["summary_text"].get<std::string>();
    if (!g["sram"].is_object()) {
      s += fmt::format("  group {} (read from compiled files): the package does not store the SRAM division\n", S(g["token"]));
      continue;
    }
    const json& r = g["sram"];
    s += fmt::format("  SRAM {} = executable {} + activations {} + set reserve {} + cached {} + remaining {}\n", B(r["sram_bytes"]),
                     B(r["executable_reserve_bytes"]), B(r["activation_bytes"]), B(r["set_reserve_bytes"]), B(r["cached_bytes"]),
                     B(r["remaining_bytes"]));
  }

  s += "\n4/5. Layers (execution order)\n";
  for (const json& m : doc["models"]) {
    s += fmt::format("  {} [{} by {}]: on-chip {}, off-chip {}, remaining {}\n", S(m["name"]), S(m["origin"]), S(m["producer"]),
                     B(m["onchip_bytes"]), B(m["offchip_bytes"]), B(m["remaining_bytes"]));
    for (const json& x : m["missing"]) s += "    missing: " + S(x) + "\n";
    if (m["operators"].is_array()) {
      for (const json& o : m["operators"]) {
        if (o["edgetpu"].get<bool>()) continue;
        s += fmt::format("    CPU op {} {}: {} [{}] {}\n", o["op_index"].get<int>(), S(o["op"]), S(o["status"]), S(o["rule_id"]), S(o["reason"]));
      }
    }
    std::map<int, const json*> op_times;  // Edge TPU operators with a per-layer time
    if (m["operators"].is_array()) {
      for (const json& o : m["operators"]) {
        if (o["compute_ms"].is_number()) op_times[o["op_index"].get<int>()] = &o;
      }
    }
    bool any_always = false;
    s += fmt::format("    {:>5} {:<20} {:>10} {:<9} {:>10} {:>10} {:>10} {:<7}\n", "op", "operator", "bytes", "place", "sram",
                     "compute ms", "stream ms", "bound");
    for (const json& l : m["layers"]) {
      const auto t = op_times.find(l["op_index"].get<int>());
      const bool timed = t != op_times.end();
      const bool always = l["always_streamed"].is_boolean() && l["always_streamed"].get<bool>();
      any_always = any_always || always;
      s += fmt::format("    {:>5} {:<20} {:>10} {:<9} {:>10} {:>10} {:>10} {:<7}\n", l["op_index"].get<int>(), S(l["op"]),
                       l["param_bytes"].get<int64_t>(), l["cached"].get<bool>() ? "cached" : always ? "streamed*" : "streamed",
                       l["sram_offset"].is_null() ? "-" : l["sram_offset"].dump(),
                       timed ? fmt::format("{:.4f}", (*t->second)["compute_ms"].get<double>()) : "-",
                       timed ? fmt::format("{:.4f}", (*t->second)["stream_ms"].get<double>()) : "-",
                       timed ? S((*t->second)["bound"]) : "-");
    }
    if (any_always) s += "    * streamed whatever the room (element-wise constants, an LSTM's sequence buffer)\n";
    if (m["first_streamed"].is_object()) s += fmt::format("    first streamed layer: op {}: {}\n", m["first_streamed"]["op_index"].get<int>(), S(m["first_streamed"]["why"]));
  }

  s += "\n6. Inference time (timing model)\n";
  for (const json& m : doc["models"]) {
    const json& t = m["timing"];
    const bool bound = !t["left_out"].empty();
    s += fmt::format("  {}: first {}{:.3f} ms, later {}{:.3f} ms\n", S(m["name"]), bound ? ">= " : "", t["first_ms"].get<double>(),
                     bound ? ">= " : "", t["later_ms"].get<double>());
    for (const json& what : t["left_out"]) s += fmt::format("    lower bound: leaves out {}\n", S(what));
    for (const json& f : m.value("seed", json::array())) {
      s += fmt::format("    the seed measured {} ({}, {} clock): first {:.0f} ms, later {:.0f} ms; the timing model there: first {:.1f} ms, later {:.1f} ms\n",
                       S(f["label"]), S(f["host"]), S(f["clock"]), f["seed_first_ms"].get<double>(), f["seed_later_ms"].get<double>(),
                       f["ours_first_ms"].get<double>(), f["ours_later_ms"].get<double>());
    }
    for (const json& o : t["edgetpu_ops"]) {
      s += fmt::format("    op {}: upload {:.3f} + fixed {:.3f} + h2d {:.3f} + max(compute {:.3f}, stream {:.3f}) + d2h {:.3f} ms\n",
                       o["op_index"].get<int>(), o["param_load_ms"].get<double>(), o["fixed_ms"].get<double>(), o["h2d_ms"].get<double>(),
                       o["compute_ms"].get<double>(), o["stream_ms"].get<double>(), o["d2h_ms"].get<double>());
    }
  }

  if (doc["orders"].is_object()) {
    const json& w = doc["orders"];
    s += fmt::format("\n7. Co-compile orders ({} compared; best first: {})\n", w["orders_compared"].get<int64_t>(), S(w["objective"]));
    for (const json& o : w["orders"]) {
      s += fmt::format("  #{} {}{}: later {:.3f} ms summed, {} streamed\n", o["rank"].get<int64_t>() + 1, o["order"].dump(),
                       o["given"].get<bool>() ? " (given)" : "", o["later_sum_ms"].get<double>(), B(o["streamed_bytes"]));
    }
  }
  if (const auto plan = doc.find("plan"); plan != doc.end() && !plan->is_null()) {
    const json& p = *plan;
    s += fmt::format("\n8. Plan ({}): throughput headroom {:.2f}x\n", S(p["file"]), p["throughput_headroom"].get<double>());
    for (const json& d : p["devices"]) {
      s += fmt::format("  {} ({}): utilisation {:.1f}%, {:.2f} token switches/s, {:.2f} MB/s streamed of {:.0f} MB/s ({:.1f}%)\n",
                       S(d["device_string"]), S(d["host"]), 100 * d["utilisation"].get<double>(), d["token_switches_per_s"].get<double>(),
                       d["streamed_mb_s"].get<double>(), d["link_mb_s"].get<double>(), 100 * d["link_share"].get<double>());
      for (const json& g : d["groups"]) {
        s += fmt::format("    {}\n", S(g["compile_command"]));
        for (const json& m : g.value("members", json::array())) {
          s += fmt::format("      {}: {:.1f}/s{}{}\n", S(m["name"]), m["rate_hz"].get<double>(),
                           m["utilisation"].is_number() ? fmt::format(", utilisation {:.1f}%", 100 * m["utilisation"].get<double>()) : "",
                           m["offchip_bytes"].is_number_integer() ? fmt::format(", {} cached, {} streamed", B(m["onchip_bytes"]), B(m["offchip_bytes"])) : "");
        }
      }
    }
    for (const json& x : p.value("pipelines", json::array())) {
      s += fmt::format("  {} pipelined in {} stages ({}), starting at operators {}\n", S(x["model"]), x["stages"].get<int>(), S(x["method"]), x["starts"].dump());
    }
    for (const json& x : p.value("replicas", json::array())) {
      std::vector<std::string> shares;
      for (const json& v : x.value("shares", json::array())) shares.push_back(fmt::format("{:.1f}%", 100 * v.get<double>()));
      s += fmt::format("  {} replicated {} times{}\n", S(x["model"]), x["replicas"].get<int>(),
                       shares.empty() ? "" : fmt::format(" (shares {})", fmt::join(shares, ", ")));
    }
    if (p.value("shared_usb_hub", false)) s += "  The USB Edge TPUs share one hub (each has 1/n of its link).\n";
    for (const json& b : p["baselines"]) s += fmt::format("  baseline {}: headroom {:.2f}x\n", S(b["name"]), b["throughput_headroom"].get<double>());
  }
  const json& tr = doc["traffic"];
  s += fmt::format("\n9. Host traffic per inference, and the link share at {} inferences/s per model\n", tr["fps"].get<double>());
  for (const json& m : tr["models"]) {
    s += fmt::format("  {}: first {} to the device, later {}, {} to the host;", S(doc["models"][m["model"].get<size_t>()]["name"]),
                     B(m["first_h2d_bytes"]), B(m["later_h2d_bytes"]), B(m["d2h_bytes"]));
    for (const json& h : m["hosts"]) {
      s += fmt::format(" {} {:.1f}%{}", S(h["host"]), 100 * std::max(h["h2d_share"].get<double>(), h["d2h_share"].get<double>()),
                       h["fits"].get<bool>() ? "" : " (too much)");
    }
    s += "\n";
  }
  s += "  " + S(tr["shared_hub_note"]) + "\n";

  s += "\n11. What to change\n";
  for (const json& a : doc["advice"]) s += fmt::format("  {}: {}\n", a["model"].is_null() ? "the set" : S(doc["models"][a["model"].get<size_t>()]["name"]), S(a["text"]));

  s += "\n10. Checks\n";
  for (const json& c : doc["checks"]) {
    s += fmt::format("  [{}] {} {}: {}\n", c["ok"].get<bool>() ? " ok " : "FAIL", S(c["id"]),
                     fmt::format("{} {}", c["model"].is_null() ? "group" : "model", (c["model"].is_null() ? c["group"] : c["model"]).dump()), S(c["detail"]));
  }
  return s;
}

}  // namespace etpu::report
