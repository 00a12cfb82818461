// `etpu inspect`: what a compiled model holds, read from its edgetpu-custom-op package(s).
//
// InspectCompiledModel reads a compiled .tflite (Google's or etpu's) and returns a plain report:
// caching token, runtime version needed, compiler version, chip, executables and their sizes,
// on-chip (PARAMETER_CACHING) and off-chip (EXECUTION_ONLY) parameter bytes, per-layer placement
// when the program is etpu's, and the CPU operators left outside the custom op. Several reports
// can be grouped by token: files that share a token share the on-chip SRAM (they were
// co-compiled). Renderers return text or JSON; nothing here prints.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "package/package_reader.h"

namespace etpu::report {

/// One executable of a package.
struct InspectExecutable {
  std::string type;                    ///< "PARAMETER_CACHING", "EXECUTION_ONLY", "STAND_ALONE".
  std::string name;
  std::string chip;
  int64_t size_bytes = 0;              ///< Serialized Executable length.
  int64_t parameter_bytes = 0;
  int64_t instruction_bytes = 0;       ///< Sum of instruction bitstream chunks (etpu: the Program).
  int instruction_chunks = 0;
  int64_t parameter_dma_bytes = 0;     ///< Sum of PARAMETER DMA hint sizes.
  int32_t used_narrow_memory_bytes_per_tile = 0;
  int64_t estimated_cycles_64bit = 0;
  int32_t scratch_size_bytes = 0;
  int32_t batch_size = 0;
  uint64_t token = 0;
  std::vector<package::IoLayer> input_layers;
  std::vector<package::IoLayer> output_layers;
};

/// One parameterised layer of an etpu program.
struct InspectLayer {
  int op_index = -1;                   ///< Operator index in the region model.
  std::string op_name;                 ///< "CONV_2D", ...
  std::string kind;                    ///< package::LayerKindName.
  std::string placement;               ///< "cached" / "streamed".
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// One edgetpu-custom-op (one package).
struct InspectCustomOp {
  int op_index = -1;
  std::string format;                  ///< "DWN1" or "legacy executable".
  uint64_t token = 0;
  int32_t min_runtime_version = 0;
  std::string compiler_version;
  std::string chip;
  bool etpu_virtual = false;           ///< Chip is etpu's virtual chip (program decoded).
  int64_t package_bytes = 0;
  int64_t on_chip_bytes = 0;           ///< PARAMETER_CACHING parameters.
  int64_t off_chip_bytes = 0;          ///< EXECUTION_ONLY (or STAND_ALONE) parameters.
  std::vector<int64_t> chip_ids;       ///< Key "6" (empty when absent).
  int64_t execution_preference = -1;
  std::vector<InspectExecutable> executables;
  std::vector<InspectLayer> layers;    ///< etpu programs only.
  int region_ops = 0;                  ///< Operators in the etpu region model (0 for Google's).
  /// Non-empty when this runtime refuses the package ("Failed precondition: Package requires ...").
  std::string runtime_error;
  /// Other remarks (legacy caching executable, chip the runtime cannot run, old runtime version).
  std::vector<std::string> notes;
};

/// A CPU operator outside the custom op.
struct InspectCpuOp {
  int index = -1;
  std::string name;                    ///< "RESIZE_BILINEAR", or the custom code of custom ops.
};

/// The whole report of one file.
struct InspectReport {
  std::string path;
  int64_t file_size = 0;
  std::string description;             ///< TFLite model description.
  int total_ops = 0;
  std::vector<InspectCustomOp> edgetpu_ops;
  std::vector<InspectCpuOp> cpu_ops;
  uint64_t token = 0;                  ///< Of the first custom op (0 when none).
  int64_t on_chip_bytes = 0;           ///< Summed over custom ops.
  int64_t off_chip_bytes = 0;
};

struct InspectOptions {
  /// Runtime version to check packages against (the real runtime's words on failure).
  int32_t runtime_version = package::kRuntimeVersion;
};

/// Reads and describes a compiled model. Models without an edgetpu-custom-op give a report with
/// no custom ops (all operators on CPU). Unreadable or corrupt files give the reader's Status.
Result<InspectReport> InspectCompiledModel(const std::string& path, const InspectOptions& options = {});
/// Same for a compiled model held in memory; `name` stands for the path.
Result<InspectReport> InspectCompiledModelBytes(std::span<const uint8_t> bytes, const std::string& name,
                                                const InspectOptions& options = {});
/// Same for a model already read.
Result<InspectReport> InspectModel(const ir::Model& model, const std::string& path, const InspectOptions& options = {});

/// Files sharing a caching token.
struct TokenGroup {
  uint64_t token = 0;
  std::vector<std::string> paths;
  int64_t on_chip_bytes = 0;           ///< Summed over the group: what sits in SRAM together.
  int64_t off_chip_bytes = 0;
  /// True when more than one file has this (non-zero) token: they share the on-chip SRAM.
  bool shares_sram() const { return token != 0 && paths.size() > 1; }
};

/// Groups reports by token (first custom op of each), in order of first appearance.
std::vector<TokenGroup> GroupByToken(std::span<const InspectReport> reports);

/// "0x6d146c3f97d6648c".
std::string FormatToken(uint64_t token);

/// Human-readable report of one file.
std::string RenderInspectText(const InspectReport& report);
/// JSON object of one file (stable keys, see inspect_render.cc).
std::string RenderInspectJson(const InspectReport& report);
/// Text for several files: each report, then the token groups ("these share the SRAM").
std::string RenderInspectText(std::span<const InspectReport> reports);
/// JSON for several files: {"files": [...], "token_groups": [...]}.
std::string RenderInspectJson(std::span<const InspectReport> reports);

}  // namespace etpu::report
