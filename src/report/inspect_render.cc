// Text and JSON renderings of inspect reports (inspect.h).
#include <fmt/format.h>

#include <set>

#include <nlohmann/json.hpp>

#include "base/units.h"
#include "report/inspect.h"

namespace etpu::report {
namespace {

using nlohmann::ordered_json;

std::string Bytes(int64_t n) { return fmt::format("{} ({} B)", base::FormatBytes(static_cast<uint64_t>(std::max<int64_t>(n, 0))), n); }

std::string LayerLine(const package::IoLayer& l) {
  return fmt::format("'{}' {}x{}x{}, {} B, {}, zero point {}, scale {:g}", l.name, l.y_dim, l.x_dim, l.z_dim, l.size_bytes,
                     package::LayerDataTypeName(l.data_type), l.zero_point, l.scale);
}

ordered_json LayerJson(const package::IoLayer& l) {
  return ordered_json{{"name", l.name},           {"size_bytes", l.size_bytes},
                      {"y_dim", l.y_dim},         {"x_dim", l.x_dim},
                      {"z_dim", l.z_dim},         {"data_type", package::LayerDataTypeName(l.data_type)},
                      {"zero_point", l.zero_point}, {"scale", l.scale}};
}

ordered_json ReportJson(const InspectReport& r) {
  ordered_json ops = ordered_json::array();
  for (const InspectCustomOp& c : r.edgetpu_ops) {
    ordered_json execs = ordered_json::array();
    for (const InspectExecutable& e : c.executables) {
      ordered_json in = ordered_json::array(), out = ordered_json::array();
      for (const auto& l : e.input_layers) in.push_back(LayerJson(l));
      for (const auto& l : e.output_layers) out.push_back(LayerJson(l));
      execs.push_back(ordered_json{{"type", e.type},
                                   {"name", e.name},
                                   {"chip", e.chip},
                                   {"token", FormatToken(e.token)},
                                   {"size_bytes", e.size_bytes},
                                   {"parameter_bytes", e.parameter_bytes},
                                   {"instruction_bytes", e.instruction_bytes},
                                   {"instruction_chunks", e.instruction_chunks},
                                   {"parameter_dma_bytes", e.parameter_dma_bytes},
                                   {"used_narrow_memory_bytes_per_tile", e.used_narrow_memory_bytes_per_tile},
                                   {"estimated_cycles_64bit", e.estimated_cycles_64bit},
                                   {"scratch_size_bytes", e.scratch_size_bytes},
                                   {"batch_size", e.batch_size},
                                   {"input_layers", in},
                                   {"output_layers", out}});
    }
    ordered_json layers = ordered_json::array();
    for (const InspectLayer& l : c.layers) {
      layers.push_back(ordered_json{{"op_index", l.op_index}, {"op", l.op_name}, {"kind", l.kind},
                                    {"placement", l.placement}, {"offset", l.offset}, {"size", l.size}});
    }
    ops.push_back(ordered_json{{"op_index", c.op_index},
                               {"format", c.format},
                               {"token", FormatToken(c.token)},
                               {"min_runtime_version", c.min_runtime_version},
                               {"compiler_version", c.compiler_version},
                               {"chip", c.chip},
                               {"etpu_virtual", c.etpu_virtual},
                               {"chip_ids", c.chip_ids},
                               {"execution_preference", c.execution_preference},
                               {"package_bytes", c.package_bytes},
                               {"on_chip_bytes", c.on_chip_bytes},
                               {"off_chip_bytes", c.off_chip_bytes},
                               {"executables", execs},
                               {"region_ops", c.region_ops},
                               {"layers", layers},
                               {"runtime_error", c.runtime_error.empty() ? ordered_json(nullptr) : ordered_json(c.runtime_error)},
                               {"notes", c.notes}});
  }
  ordered_json cpu = ordered_json::array();
  for (const InspectCpuOp& op : r.cpu_ops) cpu.push_back(ordered_json{{"index", op.index}, {"op", op.name}});
  return ordered_json{{"path", r.path},
                      {"file_size", r.file_size},
                      {"description", r.description},
                      {"total_ops", r.total_ops},
                      {"token", FormatToken(r.token)},
                      {"on_chip_bytes", r.on_chip_bytes},
                      {"off_chip_bytes", r.off_chip_bytes},
                      {"edgetpu_ops", ops},
                      {"cpu_ops", cpu}};
}

ordered_json GroupsJson(const std::vector<TokenGroup>& groups) {
  ordered_json out = ordered_json::array();
  for (const TokenGroup& g : groups) {
    out.push_back(ordered_json{{"token", FormatToken(g.token)},
                               {"files", g.paths},
                               {"shares_sram", g.shares_sram()},
                               {"on_chip_bytes", g.on_chip_bytes},
                               {"off_chip_bytes", g.off_chip_bytes}});
  }
  return out;
}

}  // namespace

std::string RenderInspectText(const InspectReport& r) {
  std::string s = fmt::format("{}: {}\n", r.path, base::FormatBytes(static_cast<uint64_t>(r.file_size)));
  if (!r.description.empty()) s += fmt::format("  Description: {}\n", r.description);
  s += fmt::format("  Operators: {} total, {} Edge TPU custom op{}, {} on CPU\n", r.total_ops, r.edgetpu_ops.size(),
                   r.edgetpu_ops.size() == 1 ? "" : "s", r.cpu_ops.size());
  if (r.edgetpu_ops.empty()) s += "  Not compiled for the Edge TPU (no edgetpu-custom-op).\n";
  for (const InspectCustomOp& c : r.edgetpu_ops) {
    s += fmt::format("  edgetpu-custom-op (operator #{}): {} package, {}\n", c.op_index, c.format, Bytes(c.package_bytes));
    s += fmt::format("    Caching token: {}\n", FormatToken(c.token));
    s += fmt::format("    Min runtime version: {}\n", c.min_runtime_version);
    s += fmt::format("    Compiler version: {}\n", c.compiler_version.empty() ? "(none)" : c.compiler_version);
    s += fmt::format("    Chip: {}{}\n", c.chip, c.etpu_virtual ? " (etpu virtual Edge TPU)" : "");
    if (!c.chip_ids.empty()) s += fmt::format("    Chip ids (options key \"6\"): {}\n", fmt::join(c.chip_ids, ", "));
    s += fmt::format("    On-chip memory used for caching model parameters: {}\n", Bytes(c.on_chip_bytes));
    s += fmt::format("    Off-chip memory used for streaming uncached model parameters: {}\n", Bytes(c.off_chip_bytes));
    for (const InspectExecutable& e : c.executables) {
      s += fmt::format("    Executable {} '{}': {} total, {} parameters, {} instructions in {} chunk{}\n", e.type, e.name,
                       Bytes(e.size_bytes), Bytes(e.parameter_bytes), Bytes(e.instruction_bytes), e.instruction_chunks,
                       e.instruction_chunks == 1 ? "" : "s");
      s += fmt::format("      parameter DMA {} B, narrow memory per tile {} B, estimated cycles {}, scratch {} B, batch {}\n",
                       e.parameter_dma_bytes, e.used_narrow_memory_bytes_per_tile, e.estimated_cycles_64bit,
                       e.scratch_size_bytes, e.batch_size);
      for (const auto& l : e.input_layers) s += "      input  " + LayerLine(l) + "\n";
      for (const auto& l : e.output_layers) s += "      output " + LayerLine(l) + "\n";
    }
    if (!c.layers.empty()) {
      // A layer placed in pieces (a softmax table and its unit row in different blobs) has one line per piece.
      std::set<int> ops;
      for (const InspectLayer& l : c.layers) ops.insert(l.op_index);
      const size_t pieces = c.layers.size() - ops.size();
      s += fmt::format("    Parameterised layers of the etpu program ({} of {} region operators{}):\n", ops.size(), c.region_ops,
                       pieces == 0 ? "" : fmt::format("; {} more line{} for pieces placed apart", pieces, pieces == 1 ? "" : "s"));
      s += fmt::format("      {:>5}  {:<22} {:<22} {:<9} {:>10} {:>10}\n", "op", "operator", "layout", "placement", "offset", "bytes");
      for (const InspectLayer& l : c.layers) {
        s += fmt::format("      {:>5}  {:<22} {:<22} {:<9} {:>10} {:>10}\n", l.op_index, l.op_name, l.kind, l.placement, l.offset, l.size);
      }
    }
    if (!c.runtime_error.empty()) s += fmt::format("    Runtime check: {}\n", c.runtime_error);
    for (const std::string& n : c.notes) s += fmt::format("    Note: {}\n", n);
  }
  if (!r.cpu_ops.empty()) {
    s += "  CPU operators outside the custom op:";
    for (const InspectCpuOp& op : r.cpu_ops) s += fmt::format(" #{} {}", op.index, op.name);
    s += "\n";
  }
  return s;
}

std::string RenderInspectJson(const InspectReport& report) { return ReportJson(report).dump(2) + "\n"; }

std::string RenderInspectText(std::span<const InspectReport> reports) {
  std::string s;
  if (reports.empty()) return s;
  for (const InspectReport& r : reports) s += RenderInspectText(r) + "\n";
  s += "Caching-token groups:\n";
  for (const TokenGroup& g : GroupByToken(reports)) {
    if (g.shares_sram()) {
      s += fmt::format("  {}: {} files share this token, so they share the on-chip SRAM ({} cached together):\n",
                       FormatToken(g.token), g.paths.size(), Bytes(g.on_chip_bytes));
    } else {
      s += fmt::format("  {}: alone{}\n", FormatToken(g.token), g.token == 0 ? " (no caching token)" : "");
    }
    for (const std::string& p : g.paths) s += fmt::format("    {}\n", p);
  }
  return s;
}

std::string RenderInspectJson(std::span<const InspectReport> reports) {
  ordered_json files = ordered_json::array();
  for (const InspectReport& r : reports) files.push_back(ReportJson(r));
  return ordered_json{{"files", files}, {"token_groups", GroupsJson(GroupByToken(reports))}}.dump(2) + "\n";
}

}  // namespace etpu::report
