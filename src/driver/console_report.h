// The real compiler's console and .log text (compiler-behaviour.md §3.2 and §4), rendered from
// plain data. Library code builds these strings; the command line prints them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace etpu::driver {

/// Our version: the real grammar with our build after "<generation>.0.0-etpu.", so that parsers
/// that take the last word of the first line still get a version (and its major number tells
/// which generation of Google's compiler is emulated).
inline constexpr const char* kCompilerVersion = "16.0.0-etpu.1";
/// The version of an emulated generation (15 or 16): "15.0.0-etpu.1", "16.0.0-etpu.1".
std::string CompilerVersion(int emulate);

/// The .log header's honest line (ours; not in the real compiler's .log): what the output runs on.
inline constexpr const char* kVirtualTargetNote =
    "Note: this output runs on etpu's virtual Edge TPU, not on real Coral hardware; for a Coral device, compile "
    "the model with Google's edgetpu_compiler.";

/// "Edge TPU Compiler version 16.0.0-etpu.1" (15.0.0-... when emulating compiler 15).
std::string VersionLine(int emulate = 16);

/// One row of the operation table: one per distinct (operator, status) pair.
struct OpLogRow {
  std::string op;      ///< TFLite builtin name, or CUSTOM.
  int count = 0;
  std::string status;  ///< The exact status string.
};

/// What one compiled model reports.
struct ModelSummary {
  std::string input_model;    ///< As printed ("Input model:").
  std::string output_model;   ///< As printed ("Output model:").
  std::string log_path;       ///< As printed ("Operation log:").
  int64_t input_size = 0;
  int64_t output_size = 0;
  int64_t onchip_used = 0;
  int64_t onchip_remaining = 0;
  int64_t offchip_used = 0;
  int num_subgraphs = 0;
  int total_ops = 0;
  int tpu_ops = 0;
  std::vector<OpLogRow> rows;
};

/// The operation table: header (Operator 31 columns, Count 11 columns, Status), blank line, rows.
std::string RenderOpTable(const std::vector<OpLogRow>& rows);
/// The whole .log file: version line, Input:, Output:, kVirtualTargetNote, blank line, the table.
std::string RenderLogFile(int emulate, const std::string& input, const std::string& output, const std::vector<OpLogRow>& rows);
/// One model's block, from "Input model:" to the operation-log details (table with -s).
std::string RenderModelBlock(const ModelSummary& summary, bool show_operations);
/// The success output of one compilation (one model or a co-compilation), after the version line:
/// timer line, blank, "Model(s) compiled successfully in N ms.", blank, the blocks, the trailer.
std::string RenderSuccess(const std::vector<ModelSummary>& models, int64_t elapsed_ms, int timeout_sec,
                          bool show_operations);
/// "Started a compilation timeout timer of N seconds."
std::string TimerLine(int timeout_sec);
/// The trailer after a child compilation ("... within timeout period." + succeeded/failed).
std::string Trailer(bool succeeded);

}  // namespace etpu::driver
