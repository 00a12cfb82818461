// RenderReportHtml: one self-contained page (inline CSS and SVG, no script that runs, nothing
// loaded from anywhere), sections in the order of docs/REPORT.md, and the document itself
// embedded as data.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "base/units.h"
#include "report/model_report.h"
#include "report/report_svg.h"

namespace etpu::report {
namespace {

using nlohmann::json;

constexpr const char* kStyle = R"(body{font:14px/1.4 sans-serif;margin:16px auto;max-width:1200px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:22px 0 2px;border-bottom:1px solid #ccc}
p.explain{margin:2px 0 8px;color:#555}table{border-collapse:collapse;font-size:12px;margin:4px 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:6px;font-size:12px;white-space:pre-wrap}.ok{color:#1d7a35;font-weight:bold}.bad{color:#b3261e;font-weight:bold}
.warn{color:#b3261e}svg.fig{display:block;max-width:100%;height:auto}svg text{font:11px sans-serif;fill:#333}
rect.frame{stroke:#888}line.axis{stroke:#888}line.capacity{stroke:#b3261e;stroke-dasharray:6 3}line.marker{stroke:#b3261e}
polyline.cum{fill:none;stroke:#1d4f1f;stroke-width:1.5}.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}svg.fig{break-inside:avoid}}
)";

std::string E(const json& v) { return HtmlEscape(v.is_string() ? v.get<std::string>() : (v.is_null() ? "-" : v.dump())); }
std::string B(const json& v) { return v.is_number_integer() ? base::FormatBytes(v.get<uint64_t>()) : "-"; }
int64_t I(const json& v) { return v.is_number_integer() ? v.get<int64_t>() : 0; }

std::string Section(const std::string& id, const std::string& title, const std::string& explain) {
  return fmt::format("<h2 id=\"{}\">{}</h2>\n<p class=\"explain\">{}</p>\n", id, HtmlEscape(title), HtmlEscape(explain));
}

std::string Header(const json& doc) {
  const json& h = doc["header"];
  std::string s = Section("header", "1. Header", "What was compiled or read, with which tools, for which host: the inputs are named by their SHA-256.");
  s += "<table>\n";
  s += fmt::format("<tr><th>etpu</th><td>{}</td></tr>\n<tr><th>emulated compiler</th><td>{}</td></tr>\n", E(h["etpu_version"]), E(h["compiler_version"]));
  std::string needs;
  for (const json& m : doc["models"]) needs += fmt::format("{}{}: {}", needs.empty() ? "" : "; ", E(m["name"]), m["min_runtime_version"].get<int>());
  s += fmt::format("<tr><th>target runtime</th><td>{} (packages need: {})</td></tr>\n", E(h["target_runtime_version"]), needs);
  s += fmt::format("<tr><th>host profile</th><td>{} (clock {}, chip {})</td></tr>\n", E(h["host"]), E(h["clock"]), E(h["chip"]));
  std::string order;
  for (const json& p : h["co_compile_order"]) order += (order.empty() ? "" : " &rarr; ") + E(p);
  s += fmt::format("<tr><th>co-compile order</th><td>{}</td></tr>\n", order.empty() ? "-" : order);
  std::string tokens;
  for (const json& t : h["tokens"]) tokens += (tokens.empty() ? "" : ", ") + E(t);
  s += fmt::format("<tr><th>caching tokens</th><td>{}</td></tr>\n</table>\n", tokens.empty() ? "none" : tokens);
  s += "<table>\n<tr><th>input</th><th>kind</th><th>bytes</th><th>SHA-256</th></tr>\n";
  for (const json& in : h["inputs"]) {
    s += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td><code>{}</code></td></tr>\n", E(in["path"]), E(in["kind"]), I(in["file_bytes"]), E(in["sha256"]));
  }
  s += "</table>\n";
  for (const json& w : h["runtime_warnings"]) s += fmt::format("<p class=\"warn\">{}: {}</p>\n", E(w["model"]), E(w["message"]));
  return s;
}

std::string Summary(const json& doc) {
  std::string s = Section("summary", "2. The compiler's summary and its arithmetic",
                          "The lines the compiler prints, then how the 8 MiB SRAM divides: used + remaining is less than 8 MiB because the executable and the activations take their share first.");
  for (size_t gi = 0; gi < doc["groups"].size(); ++gi) {
    const json& g = doc["groups"][gi];
    if (g["summary_text"].is_string()) s += "<pre>" + E(g["summary_text"]) + "</pre>\n";
    if (!g["sram"].is_object()) {
      s += fmt::format("<p>Group {} (token {}) was read from compiled files: the package stores the cached and streamed bytes but not the SRAM division.</p>\n", gi, E(g["token"]));
      continue;
    }
    const json& r = g["sram"];
    s += "<table>\n<tr><th>part of the SRAM</th><th>bytes</th><th></th></tr>\n";
    auto row = [&](const std::string& what, const json& v) { s += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n", what, I(v), B(v)); };
    row("executable and instructions", r["executable_reserve_bytes"]);
    row("activation staging", r["activation_bytes"]);
    row("co-compile set reserve", r["set_reserve_bytes"]);
    for (const json& mi : g["models"]) {
      const json& m = doc["models"][mi.get<size_t>()];
      row("cached parameters of " + E(m["name"]) + " (&ldquo;used&rdquo;)", m["onchip_bytes"]);
    }
    row("free (&ldquo;remaining&rdquo;)", r["remaining_bytes"]);
    row("<b>SRAM</b>", r["sram_bytes"]);
    s += "</table>\n";
    int64_t streamed = 0;
    for (const json& mi : g["models"]) streamed += I(doc["models"][mi.get<size_t>()]["offchip_bytes"]);
    s += streamed == 0
             ? fmt::format("<p>Policy <code>{}</code>. Every parameter is cached; {} of the parameter capacity is left.</p>\n", E(g["policy"]),
                           B(r["remaining_bytes"]))
             : fmt::format("<p>Policy <code>{}</code>. {} stream on every inference. A layer streams although space remains when the policy reached it while less space was left, or when it is always streamed: the remaining {} is what no streamed layer could use.</p>\n",
                           E(g["policy"]), B(json(streamed)), B(r["remaining_bytes"]));
  }
  return s;
}

std::string SramMaps(const json& doc) {
  std::string s = Section("sram", "3. SRAM address map", "Where each co-compiled model's cached layers sit in the 8 MiB SRAM (hover a block for layer, operator, offset, bytes).");
  for (size_t gi = 0; gi < doc["groups"].size(); ++gi) {
    const json& g = doc["groups"][gi];
    s += fmt::format("<p>Group {} (token {}):", gi, E(g["token"]));
    size_t c = 0;
    for (const json& mi : g["models"]) s += fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{}", ModelColour(c++), E(doc["models"][mi.get<size_t>()]["name"]));
    s += "</p>\n" + SramMapSvg(doc, g);
  }
  return s;
}

std::string Waterfalls(const json& doc) {
  std::string s = Section("waterfall", "4. Parameter waterfall", "Each model's layers in execution order, each a step of its parameter bytes (green cached, orange streamed), the cumulative cached bytes against the capacity.");
  for (const json& m : doc["models"]) {
    s += fmt::format("<h3>{}</h3>\n", E(m["name"]));
    if (m["layers"].empty()) {
      s += "<p>No per-layer placement: " + (m["missing"].empty() ? std::string("no parameterised layer on the Edge TPU.") : E(m["missing"].back())) + "</p>\n";
      continue;
    }
    s += WaterfallSvg(m, doc["groups"][m["group"].get<size_t>()]);
    if (m["first_streamed"].is_object()) s += fmt::format("<p>First streamed layer: op {} {} &mdash; {}</p>\n", I(m["first_streamed"]["op_index"]), E(m["first_streamed"]["op"]), E(m["first_streamed"]["why"]));
  }
  return s;
}

std::string LayerTables(const json& doc) {
  std::string s = Section("layers", "5. Per-layer table", "Every operator: Edge TPU or CPU with the compiler's status and the rule that decided it; parameter bytes, cached or streamed, SRAM offset; its estimated Edge TPU compute time and the time its streamed parameters take on the host link (timing model), and which of the two bounds it.");
  for (const json& m : doc["models"]) {
    s += fmt::format("<h3>{}</h3>\n", E(m["name"]));
    for (const json& x : m["missing"]) s += "<p>Missing: " + E(x) + "</p>\n";
    const std::map<int64_t, json> by_op = LayersByOperator(m["layers"]);
    s += "<table>\n<tr><th>op</th><th>operator</th><th>runs on</th><th>status</th><th>rule</th><th>param bytes</th><th>placement</th><th>SRAM offset</th><th>compute ms</th><th>stream ms</th><th>bound</th></tr>\n";
    auto layer_cells = [&](const json* l) {
      if (!l) return std::string("<td></td><td></td><td></td>");
      return fmt::format("<td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td>", I((*l)["param_bytes"]), E((*l)["placement"]), E((*l)["sram_offset"]));
    };
    auto time_cells = [](const json* o) {
      if (!o || !(*o)["compute_ms"].is_number()) return std::string("<td></td><td></td><td></td>");
      return fmt::format("<td class=\"n\">{:.4f}</td><td class=\"n\">{:.4f}</td><td>{}</td>", (*o)["compute_ms"].get<double>(),
                         (*o)["stream_ms"].get<double>(), E((*o)["bound"]));
    };
    if (m["operators"].is_array()) {
      for (const json& o : m["operators"]) {
        auto it = by_op.find(I(o["op_index"]));
        s += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>\n", I(o["op_index"]), E(o["op"]),
                         o["edgetpu"].get<bool>() ? "Edge TPU" : "CPU", E(o["status"]),
                         HtmlEscape(o["rule_id"].get<std::string>() + (o["reason"].get<std::string>().empty() ? "" : ": " + o["reason"].get<std::string>())),
                         layer_cells(it == by_op.end() ? nullptr : &it->second), time_cells(&o));
      }
    } else {
      std::set<int64_t> seen;  // one row per operator, in the package's order
      for (const json& l : m["layers"]) {
        if (!seen.insert(I(l["op_index"])).second) continue;
        s += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>Edge TPU</td><td>-</td><td>-</td>{}{}</tr>\n", I(l["op_index"]), E(l["op"]), layer_cells(&by_op.at(I(l["op_index"]))), time_cells(nullptr));
      }
      for (const json& c : m["inspect"]["cpu_ops"]) s += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>CPU</td><td>-</td><td>-</td>{}{}</tr>\n", I(c["index"]), E(c["op"]), layer_cells(nullptr), time_cells(nullptr));
    }
    s += "</table>\n";
  }
  return s;
}

std::string Timelines(const json& doc) {
  std::string s = Section("timing", "6. First and later inference",
                          "From the timing model: the first inference after a token change uploads the cached parameters first; later ones only stream what is not cached (streaming overlaps the layers).");
  const std::pair<const char*, const char*> legend[] = {{"#7d5ba6", "parameter upload"}, {"#999999", "fixed"}, {"#2f6fb3", "input and instructions"},
                                                        {"#3a9a5b", "layers"}, {"#d9822b", "streaming"}, {"#b8433b", "output"}};
  s += "<p>";
  for (const auto& [colour, what] : legend) s += fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{}", colour, what);
  s += "</p>\n";
  double scale = 0;
  for (const json& m : doc["models"]) scale = std::max(scale, m["timing"]["first_ms"].get<double>());
  for (const json& m : doc["models"]) {
    const json& left_out = m["timing"]["left_out"];
    const char* bound = left_out.empty() ? "" : "&ge; ";
    s += fmt::format("<h3>{}: first {}{:.3f} ms, later {}{:.3f} ms ({}, {} clock)</h3>\n", E(m["name"]), bound,
                     m["timing"]["first_ms"].get<double>(), bound, m["timing"]["later_ms"].get<double>(), E(m["timing"]["host"]),
                     E(m["timing"]["clock"]));
    for (const json& what : left_out) s += fmt::format("<p>Lower bound: leaves out {}.</p>\n", E(what));
    s += TimelineSvg(m, scale);
    for (const json& f : m.value("seed", json::array())) {
      s += fmt::format("<p>The seed measured {} ({}, {} clock): first {:.0f} ms, later {:.0f} ms; the timing model there: first {:.1f} ms, later {:.1f} ms.</p>\n",
                       E(f["label"]), E(f["host"]), E(f["clock"]), f["seed_first_ms"].get<double>(), f["seed_later_ms"].get<double>(),
                       f["ours_first_ms"].get<double>(), f["ours_later_ms"].get<double>());
    }
  }
  return s;
}

std::string Orders(const json& doc) {
  const json& w = doc["orders"];
  std::string s = Section("orders", "7. Co-compile order what-if",
                          "The order of co-compiled models changes which layers fit the SRAM. Every order, compiled and timed; the given order and the best one are marked.");
  if (!w.is_object()) return s + "<p>Only for two to six source models compiled together.</p>\n";
  s += fmt::format("<p>{} orders compared; best: {}. Listed: the best {} and the given one.</p>\n", w["orders_compared"].get<int64_t>(),
                   E(w["objective"]), w["orders"].size());
  s += "<table>\n<tr><th>rank</th><th>order</th><th>per model: cached / streamed, later</th><th>later, summed</th><th>streamed, summed</th></tr>\n";
  for (const json& o : w["orders"]) {
    std::string order, per;
    for (const json& i : o["order"]) order += (order.empty() ? "" : " &rarr; ") + std::to_string(i.get<int>() + 1);
    for (const json& m : o["models"]) {
      per += fmt::format("{}: {} / {}, {:.3f} ms<br>", m["model"].get<int>() + 1, B(m["onchip_bytes"]), B(m["offchip_bytes"]), m["later_ms"].get<double>());
    }
    std::string mark = o["rank"].get<int64_t>() == 0 ? " <b>best</b>" : "";
    if (o["given"].get<bool>()) mark += " <b>given</b>";
    s += o["ok"].get<bool>() ? fmt::format("<tr><td class=\"n\">{}{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.3f} ms</td><td class=\"n\">{}</td></tr>\n",
                                           o["rank"].get<int64_t>() + 1, mark, order, per, o["later_sum_ms"].get<double>(), B(o["streamed_bytes"]))
                             : fmt::format("<tr><td class=\"n\">{}{}</td><td>{}</td><td colspan=\"3\">does not compile: {}</td></tr>\n",
                                           o["rank"].get<int64_t>() + 1, mark, order, E(o["error"]));
  }
  s += "</table>\n<p>Models: ";
  for (size_t i = 0; i < doc["header"]["co_compile_order"].size(); ++i) s += fmt::format("{} = {}; ", i + 1, E(doc["header"]["co_compile_order"][i]));
  return s + "</p>\n";
}

std::string Traffic(const json& doc) {
  const json& t = doc["traffic"];
  std::string s = Section("traffic", "9. Host traffic",
                          fmt::format("What one inference moves over the host link, and the share of each host profile's link it takes at {} inferences per second per model (red: more than the link carries).",
                                      t["fps"].get<double>()));
  s += "<table>\n<tr><th>model</th><th>first, to device</th><th>later, to device</th><th>to host</th>";
  for (const json& h : t["hosts"]) s += fmt::format("<th>{} ({:.0f} MB/s)</th>", E(h["host"]), h["h2d_bytes_per_s"].get<double>() / 1e6);
  s += "</tr>\n";
  auto cells = [&](const json& hosts) {
    std::string c;
    for (const json& h : hosts) {
      const double share = std::max(h["h2d_share"].get<double>(), h["d2h_share"].get<double>());
      c += fmt::format("<td class=\"n{}\">{:.1f}%{}</td>", h["fits"].get<bool>() ? "" : " bad", 100 * share,
                       h["link_max_fps"].is_null() ? std::string() : fmt::format(" (max {:.0f}/s)", h["link_max_fps"].get<double>()));
    }
    return c;
  };
  for (const json& m : t["models"]) {
    s += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>\n",
                     E(doc["models"][m["model"].get<size_t>()]["name"]), B(m["first_h2d_bytes"]), B(m["later_h2d_bytes"]), B(m["d2h_bytes"]), cells(m["hosts"]));
  }
  if (t["models"].size() > 1) {
    s += fmt::format("<tr><td>all models, each at the rate</td><td></td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>\n", B(t["set"]["later_h2d_bytes"]),
                     B(t["set"]["d2h_bytes"]), cells(t["set"]["hosts"]));
  }
  return s + "</table>\n<p>" + E(t["shared_hub_note"]) + "</p>\n";
}

/// The part of a split model that `part_of` names: "stage 2/3" or "replica 1/2".
std::string PartName(const json& plan, const json& m) {
  const bool stage = m["part_kind"] == "stage";
  for (const json& s : plan.value(stage ? "pipelines" : "replicas", json::array())) {
    if (s["model"] == m["part_of"]) return fmt::format("{} {}/{}", stage ? "stage" : "replica", I(m["part"]) + 1, I(s[stage ? "stages" : "replicas"]));
  }
  return "";
}

/// One member of a group in its device's column: which model (or which stage or replica of which
/// model), its rate, cached and streamed bytes, and a bar of its share of the device's time.
std::string PlanMemberHtml(const json& plan, const json& m) {
  std::string what = E(m["name"]);
  if (m["part_kind"].is_string()) what = fmt::format("<b>{}</b> of {}", PartName(plan, m), E(m["part_of"]));
  std::string s = fmt::format("&bull; {}: {:.1f}/s, {:.3f} ms", what, m["rate_hz"].get<double>(), m["later_ms"].get<double>());
  if (m["onchip_bytes"].is_number_integer()) s += fmt::format(", {} cached, {} streamed", B(m["onchip_bytes"]), B(m["offchip_bytes"]));
  if (m["utilisation"].is_number()) s += fmt::format(" {} {:.1f}%", ShareBarSvg(m["utilisation"].get<double>(), "utilisation"), 100 * m["utilisation"].get<double>());
  return s + "<br>";
}

/// The models the plan splits: each pipelined model's stages (cut before which operators, on
/// which device) and each replicated model's replicas.
std::string PlanSplitsHtml(const json& p) {
  const json& pipelines = p.value("pipelines", json::array());
  const json& replicas = p.value("replicas", json::array());
  if (pipelines.empty() && replicas.empty()) return "";
  auto device = [&](const json& d) { return d.is_number_integer() ? E(p["devices"][d.get<size_t>()]["device_string"]) : std::string("-"); };
  std::string s = "<table>\n<tr><th>model</th><th>split</th><th>parts: operators, device</th></tr>\n";
  for (const json& x : pipelines) {
    std::string parts;
    for (size_t k = 0; k < x["starts"].size(); ++k) {
      const std::string end = k + 1 < x["starts"].size() ? std::to_string(I(x["starts"][k + 1]) - 1) : "end";
      parts += fmt::format("stage {}: ops {}&ndash;{} on {}<br>", k + 1, I(x["starts"][k]), end, device(x["devices"][k]));
    }
    s += fmt::format("<tr><td>{}</td><td>pipelined in {} stages ({} partitioner)</td><td>{}</td></tr>\n", E(x["model"]), I(x["stages"]), E(x["method"]), parts);
  }
  for (const json& x : replicas) {
    std::string parts;
    const json& shares = x.value("shares", json::array());
    for (size_t k = 0; k < x["devices"].size(); ++k) {
      const std::string share = k < shares.size() ? fmt::format(", {:.1f}% of the requests", 100 * shares[k].get<double>()) : "";
      parts += fmt::format("replica {}: on {}{}<br>", k + 1, device(x["devices"][k]), share);
    }
    s += fmt::format("<tr><td>{}</td><td>replicated {} times ({})</td><td>{}</td></tr>\n", E(x["model"]), I(x["replicas"]),
                     shares.empty() ? "equal shares of the requests" : "requests dispatched with these shares", parts);
  }
  s += "</table>\n";
  if (!pipelines.empty()) {
    s += "<p>Each stage is a model of its own with the model's whole rate; the tensors cut between stages travel through the host "
         "inside each stage's time (the plan does not list their bytes separately).</p>\n";
  }
  return s;
}

std::string PlanHtml(const json& doc) {
  const auto plan = doc.find("plan");  // Optional: documents of older etpu versions have no section 8.
  if (plan == doc.end() || plan->is_null()) return "";
  const json& p = *plan;
  std::string s = Section("plan", "8. Plan",
                          fmt::format("The plan of {} (etpu plan): per Edge TPU, the co-compile groups in compile order, how busy the device is, "
                                      "how often it switches caching tokens, and the parameters it streams against its link. Throughput "
                                      "headroom {:.2f}x: every demand can grow by this factor before a device is full.",
                                      E(p["file"]), p["throughput_headroom"].get<double>()));
  s += "<table>\n<tr><th></th>";
  for (const json& d : p["devices"]) s += fmt::format("<th>{} ({})</th>", E(d["device_string"]), E(d["host"]));
  s += "</tr>\n<tr><td>groups (compile command) and what runs</td>";
  for (const json& d : p["devices"]) {
    std::string cell;
    for (const json& g : d["groups"]) {
      cell += "<code>" + E(g["compile_command"]) + "</code><br>";
      for (const json& m : g.value("members", json::array())) cell += PlanMemberHtml(p, m);
    }
    s += "<td>" + (cell.empty() ? std::string("idle") : cell) + "</td>";
  }
  s += "</tr>\n<tr><td>utilisation</td>";
  for (const json& d : p["devices"]) {
    const double u = d["utilisation"].get<double>();
    s += fmt::format("<td>{} {:.1f}%</td>", ShareBarSvg(u, "utilisation"), 100 * u);
  }
  s += "</tr>\n<tr><td>token switches per second</td>";
  for (const json& d : p["devices"]) s += fmt::format("<td class=\"n\">{:.2f}</td>", d["token_switches_per_s"].get<double>());
  s += "</tr>\n<tr><td>streamed over the link</td>";
  for (const json& d : p["devices"]) {
    s += fmt::format("<td>{} {:.2f} of {:.0f} MB/s</td>", ShareBarSvg(d["link_share"].get<double>(), "link"), d["streamed_mb_s"].get<double>(),
                     d["link_mb_s"].get<double>());
  }
  s += "</tr>\n</table>\n";
  s += PlanSplitsHtml(p);
  if (p.value("shared_usb_hub", false)) {
    s += "<p class=\"warn\">The USB Edge TPUs share one hub: each has 1/n of its link when all transfer at once (the plan's numbers assume it).</p>\n";
  }
  if (!p["baselines"].empty()) {
    s += "<p>Baselines (throughput headroom):";
    for (const json& b : p["baselines"]) s += fmt::format(" {} {:.2f}x;", E(b["name"]), b["throughput_headroom"].get<double>());
    s += "</p>\n";
  }
  return s;
}

std::string AdviceSection(const json& doc) {
  std::string s = Section("advice", "11. What to change",
                          "Where you can act, with the number each change gives (computed by the compiler and the timing model).");
  if (doc["advice"].empty()) return s + "<p>Nothing to change: every operator is on the Edge TPU and every parameter is cached.</p>\n";
  s += "<ul>\n";
  for (const json& a : doc["advice"]) {
    const std::string who = a["model"].is_null() ? "the set" : E(doc["models"][a["model"].get<size_t>()]["name"]);
    s += fmt::format("<li><b>{}</b>: {}</li>\n", who, E(a["text"]));
  }
  return s + "</ul>\n";
}

std::string Checks(const json& doc) {
  std::string s = Section("checks", "10. Invariant checks", "The report checks its own numbers: green holds, red means the numbers disagree.");
  s += "<table>\n<tr><th></th><th>check</th><th>of</th><th>detail</th></tr>\n";
  for (const json& c : doc["checks"]) {
    const bool ok = c["ok"].get<bool>();
    const std::string of = c["model"].is_null() ? fmt::format("group {}", c["group"].dump()) : E(doc["models"][c["model"].get<size_t>()]["name"]);
    s += fmt::format("<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", ok ? "ok" : "bad", ok ? "&#10003; ok" : "&#10007; FAIL", E(c["id"]), of, E(c["detail"]));
  }
  return s + "</table>\n";
}

}  // namespace

std::string RenderReportHtml(const json& doc) {
  std::string data = RenderReportJson(doc);
  // "</" cannot end the data block early: "<\/" is the same JSON string.
  for (size_t p = data.find("</"); p != std::string::npos; p = data.find("</", p + 3)) data.replace(p, 2, "<\\/");
  std::string title = "etpu report";
  if (!doc["models"].empty()) title += ": " + doc["models"].front()["name"].get<std::string>() + (doc["models"].size() > 1 ? " and others" : "");
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + HtmlEscape(title) + "</title>\n<style>\n" + kStyle +
                  "</style>\n</head>\n<body>\n<h1>" + HtmlEscape(title) + "</h1>\n";
  s += "<p class=\"explain\">Where every byte of the Edge TPU's SRAM goes and why. Numbers come from etpu's compiler and timing model; all of them are also in the JSON embedded in this page.</p>\n";
  s += Header(doc) + Summary(doc) + SramMaps(doc) + Waterfalls(doc) + LayerTables(doc) + Timelines(doc) + Orders(doc) + PlanHtml(doc) + Traffic(doc) + Checks(doc) + AdviceSection(doc);
  s += "<script type=\"application/json\" id=\"etpu-data\">\n" + data + "</script>\n</body>\n</html>\n";
  return s;
}

}  // namespace etpu::report
