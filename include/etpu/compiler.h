// The etpu compiler's public API: what `edgetpu_compiler` does, as an in-memory library call.
//
//   etpu::Compile(inputs, options) -> CompileResult: every decision and every output of one run
//   (per-operator verdicts, partition, cache plan, token, sizes, output model bytes, .log text).
//   Nothing is printed and nothing is written; `edgetpu_compiler`'s console, its .log files and
//   its output files are renderings of the CompileResult.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu {

/// Options of one compiler run; the defaults are the real compiler v16's (compiler-behaviour.md §2.2).
struct CompileOptions {
  std::string out_dir = ".";                     ///< -o; output paths are named with it as given.
  /// --emulate 15|16: which generation of Google's compiler to reproduce: 16 (2021-07) or 15
  /// (2020-11). It selects the co-compile caching policy, whether a softmax table is written (16
  /// only), the default -m and the version line (docs/COMPILER.md, "Generations").
  int emulate = 16;
  /// -m: no package needs a newer runtime. 0 = the emulated generation's default (16: 14, 15: 13).
  int min_runtime_version = 0;
  bool show_operations = false;                  ///< -s
  bool multiple_subgraphs = false;               ///< -a
  std::vector<std::string> intermediate_tensors; ///< -i
  int num_segments = 1;                          ///< -n
  bool search_delegate = false;                  ///< -d
  int delegate_search_step = 1;                  ///< -k
  int timeout_sec = 180;                         ///< -t
  bool random_token = false;                     ///< --random_token: a random caching token, as Google's compiler.
  std::string cache_policy;                      ///< --cache_policy; empty = the emulated generation's policy.
  /// false: decide, partition and plan only; every ModelResult field is filled except `model`
  /// (left empty). For callers that compare many sets (the planner); edgetpu_compiler builds.
  bool build_models = true;
};

/// A model read and checked once; pass it in ModelInput::parsed to compile it many times without
/// reading it again (the planner compiles thousands of sets of the same models).
class ParsedModel;

/// Reads and checks one model (from `bytes` when given, else from `path`). Never fails: a model
/// that cannot be read or is refused keeps its failure, which Compile reports.
std::shared_ptr<const ParsedModel> ParseModel(std::span<const uint8_t> bytes, const std::string& name);
std::shared_ptr<const ParsedModel> ParseModel(const std::string& path);

/// One input model: a path, or bytes with a display name, or a ParsedModel.
struct ModelInput {
  std::string name;                      ///< The path (read when `bytes` is empty and `parsed` null) or display name.
  std::span<const uint8_t> bytes;        ///< Not owned; must outlive the Compile call.
  std::shared_ptr<const ParsedModel> parsed;  ///< From ParseModel; `name`, `bytes` ignored except for printing.

  static ModelInput FromPath(std::string path) { return {std::move(path), {}, nullptr}; }
  static ModelInput FromBytes(std::span<const uint8_t> data, std::string display_name) {
    return {std::move(display_name), data, nullptr};
  }
  static ModelInput FromParsed(std::shared_ptr<const ParsedModel> p);
};

/// The verdict on one operator of an input model.
struct OperatorVerdict {
  int op_index = 0;
  std::string op;        ///< TFLite builtin name, or CUSTOM.
  std::string status;    ///< Exactly as in the .log ("Mapped to Edge TPU", "Operation not supported", ...).
  std::string rule_id;   ///< The rule that kept it on the CPU ("conv2d.dilation_xy"); empty when mapped.
  std::string reason;    ///< Which tensor, which limit, which value; empty when mapped.
  int region = -1;       ///< Index into ModelResult::regions, or -1: runs on the CPU.
};

/// One Edge TPU region (one edgetpu-custom-op of the output model).
struct EdgeTpuRegion {
  std::vector<int> ops;                  ///< Operator indices of the input model, execution order.
  std::vector<std::string> inputs;       ///< Tensor names crossing into the region.
  std::vector<std::string> outputs;      ///< Tensor names leaving it.
};

/// Where one parameterised layer's bytes live. A layer whose record the caching policy places
/// piece by piece (compiler 16's softmax table and its unit row) has one entry per piece, in
/// record order (the package lists pieces side by side in one blob as one program entry).
struct LayerPlacement {
  int op_index = 0;      ///< Operator index in the input model.
  int region = 0;        ///< Index into ModelResult::regions.
  bool cached = false;   ///< true: PARAMETER_CACHING executable (on-chip); false: streamed.
  int64_t offset = 0;    ///< Byte offset inside that executable's parameter blob.
  int64_t bytes = 0;
  int64_t record_offset = 0;  ///< Where these bytes start in the layer's record (0 unless a later piece).
  /// Streamed whatever the room: the compiler never caches these bytes (element-wise constants,
  /// an LSTM's sequence buffer; params::RecordPiece::always_streamed).
  bool always_streamed = false;
};

/// `placements` as a package lists them: consecutive pieces of one layer's record that sit side
/// by side in one blob joined into one entry (what etpu inspect reads back from the package).
std::vector<LayerPlacement> PackageEntries(std::span<const LayerPlacement> placements);

