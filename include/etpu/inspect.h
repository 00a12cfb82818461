// What a compiled model holds, for library users: the caching token, the parameter bytes on and
// off chip, and where every parameterised layer's bytes live (etpu's own packages).
//
//   auto r = etpu::Compile(inputs, options);                 // etpu/compiler.h
//   auto info = etpu::InspectModel(r->models[0].model, "mobilenet_edgetpu.tflite");
//   etpu::FormatToken(info->token);  info->edgetpu_ops[0].layers[3].cached;
//
// Works on models compiled by etpu and by Google's edgetpu_compiler (no per-layer placement
// then). Plain data; nothing prints. Implemented by src/report (the `etpu inspect` report).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu {

/// Where one parameterised layer of an etpu program keeps its bytes.
struct InspectedLayer {
  int op_index = -1;        ///< Operator index in the region (the Edge TPU part of the model).
  std::string op;           ///< "CONV_2D", "DEPTHWISE_CONV_2D", ...
  std::string kind;         ///< Parameter layout kind ("conv", "depthwise", ...).
  bool cached = false;      ///< true: on chip (PARAMETER_CACHING); false: streamed every inference.
  uint64_t offset = 0;      ///< Byte offset in that executable's parameters.
  uint64_t bytes = 0;
};

/// One edgetpu-custom-op of the model.
struct InspectedEdgeTpuOp {
  int op_index = -1;                 ///< Operator index in the compiled model.
  uint64_t token = 0;                ///< Caching token (0: none).
  int min_runtime_version = 0;
  std::string compiler_version;
  std::string chip;                  ///< "etpu-virtual" (etpu) or "beagle" (Google's compiler).
  int64_t package_bytes = 0;
  int64_t on_chip_bytes = 0;         ///< Parameters cached in the SRAM.
  int64_t off_chip_bytes = 0;        ///< Parameters streamed from the host.
  std::vector<InspectedLayer> layers;  ///< etpu packages only.
  std::string runtime_error;         ///< Non-empty when the default runtime refuses this package.
};

/// An operator left on the host CPU.
struct InspectedCpuOp {
  int op_index = -1;
  std::string op;                    ///< Builtin name, or the custom code of a custom op.
};

/// The inspection of one compiled model.
struct ModelInspection {
  std::string name;
  int64_t file_size = 0;
  int total_ops = 0;
  uint64_t token = 0;                ///< Of the first edgetpu-custom-op (0 when none).
  int64_t on_chip_bytes = 0;         ///< Summed over the edgetpu-custom-ops.
  int64_t off_chip_bytes = 0;
  std::vector<InspectedEdgeTpuOp> edgetpu_ops;
  std::vector<InspectedCpuOp> cpu_ops;
};

/// Inspects a compiled model held in memory; `name` names it in errors. A model without an
/// edgetpu-custom-op gives no edgetpu_ops. Unreadable or corrupt bytes give an error Status.
Result<ModelInspection> InspectModel(std::span<const uint8_t> compiled_model, const std::string& name);

/// Same, reading the file at `path`.
Result<ModelInspection> InspectModelFile(const std::string& path);

/// "0x6d146c3f97d6648c": a token as 16 hex digits (JSON-safe; JavaScript cannot hold 64 bits).
std::string FormatToken(uint64_t token);

}  // namespace etpu
