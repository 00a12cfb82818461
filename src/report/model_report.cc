// BuildModelReport: reads the inputs, compiles the source models together, reads the compiled
// ones, times everything with the one timing model and assembles the document.
#include <algorithm>
#include <map>
#include <utility>

#include "base/file_io.h"
#include "driver/console_report.h"
#include "driver/transcript.h"
#include "etpu/compiler.h"
#include "etpu/timing.h"
#include "report/file_digest.h"
#include "report/inspect.h"
#include "report/model_report.h"
#include "report/report_advice.h"
#include "report/report_checks.h"
#include "report/report_orders.h"
#include "report/report_plan.h"
#include "report/report_seed.h"
#include "report/report_traffic.h"

namespace etpu::report {
namespace {

using nlohmann::json;

struct Input {
  std::string path;
  std::vector<uint8_t> bytes;
  InspectReport inspect;
  bool compiled = false;  ///< Holds an edgetpu-custom-op: read, not compiled.
};

json LayerTimingsJson(const std::vector<LayerTiming>& layers) {
  json out = json::array();
  for (const LayerTiming& l : layers) {
    out.push_back({{"region_op_index", l.region_op_index}, {"name", l.name}, {"cycles", l.cycles},
                   {"compute_ms", l.compute_ms}});
  }
  return out;
}

json TimingJson(const ModelTiming& t) {
  json ops = json::array();
  for (const EdgeTpuOpTiming& o : t.edgetpu_ops) {
    ops.push_back({{"op_index", o.op_index},           {"token", FormatToken(o.token)},
                   {"first_ms", o.first_ms},           {"later_ms", o.later_ms},
                   {"compute_ms", o.compute_ms},       {"h2d_ms", o.h2d_ms},
                   {"d2h_ms", o.d2h_ms},               {"stream_ms", o.stream_ms},
                   {"param_load_ms", o.param_load_ms}, {"fixed_ms", o.fixed_ms},
                   {"cycles", o.cycles},               {"clock_hz", o.clock_hz},
                   {"stream_bound", o.stream_bound},   {"cached_param_bytes", o.cached_param_bytes},
                   {"streamed_param_bytes", o.streamed_param_bytes}, {"instruction_bytes", o.instruction_bytes},
                   {"input_bytes", o.input_bytes},     {"output_bytes", o.output_bytes},
                   {"scratch_h2d_bytes", o.scratch_h2d_bytes}, {"scratch_d2h_bytes", o.scratch_d2h_bytes},
                   {"h2d_ms_per_byte", o.h2d_ms_per_byte}, {"layers", LayerTimingsJson(o.layers)}});
  }
  return {{"chip", t.chip},         {"host", t.host},         {"clock", t.clock},
          {"first_ms", t.first_ms}, {"later_ms", t.later_ms}, {"cpu_op_count", t.cpu_op_count},
          {"cpu_macs", t.cpu_macs}, {"left_out", t.left_out}, {"edgetpu_ops", ops}};
}

/// The three memory lines of the compiler's summary block, verbatim.
json MemoryLines(const std::string& block) {
  json lines = json::array();
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find('\n', start);
    if (end == std::string::npos) end = block.size();
    std::string line = block.substr(start, end - start);
    if (line.starts_with("On-chip memory") || line.starts_with("Off-chip memory")) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

/// Why the first streamed layer (execution order) is streamed, in words; layers the compiler
/// streams whatever the room are not candidates (null when nothing else streams).
json FirstStreamed(const json& layers, const ModelResult& m) {
  for (const json& l : layers) {
    if (l["cached"].get<bool>() || l["always_streamed"].get<bool>()) continue;
    const int64_t bytes = l["param_bytes"].get<int64_t>();
    std::string why;
    if (m.onchip_remaining_bytes < bytes) {
      why = "its " + std::to_string(bytes) + " bytes did not fit: " + std::to_string(m.onchip_remaining_bytes) +
            " bytes of the " + std::to_string(m.sram.parameter_capacity_bytes) + "-byte parameter capacity are left after the " +
            m.cache_policy + " policy placed the layers it ranks first";
    } else {
      why = "streamed although " + std::to_string(m.onchip_remaining_bytes) + " bytes remain: the " + m.cache_policy +
            " policy did not cache it when its turn came (the space left then was smaller)";
    }
    return {{"op_index", l["op_index"]}, {"op", l["op"]}, {"param_bytes", bytes}, {"why", why}};
  }
  return nullptr;
}

/// Each operator of a model compiled here gets its estimated time on the Edge TPU (operators of
/// region r are the layers of the timing's edgetpu op r, region operator k = regions[r].ops[k]):
/// compute_ms (0 for a shape-only operator), stream_ms (its streamed parameter bytes on the host
/// link, 0 when cached or without parameters) and the bound ("compute" or "stream"); null on the
/// CPU, or when the package's own cycle estimate timed it (no per-layer split).
void AddOperatorTimes(json& model, const ModelResult& m) {
  const json& ops_timing = model["timing"]["edgetpu_ops"];
  std::map<int, int64_t> streamed;  // op index -> streamed parameter bytes
  for (const LayerPlacement& p : m.layers) {
    if (!p.cached) streamed[p.op_index] += p.bytes;
  }
  std::map<int, std::pair<double, double>> times;  // op index -> compute, stream
  if (ops_timing.size() == m.regions.size()) {
    for (size_t r = 0; r < m.regions.size(); ++r) {
      const json& t = ops_timing[r];
      if (t["layers"].empty()) continue;
      const std::vector<int>& region_ops = m.regions[r].ops;
      for (int op : region_ops) times[op] = {0.0, 0.0};
      for (const json& l : t["layers"]) {
        const int k = l["region_op_index"].get<int>();
        if (k >= 0 && static_cast<size_t>(k) < region_ops.size()) times[region_ops[static_cast<size_t>(k)]].first = l["compute_ms"].get<double>();
      }
      for (int op : region_ops) {
        const auto s = streamed.find(op);
        if (s != streamed.end()) times[op].second = static_cast<double>(s->second) * t["h2d_ms_per_byte"].get<double>();
      }
    }
  }
  for (json& o : model["operators"]) {
    const auto it = times.find(o["op_index"].get<int>());
    if (it == times.end()) {
      o["compute_ms"] = nullptr;
      o["stream_ms"] = nullptr;
      o["bound"] = nullptr;
      continue;
    }
    o["compute_ms"] = it->second.first;
    o["stream_ms"] = it->second.second;
    o["bound"] = it->second.second > it->second.first ? "stream" : "compute";
  }
}

}  // namespace

std::map<int64_t, json> LayersByOperator(const json& layers) {
  std::map<int64_t, json> out;
  for (const json& l : layers) {
    const std::string placement = l["cached"].get<bool>() ? "cached" : "streamed";
    auto [it, first] = out.emplace(l["op_index"].get<int64_t>(), l);
    json& o = it->second;
    if (first) {
      o["placement"] = placement;
      continue;
    }
    o["param_bytes"] = o["param_bytes"].get<int64_t>() + l["param_bytes"].get<int64_t>();
    if (o["placement"] != placement) o["placement"] = "split";
    o["cached"] = o["cached"].get<bool>() && l["cached"].get<bool>();
    if (o["sram_offset"].is_null()) o["sram_offset"] = l["sram_offset"];
  }
  return out;
}

namespace {

/// One model compiled here: verdicts, placements (with their SRAM address), summary, checks.
json CompiledModelJson(const ModelResult& m, int64_t& sram_cursor) {
  json ops = json::array();
  for (const OperatorVerdict& v : m.operators) {
    ops.push_back({{"op_index", v.op_index}, {"op", v.op},         {"status", v.status},
                   {"rule_id", v.rule_id},   {"reason", v.reason}, {"edgetpu", v.region >= 0}});
  }
  // Cached layers take consecutive SRAM after the set's reserves, model by model, region by region.
  std::map<std::pair<int, int64_t>, int64_t> region_base;
  std::vector<int64_t> cached_per_region(m.regions.size(), 0);
  for (const LayerPlacement& p : m.layers) {
    if (p.cached && p.region >= 0 && static_cast<size_t>(p.region) < cached_per_region.size()) cached_per_region[static_cast<size_t>(p.region)] += p.bytes;
  }
  std::vector<int64_t> base(m.regions.size(), 0);
  for (size_t r = 0; r < m.regions.size(); ++r) {
    base[r] = sram_cursor;
    sram_cursor += cached_per_region[r];
  }
  std::vector<LayerPlacement> layers = PackageEntries(m.layers);  // as read back from the package
  std::stable_sort(layers.begin(), layers.end(), [](const LayerPlacement& a, const LayerPlacement& b) { return a.op_index < b.op_index; });
  json lj = json::array();
  for (const LayerPlacement& p : layers) {
    const bool known_region = p.region >= 0 && static_cast<size_t>(p.region) < base.size();
    const std::string op = p.op_index >= 0 && static_cast<size_t>(p.op_index) < m.operators.size() ? m.operators[static_cast<size_t>(p.op_index)].op : "";
    lj.push_back({{"op_index", p.op_index},
                  {"op", op},
                  {"region", p.region},
                  {"cached", p.cached},
                  {"always_streamed", p.always_streamed},
                  {"param_offset", p.offset},
                  {"param_bytes", p.bytes},
                  {"sram_offset", p.cached && known_region ? json(base[static_cast<size_t>(p.region)] + p.offset) : json(nullptr)}});
  }
  const std::string block = driver::RenderModelBlock(driver::Summarize(m), false);
  return {{"origin", "compiled"},
          {"producer", "etpu"},
          {"name", m.input_name},
          {"output_name", m.output_path},
          {"token", FormatToken(m.caching_token)},
          {"min_runtime_version", m.min_runtime_version},
          {"onchip_bytes", m.onchip_bytes},
          {"offchip_bytes", m.offchip_bytes},
          {"remaining_bytes", m.onchip_remaining_bytes},
          {"total_ops", static_cast<int64_t>(m.operators.size())},
          {"edgetpu_subgraphs", static_cast<int64_t>(m.regions.size())},
          {"summary_text", block},
          {"summary_lines", MemoryLines(block)},
          {"operators", ops},
          {"layers", lj},
          {"first_streamed", FirstStreamed(lj, m)},
          {"missing", json::array()}};
}

/// One model read from its compiled file: what the package tells. Its cached layers take the SRAM
/// from `cursor` on (the models of one token group follow each other; the reserves are unknown).
json ReadModelJson(const Input& in, int64_t& cursor) {
  const bool ours = !in.inspect.edgetpu_ops.empty() && in.inspect.edgetpu_ops.front().etpu_virtual;
  json lj = json::array();
  for (size_t r = 0; r < in.inspect.edgetpu_ops.size(); ++r) {
    const InspectCustomOp& c = in.inspect.edgetpu_ops[r];
    for (const InspectLayer& l : c.layers) {
      const bool cached = l.placement == "cached";
      lj.push_back({{"op_index", l.op_index},
                    {"op", l.op_name},
                    {"region", static_cast<int64_t>(r)},
                    {"cached", cached},
                    {"always_streamed", nullptr},  // not recorded in a package
                    {"param_offset", l.offset},
                    {"param_bytes", l.size},
                    {"sram_offset", cached ? json(cursor + static_cast<int64_t>(l.offset)) : json(nullptr)}});
    }
    cursor += c.on_chip_bytes;
  }
  json missing = json::array();
  missing.push_back("operator statuses and rule ids (only the compiler's .log and console have them; compile the source model to see them)");
  missing.push_back("the SRAM division (executable, activations) and the remaining bytes (not stored in the package)");
  if (!ours) missing.push_back("per-layer placement and SRAM offsets (the layout of Google's parameter blobs is not known)");
  return {{"origin", "read"},
          {"producer", in.inspect.edgetpu_ops.empty() ? "none" : (ours ? "etpu" : "google")},
          {"name", in.path},
          {"output_name", in.path},
          {"token", FormatToken(in.inspect.token)},
          {"min_runtime_version", in.inspect.edgetpu_ops.empty() ? 0 : in.inspect.edgetpu_ops.front().min_runtime_version},
          {"onchip_bytes", in.inspect.on_chip_bytes},
          {"offchip_bytes", in.inspect.off_chip_bytes},
          {"remaining_bytes", nullptr},
          {"total_ops", in.inspect.total_ops},
          {"edgetpu_subgraphs", static_cast<int64_t>(in.inspect.edgetpu_ops.size())},
          {"summary_text", nullptr},
          {"summary_lines", nullptr},
          {"operators", nullptr},
          {"layers", lj},
          {"first_streamed", nullptr},
          {"missing", missing}};
}

/// Adds the package view (inspect), the runtime check and the timing to a model's JSON.
Status AddPackageAndTiming(json& model, std::span<const uint8_t> compiled, const std::string& name,
                           const ReportOptions& options, json& warnings) {
  InspectOptions io;
  io.runtime_version = options.target_runtime_version;
  ETPU_ASSIGN_OR_RETURN(InspectReport inspected, InspectCompiledModelBytes(compiled, name, io));
  model["inspect"] = json::parse(RenderInspectJson(inspected));
  for (const InspectCustomOp& c : inspected.edgetpu_ops) {
    if (!c.runtime_error.empty()) warnings.push_back({{"model", name}, {"op_index", c.op_index}, {"message", c.runtime_error}});
  }
  TimingOptions to;
  to.host = options.host;
  to.clock = options.clock;
  ETPU_ASSIGN_OR_RETURN(ModelTiming timing, EstimateModelTiming(compiled, name, to));
  model["timing"] = TimingJson(timing);
  return OkStatus();
}

json SramJson(const SramDivision& d, int64_t cached, int64_t remaining) {
  return {{"sram_bytes", d.sram_bytes},
          {"executable_reserve_bytes", d.executable_reserve_bytes},
          {"activation_bytes", d.activation_bytes},
          {"set_reserve_bytes", d.set_reserve_bytes},
          {"parameter_capacity_bytes", d.parameter_capacity_bytes},
          {"cached_bytes", cached},
          {"remaining_bytes", remaining}};
}

}  // namespace

Result<json> BuildModelReport(const std::vector<std::string>& paths, const ReportOptions& options) {
  if (paths.empty()) return InvalidArgumentError("report: no model given");
  json plan = nullptr;  // Section 8, read first so that a bad plan file fails before any compile.
  if (!options.plan_path.empty()) {
    ETPU_ASSIGN_OR_RETURN(plan, ReadPlanSection(options.plan_path));
  }
  std::vector<Input> inputs;
  json input_json = json::array();
  for (const std::string& path : paths) {
    Input in;
    in.path = path;
    ETPU_ASSIGN_OR_RETURN(in.bytes, base::ReadFile(path));
    auto inspected = InspectCompiledModelBytes(in.bytes, path);
    if (!inspected.ok()) {
      return InvalidArgumentError(path + ": not a TFLite model the report can read: " + inspected.status().message());
    }
    in.inspect = std::move(inspected).value();
    in.compiled = !in.inspect.edgetpu_ops.empty();
    input_json.push_back({{"path", path},
                          {"sha256", Sha256Hex(in.bytes)},
                          {"file_bytes", static_cast<int64_t>(in.bytes.size())},
                          {"kind", in.compiled ? "compiled" : "source"}});
    inputs.push_back(std::move(in));
  }

  json models = json::array();
  json groups = json::array();
  json warnings = json::array();
  json order = json::array();
  // The source models, co-compiled in the given order.
  std::vector<ModelInput> sources;
  for (const Input& in : inputs) {
    if (in.compiled) continue;
    sources.push_back(ModelInput::FromBytes(in.bytes, in.path));
    order.push_back(in.path);
  }
  CompileOptions co = options.compile;
  co.emulate = options.emulate;
  co.build_models = true;  // The report reads its own packages (inspect, timing).
  if (!sources.empty()) {
    ETPU_ASSIGN_OR_RETURN(CompileResult result, Compile(sources, co));
    if (!result.ok) {
      const CompileFailure f = result.failure.value_or(CompileFailure{});
      std::string msg = (f.model_name.empty() ? std::string("the co-compiled set") : f.model_name) + ": compilation failed: " + f.message;
      if (!f.details.empty()) msg += " (" + f.details + ")";
      return FailedPreconditionError(msg);
    }
    const SramDivision division = result.models.empty() ? SramDivision{} : result.models.front().sram;
    int64_t cursor = division.executable_reserve_bytes + division.activation_bytes + division.set_reserve_bytes;
    json members = json::array();
    int64_t cached = 0;
    std::string summary;
    for (size_t k = 0; k < result.models.size(); ++k) {
      const ModelResult& m = result.models[k];
      json mj = CompiledModelJson(m, cursor);
      mj["group"] = static_cast<int64_t>(groups.size());
      ETPU_RETURN_IF_ERROR(AddPackageAndTiming(mj, m.model, m.output_path, options, warnings));
      if (k < sources.size()) {
        ETPU_ASSIGN_OR_RETURN(mj["seed"], SeedFigures(sources[k].bytes, m.model, m.input_name));
      }
      AddOperatorTimes(mj, m);
      summary += mj["summary_text"].get<std::string>();
      members.push_back(static_cast<int64_t>(models.size()));
      cached += m.onchip_bytes;
      models.push_back(std::move(mj));
    }
    int64_t remaining = 0;  // Shared by the set; 0 in a model that maps nothing.
    for (const ModelResult& m : result.models) remaining = std::max(remaining, m.onchip_remaining_bytes);
    groups.push_back({{"kind", "compiled"},
                      {"models", members},
                      {"token", FormatToken(result.caching_token)},
                      {"policy", result.models.empty() ? "" : result.models.front().cache_policy},
                      {"sram", SramJson(division, cached, remaining)},
                      {"summary_text", driver::VersionLine(options.emulate) + "\n" + summary}});
  }
  // The compiled files, grouped by caching token (one token = one share of the SRAM).
  std::map<std::string, size_t> read_group;
  std::map<std::string, int64_t> read_cursor;  // Per token: where the next model's cached layers start.
  for (const Input& in : inputs) {
    if (!in.compiled) continue;
    const std::string token = FormatToken(in.inspect.token);
    json mj = ReadModelJson(in, read_cursor[token]);
    auto it = read_group.find(token);
    if (it == read_group.end() || token == FormatToken(0)) {
      it = read_group.insert_or_assign(token, groups.size()).first;
      groups.push_back({{"kind", "read"}, {"models", json::array()}, {"token", token}, {"policy", nullptr},
                        {"sram", nullptr}, {"summary_text", nullptr}});
    }
    mj["group"] = static_cast<int64_t>(it->second);
    mj["seed"] = json::array();  // Compiled files: the source's identity is not known.
    groups[it->second]["models"].push_back(static_cast<int64_t>(models.size()));
    ETPU_RETURN_IF_ERROR(AddPackageAndTiming(mj, in.bytes, in.path, options, warnings));
    models.push_back(std::move(mj));
  }

  json tokens = json::array();
  for (const json& g : groups) {
    if (g["token"] != FormatToken(0) && std::find(tokens.begin(), tokens.end(), g["token"]) == tokens.end()) tokens.push_back(g["token"]);
  }
  const json& t0 = models.front()["timing"];
  json header = {{"etpu_version", options.tool_version},
                 {"compiler_version", driver::CompilerVersion(options.emulate)},
                 {"emulate", options.emulate},
                 {"target_runtime_version", options.target_runtime_version},
                 {"host", t0["host"]},
                 {"clock", t0["clock"]},
                 {"chip", t0["chip"]},
                 {"inputs", input_json},
                 {"co_compile_order", order},
                 {"tokens", tokens},
                 {"runtime_warnings", warnings}};
  json doc = {{"schema", "etpu-report-1"}, {"header", header}, {"groups", groups}, {"models", models}};
  ETPU_ASSIGN_OR_RETURN(doc["traffic"], HostTraffic(doc["models"], options.fps));
  std::vector<std::string> source_paths;
  for (const json& p : order) source_paths.push_back(p.get<std::string>());
  ETPU_ASSIGN_OR_RETURN(doc["orders"], OrderWhatIf(source_paths, options.host, options.clock, options.emulate, options.fps));
  ETPU_ASSIGN_OR_RETURN(doc["advice"], Advice(doc, co, options.target_runtime_version));
  doc["plan"] = std::move(plan);
  doc["checks"] = InvariantChecks(doc);
  return doc;
}

std::string RenderReportJson(const json& doc) { return doc.dump(2) + "\n"; }

std::string RenderReportAs(const json& doc, const std::string& format) {
  if (format == "json") return RenderReportJson(doc);
  if (format == "txt") return RenderReportText(doc);
  if (format == "csv") return RenderReportCsv(doc);
  return RenderReportHtml(doc);
}

std::string ReportFormatOf(const std::string& path) {
  for (const char* format : {"json", "txt", "csv"}) {
    if (path.ends_with(std::string(".") + format)) return format;
  }
  return "html";
}

}  // namespace etpu::report
