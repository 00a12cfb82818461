// include/etpu/inspect.h: the public inspection facade over report::InspectReport.
#include "etpu/inspect.h"

#include "report/inspect.h"

namespace etpu {
namespace {

ModelInspection ToPublic(const report::InspectReport& r) {
  ModelInspection out;
  out.name = r.path;
  out.file_size = r.file_size;
  out.total_ops = r.total_ops;
  out.token = r.token;
  out.on_chip_bytes = r.on_chip_bytes;
  out.off_chip_bytes = r.off_chip_bytes;
  for (const report::InspectCustomOp& c : r.edgetpu_ops) {
    InspectedEdgeTpuOp op;
    op.op_index = c.op_index;
    op.token = c.token;
    op.min_runtime_version = c.min_runtime_version;
    op.compiler_version = c.compiler_version;
    op.chip = c.chip;
    op.package_bytes = c.package_bytes;
    op.on_chip_bytes = c.on_chip_bytes;
    op.off_chip_bytes = c.off_chip_bytes;
    op.runtime_error = c.runtime_error;
    for (const report::InspectLayer& l : c.layers) {
      op.layers.push_back({l.op_index, l.op_name, l.kind, l.placement == "cached", l.offset, l.size});
    }
    out.edgetpu_ops.push_back(std::move(op));
  }
  for (const report::InspectCpuOp& c : r.cpu_ops) out.cpu_ops.push_back({c.index, c.name});
  return out;
}

}  // namespace

Result<ModelInspection> InspectModel(std::span<const uint8_t> compiled_model, const std::string& name) {
  ETPU_ASSIGN_OR_RETURN(report::InspectReport r, report::InspectCompiledModelBytes(compiled_model, name));
  return ToPublic(r);
}

Result<ModelInspection> InspectModelFile(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(report::InspectReport r, report::InspectCompiledModel(path));
  return ToPublic(r);
}

std::string FormatToken(uint64_t token) { return report::FormatToken(token); }

}  // namespace etpu
