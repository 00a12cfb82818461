#include "report/report_checks.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace etpu::report {
namespace {

using nlohmann::json;

int64_t I(const json& v) { return v.is_number_integer() ? v.get<int64_t>() : 0; }

void Add(json& out, const std::string& id, json group, json model, bool ok, const std::string& detail) {
  out.push_back({{"id", id}, {"group", std::move(group)}, {"model", std::move(model)}, {"ok", ok}, {"detail", detail}});
}

std::string Eq(int64_t a, int64_t b) { return std::to_string(a) + (a == b ? " = " : " != ") + std::to_string(b); }

void ModelChecks(const json& m, int64_t index, json& out) {
  int64_t cached = 0, streamed = 0;
  for (const json& l : m["layers"]) (l["cached"].get<bool>() ? cached : streamed) += I(l["param_bytes"]);
  const bool has_layers = !m["layers"].empty();
  if (has_layers) {
    Add(out, "layers_sum_onchip", nullptr, index, cached == I(m["onchip_bytes"]),
        "cached layer bytes " + Eq(cached, I(m["onchip_bytes"])) + " on-chip bytes");
    Add(out, "layers_sum_offchip", nullptr, index, streamed == I(m["offchip_bytes"]),
        "streamed layer bytes " + Eq(streamed, I(m["offchip_bytes"])) + " off-chip bytes");
  }
  const json& in = m["inspect"];
  const bool pkg = I(in["on_chip_bytes"]) == I(m["onchip_bytes"]) && I(in["off_chip_bytes"]) == I(m["offchip_bytes"]) &&
                   in["token"] == m["token"];
  Add(out, "package_agrees", nullptr, index, pkg,
      "package on-chip " + Eq(I(in["on_chip_bytes"]), I(m["onchip_bytes"])) + ", off-chip " +
          Eq(I(in["off_chip_bytes"]), I(m["offchip_bytes"])) + ", token " + in["token"].get<std::string>());
  int64_t t_cached = 0, t_streamed = 0;
  double load = 0;
  for (const json& o : m["timing"]["edgetpu_ops"]) {
    t_cached += I(o["cached_param_bytes"]);
    t_streamed += I(o["streamed_param_bytes"]);
    load += o["param_load_ms"].get<double>();
  }
  Add(out, "timing_reads_same_bytes", nullptr, index, t_cached == I(m["onchip_bytes"]) && t_streamed == I(m["offchip_bytes"]),
      "timing model cached " + Eq(t_cached, I(m["onchip_bytes"])) + ", streamed " + Eq(t_streamed, I(m["offchip_bytes"])));
  // The per-operator Edge TPU times (layer table) add up to the executables' compute time.
  double op_compute = 0, exe_compute = 0;
  bool per_layer = m["operators"].is_array() && !m["timing"]["edgetpu_ops"].empty();
  for (const json& o : m["timing"]["edgetpu_ops"]) {
    per_layer = per_layer && !o["layers"].empty();
    exe_compute += o["compute_ms"].get<double>();
  }
  if (per_layer) {
    for (const json& o : m["operators"]) {
      if (o["compute_ms"].is_number()) op_compute += o["compute_ms"].get<double>();
    }
    Add(out, "operator_times_sum_compute", nullptr, index,
        std::fabs(op_compute - exe_compute) <= 1e-9 * std::max(1.0, exe_compute),
        "operators' compute " + std::to_string(op_compute) + " ms, executables' compute " + std::to_string(exe_compute) +
            " ms");
  }
  const double diff = m["timing"]["first_ms"].get<double>() - m["timing"]["later_ms"].get<double>();
  Add(out, "first_is_later_plus_upload", nullptr, index, std::fabs(diff - load) <= 1e-9 * std::max(1.0, load),
      "first - later = " + std::to_string(diff) + " ms, cached-parameter upload = " + std::to_string(load) + " ms");
}

void GroupChecks(const json& doc, const json& g, int64_t index, json& out) {
  std::set<std::string> tokens;
  for (const json& mi : g["models"]) {
    const json& m = doc["models"][mi.get<size_t>()];
    if (I(m["edgetpu_subgraphs"]) > 0) tokens.insert(m["token"].get<std::string>());
  }
  const bool one_token = tokens.size() <= 1 && (tokens.empty() || *tokens.begin() != "0x0000000000000000");
  Add(out, "one_nonzero_token", index, nullptr, one_token, std::to_string(tokens.size()) + " distinct token(s) among the group's Edge TPU models");
  // Cached regions: disjoint and inside the parameter capacity (or, without a division, in order).
  std::vector<std::pair<int64_t, int64_t>> regions;
  for (const json& mi : g["models"]) {
    for (const json& l : doc["models"][mi.get<size_t>()]["layers"]) {
      if (l["sram_offset"].is_number_integer()) regions.push_back({I(l["sram_offset"]), I(l["param_bytes"])});
    }
  }
  std::sort(regions.begin(), regions.end());
  bool disjoint = true;
  for (size_t i = 1; i < regions.size(); ++i) disjoint = disjoint && regions[i - 1].first + regions[i - 1].second <= regions[i].first;
  std::string detail = std::to_string(regions.size()) + " cached regions " + (disjoint ? "do not overlap" : "overlap");
  bool fits = true;
  if (g["sram"].is_object()) {
    const json& s = g["sram"];
    const int64_t start = I(s["executable_reserve_bytes"]) + I(s["activation_bytes"]) + I(s["set_reserve_bytes"]);
    const int64_t end = start + I(s["parameter_capacity_bytes"]);
    for (const auto& [off, bytes] : regions) fits = fits && off >= start && off + bytes <= end;
    detail += fits ? " and lie inside the parameter area" : " and do not all lie inside the parameter area";
    const int64_t parts = start + I(s["parameter_capacity_bytes"]);
    Add(out, "sram_division", index, nullptr, parts <= I(s["sram_bytes"]) && (I(s["parameter_capacity_bytes"]) == 0 || parts == I(s["sram_bytes"])),
        "executable + activations + set reserve + parameter capacity = " + Eq(parts, I(s["sram_bytes"])) + " SRAM bytes");
    const int64_t used = I(s["cached_bytes"]) + I(s["remaining_bytes"]);
    Add(out, "used_plus_remaining", index, nullptr, used == I(s["parameter_capacity_bytes"]),
        "on-chip used (all models) + remaining = " + Eq(used, I(s["parameter_capacity_bytes"])) + " parameter capacity");
  }
  Add(out, "cached_regions_fit", index, nullptr, disjoint && fits, detail);
}

/// The what-if's entry for the given order is the compile the report made (same bytes, same times).
void WhatIfChecks(const json& doc, json& out) {
  if (!doc.contains("orders") || !doc["orders"].is_object()) return;
  for (const json& o : doc["orders"]["orders"]) {
    if (!o["given"].get<bool>()) continue;
    bool ok = o["ok"].get<bool>();
    for (const json& mm : o["models"]) {
      const json& m = doc["models"][mm["model"].get<size_t>()];
      const double later = m["timing"]["later_ms"].get<double>();
      ok = ok && I(mm["onchip_bytes"]) == I(m["onchip_bytes"]) && I(mm["offchip_bytes"]) == I(m["offchip_bytes"]) &&
           std::fabs(mm["later_ms"].get<double>() - later) <= 1e-9 * std::max(1.0, later);
    }
    Add(out, "what_if_agrees", 0, nullptr, ok, "the order what-if predicts, for the given order, the bytes and the later times of the compiled set");
  }
}

}  // namespace

json InvariantChecks(const json& doc) {
  json out = json::array();
  for (size_t g = 0; g < doc["groups"].size(); ++g) GroupChecks(doc, doc["groups"][g], static_cast<int64_t>(g), out);
  for (size_t m = 0; m < doc["models"].size(); ++m) ModelChecks(doc["models"][m], static_cast<int64_t>(m), out);
  WhatIfChecks(doc, out);
  return out;
}

}  // namespace etpu::report