/// How the wide SRAM of one compile set is divided (the capacity model, docs/COMPILER.md): what
/// is left for cached parameters once the executable and the activations have their share.
/// parameter_capacity = sram - executable_reserve - activation - set_reserve (never below 0).
struct SramDivision {
  int64_t sram_bytes = 0;                ///< The chip's wide SRAM (8 MiB).
  int64_t executable_reserve_bytes = 0;  ///< The executable's working set (instructions).
  int64_t activation_bytes = 0;          ///< Largest wide-SRAM activation need of the set's models.
  int64_t set_reserve_bytes = 0;         ///< Kept back by the caching policy for a co-compiled set.
  int64_t parameter_capacity_bytes = 0;  ///< Left for cached parameters, shared by the set.
};

/// Everything about one output model.
struct ModelResult {
  std::string input_name;        ///< As printed ("Input model:").
  std::string output_path;       ///< <out_dir>/<stem>_edgetpu.tflite, as printed.
  std::string log_path;          ///< <out_dir>/<stem>_edgetpu.log, as printed.
  int64_t input_size = 0;
  std::vector<OperatorVerdict> operators;
  std::vector<EdgeTpuRegion> regions;
  std::vector<int> cpu_ops;      ///< Operators left on the CPU.
  std::vector<LayerPlacement> layers;
  uint64_t caching_token = 0;
  int min_runtime_version = 0;   ///< Of the packages; never above CompileOptions::min_runtime_version.
  int64_t onchip_bytes = 0;      ///< Parameters cached on chip.
  int64_t offchip_bytes = 0;     ///< Parameters streamed from the host.
  int64_t onchip_remaining_bytes = 0;
  SramDivision sram;             ///< The division behind onchip_remaining_bytes (same for the whole set).
  std::string cache_policy;      ///< The caching policy that placed the layers.
  std::vector<uint8_t> model;    ///< The compiled .tflite (empty with CompileOptions::build_models false).
  std::string log;               ///< The .log text.
};

/// Why a run (or one compilation of it) failed.
enum class FailureKind {
  kNoInput,              ///< No model given.
  kBadOption,            ///< An option value the library rejects (unknown cache policy, ...).
  kDuplicateOutput,      ///< Two inputs would write the same output name.
  kInvalidModel,         ///< The model cannot be read, is already compiled, or is not quantized.
  kDynamicShape,         ///< A tensor has a dynamic size other than the batch dimension.
  kLargeActivations,     ///< Activations do not fit the on-chip memory.
  kCompileFailed,        ///< Another failure inside the compilation (partition, plan).
  kPackageFailed,        ///< Building the output package failed.
  kSegmentationFailed,   ///< -n: the model cannot be cut into that many segments.
  kNoValidDelegate,      ///< -d: every cut of the model failed.
};

struct CompileFailure {
  FailureKind kind = FailureKind::kCompileFailed;
  int model = -1;                 ///< Index into the inputs; -1 = the whole set.
  std::string model_name;         ///< That input's name; empty for the set.
  std::string message;            ///< The compiler's reason ("Model not quantized", "Model could not be parsed").
  std::string details;            ///< The true, specific reason(s) behind `message`, one per line.
  std::vector<std::string> interpreter_errors;  ///< The embedded TFLite's own ERROR lines, when it printed any.
};

/// One child compilation (a co-compiled set, one segment, or one -d attempt).
struct Compilation {
  std::vector<int> models;         ///< Indices into CompileResult::models (empty when it failed).
  int64_t elapsed_ms = 0;
  std::optional<CompileFailure> failure;
  /// -d: per input, which operators this attempt tried to map.
  struct Cut {
    int ops = 0;                       ///< Operators [0, ops) of the input.
    bool cut = false;                  ///< false: the whole model.
    std::vector<std::string> tensors;  ///< Tensors the cut turns into custom-op outputs.
  };
  std::vector<Cut> cuts;
};

/// Everything one run produces.
struct CompileResult {
  bool ok = false;
  std::optional<CompileFailure> failure;  ///< When !ok: the failure that ended the run.
  std::vector<ModelResult> models;        ///< Output models of the compilations that succeeded, in output
                                          ///< order (with !ok, those before the failure: not to be written).
  std::vector<Compilation> compilations;  ///< In the order they ran.
  uint64_t caching_token = 0;             ///< Shared by all output models.
};

/// Compiles `inputs` (two or more: co-compilation, earlier first) as edgetpu_compiler does.
/// Never prints and never writes. A failing compilation is a CompileResult with ok == false and
/// a `failure`; the returned Status is an error only for arguments the call cannot take.
Result<CompileResult> Compile(std::span<const ModelInput> inputs, const CompileOptions& options);

/// One file a run produces.
struct OutputFile {
  std::string path;
  std::vector<uint8_t> bytes;
};

/// A run rendered as edgetpu_compiler renders it: console text (stdout, the real grammar) and files.
struct CompileTranscript {
  std::string console;
  std::vector<OutputFile> files;
  bool succeeded = false;
};

/// Compile + the console rendering, for callers that want edgetpu_compiler's transcript.
/// `elapsed_ms_override` >= 0 replaces the measured compile time in the console (for goldens).
CompileTranscript CompileModels(const std::vector<std::string>& models, const CompileOptions& options,
                                int64_t elapsed_ms_override = -1);

}  // namespace etpu
