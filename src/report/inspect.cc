#include "report/inspect.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "params/record_check.h"
#include "tflite/model_reader.h"

namespace etpu::report {
namespace {

using package::ExecutableInfo;
using package::PackageInfo;

InspectExecutable DescribeExecutable(const ExecutableInfo& e) {
  InspectExecutable x;
  x.type = package::ExecutableTypeName(e.type);
  x.name = e.name;
  x.chip = e.chip;
  x.size_bytes = e.size_bytes;
  x.parameter_bytes = static_cast<int64_t>(e.parameters.size());
  x.instruction_bytes = e.instruction_bytes();
  x.instruction_chunks = static_cast<int>(e.instruction_bitstreams.size());
  x.parameter_dma_bytes = e.parameter_dma_bytes();
  x.used_narrow_memory_bytes_per_tile = e.used_narrow_memory_bytes_per_tile;
  x.estimated_cycles_64bit = e.estimated_cycles_64bit;
  x.scratch_size_bytes = e.scratch_size_bytes;
  x.batch_size = e.batch_size;
  x.token = e.token;
  x.input_layers = e.input_layers;
  x.output_layers = e.output_layers;
  return x;
}

// Errors: an etpu package whose layer records disagree with its region model (params/record_check.h).
Result<InspectCustomOp> DescribeCustomOp(const package::EdgeTpuOpInfo& op, const std::string& path,
                                         const InspectOptions& options) {
  const PackageInfo& p = op.package;
  InspectCustomOp c;
  c.op_index = op.op_index;
  c.format = p.format == package::PackageFormat::kDwn1 ? "DWN1" : "legacy executable";
  c.token = p.token();
  c.min_runtime_version = p.min_runtime_version;
  c.compiler_version = p.compiler_version;
  c.chip = p.chip();
  c.etpu_virtual = p.is_virtual();
  c.package_bytes = p.size_bytes;
  c.on_chip_bytes = p.on_chip_bytes();
  c.off_chip_bytes = p.off_chip_bytes();
  if (op.options.chip_ids) c.chip_ids = *op.options.chip_ids;
  c.execution_preference = op.options.execution_preference;
  for (const ExecutableInfo& e : p.executables) c.executables.push_back(DescribeExecutable(e));

  const ExecutableInfo* main = p.main();
  if (main != nullptr && main->program) {
    const package::Program& prog = *main->program;
    ETPU_ASSIGN_OR_RETURN(const package::RegionModel region,
                          params::UnpackCheckedRegion(prog, fmt::format("edgetpu-custom-op (#{}) of '{}'", op.op_index, path)));
    c.region_ops = prog.region_op_count;
    for (const package::LayerParams& l : prog.layers) {
      InspectLayer layer;
      const ir::Operator& region_op = region.model->ops.at(static_cast<size_t>(l.op_index));  // checked
      layer.op_index = l.op_index;
      layer.op_name = region_op.code == ir::BuiltinOperator::CUSTOM ? region_op.custom_code : region_op.name();
      layer.kind = std::string(package::LayerKindName(l.kind));
      layer.placement = std::string(package::PlacementName(l.placement));
      layer.offset = l.offset;
      layer.size = l.size;
      c.layers.push_back(std::move(layer));
    }
  }

  if (p.format == package::PackageFormat::kDwn1) {
    Status s = package::CheckRuntimeVersion(p.min_runtime_version, options.runtime_version);
    if (!s.ok()) c.runtime_error = s.ToString();
    if (p.min_runtime_version < package::kOldestQuietRuntimeVersion) {
      c.notes.push_back(fmt::format("package runtime version {} is older than {}; the real runtime warns about it",
                                    p.min_runtime_version, package::kOldestQuietRuntimeVersion));
    }
  } else {
    c.notes.push_back("legacy format: key \"4\" holds a bare executable (no DWN1 package, no caching token)");
  }
  if (p.legacy_caching_executable) {
    c.notes.push_back(fmt::format("legacy key \"3\" holds a separate caching executable with {} parameter bytes; runtimes ignore it",
                                  p.legacy_caching_executable->parameters.size()));
  }
  if (c.chip == package::kBeagleChipName) {
    c.notes.push_back("compiled by Google's compiler for the Edge TPU ('beagle'): hardware instructions, not an etpu program");
  } else if (!c.etpu_virtual) {
    c.notes.push_back(fmt::format("unknown chip '{}'", c.chip));
  }
  if (!op.extra_packages.empty()) {
    c.notes.push_back(fmt::format("{} further package(s) for other chips in key \"7\" (not described)", op.extra_packages.size()));
  }
  return c;
}

}  // namespace

std::string FormatToken(uint64_t token) { return fmt::format("0x{:016x}", token); }

Result<InspectReport> InspectCompiledModel(const std::string& path, const InspectOptions& options) {
  ETPU_ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModel(path));
  return InspectModel(model, path, options);
}

Result<InspectReport> InspectCompiledModelBytes(std::span<const uint8_t> bytes, const std::string& name,
                                                const InspectOptions& options) {
  ETPU_ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModelFromBuffer(bytes, name));
  return InspectModel(model, name, options);
}

Result<InspectReport> InspectModel(const ir::Model& model, const std::string& path, const InspectOptions& options) {
  ETPU_ASSIGN_OR_RETURN(package::CompiledModelInfo info, package::ReadCompiledModel(model));
  InspectReport r;
  r.path = path;
  r.file_size = model.file_size;
  r.description = model.description;
  r.total_ops = static_cast<int>(model.ops.size());
  for (const auto& op : info.edgetpu_ops) {
    ETPU_ASSIGN_OR_RETURN(InspectCustomOp described, DescribeCustomOp(op, path, options));
    r.edgetpu_ops.push_back(std::move(described));
    r.on_chip_bytes += r.edgetpu_ops.back().on_chip_bytes;
    r.off_chip_bytes += r.edgetpu_ops.back().off_chip_bytes;
  }
  if (!r.edgetpu_ops.empty()) r.token = r.edgetpu_ops.front().token;
  for (int i : info.cpu_ops) {
    const ir::Operator& op = model.ops[static_cast<size_t>(i)];
    r.cpu_ops.push_back({i, op.code == ir::BuiltinOperator::CUSTOM && !op.custom_code.empty() ? op.custom_code : op.name()});
  }
  return r;
}

std::vector<TokenGroup> GroupByToken(std::span<const InspectReport> reports) {
  std::vector<TokenGroup> groups;
  std::map<uint64_t, size_t> index;
  for (const InspectReport& r : reports) {
    // Token 0 (no custom op, or a legacy package) never shares: each such file is its own group.
    size_t gi;
    if (auto it = index.find(r.token); r.token != 0 && it != index.end()) {
      gi = it->second;
    } else {
      gi = groups.size();
      groups.push_back(TokenGroup{r.token, {}, 0, 0});
      if (r.token != 0) index[r.token] = gi;
    }
    TokenGroup& g = groups[gi];
    g.paths.push_back(r.path);
    g.on_chip_bytes += r.on_chip_bytes;
    g.off_chip_bytes += r.off_chip_bytes;
  }
  return groups;
}

}  // namespace etpu::report
