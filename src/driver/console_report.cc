#include "driver/console_report.h"

#include <fmt/format.h>

#include "base/units.h"

namespace etpu::driver {

std::string CompilerVersion(int emulate) { return fmt::format("{}.0.0-etpu.1", emulate); }

std::string VersionLine(int emulate) { return fmt::format("Edge TPU Compiler version {}", CompilerVersion(emulate)); }

std::string RenderOpTable(const std::vector<OpLogRow>& rows) {
  std::string out = fmt::format("{:<31}{:<11}{}\n\n", "Operator", "Count", "Status");
  for (const auto& r : rows) out += fmt::format("{:<31}{:<11}{}\n", r.op, r.count, r.status);
  return out;
}

std::string RenderLogFile(int emulate, const std::string& input, const std::string& output,
                          const std::vector<OpLogRow>& rows) {
  return fmt::format("{}\nInput: {}\nOutput: {}\n{}\n\n{}", VersionLine(emulate), input, output, kVirtualTargetNote,
                     RenderOpTable(rows));
}

std::string RenderModelBlock(const ModelSummary& s, bool show_operations) {
  std::string out;
  out += fmt::format("Input model: {}\n", s.input_model);
  out += fmt::format("Input size: {}\n", base::FormatBytes(static_cast<uint64_t>(s.input_size)));
  out += fmt::format("Output model: {}\n", s.output_model);
  out += fmt::format("Output size: {}\n", base::FormatBytes(static_cast<uint64_t>(s.output_size)));
  out += fmt::format("On-chip memory used for caching model parameters: {}\n", base::FormatBytes(static_cast<uint64_t>(s.onchip_used)));
  out += fmt::format("On-chip memory remaining for caching model parameters: {}\n",
                     base::FormatBytes(static_cast<uint64_t>(s.onchip_remaining)));
  out += fmt::format("Off-chip memory used for streaming uncached model parameters: {}\n",
                     base::FormatBytes(static_cast<uint64_t>(s.offchip_used)));
  out += fmt::format("Number of Edge TPU subgraphs: {}\n", s.num_subgraphs);
  out += fmt::format("Total number of operations: {}\n", s.total_ops);
  out += fmt::format("Operation log: {}\n", s.log_path);
  const bool partial = s.tpu_ops < s.total_ops;
  if (partial) {
    out += "\n";
    out += "Model successfully compiled but not all operations are supported by the Edge TPU. A percentage of the model "
           "will instead run on the CPU, which is slower. If possible, consider updating your model to use only "
           "operations supported by the Edge TPU. For details, visit g.co/coral/model-reqs.\n";
    out += fmt::format("Number of operations that will run on Edge TPU: {}\n", s.tpu_ops);
    out += fmt::format("Number of operations that will run on CPU: {}\n", s.total_ops - s.tpu_ops);
  }
  if (show_operations) {
    out += "\n" + RenderOpTable(s.rows);
  } else {
    out += "See the operation log file for individual operation details.\n";
  }
  return out;
}

std::string TimerLine(int timeout_sec) { return fmt::format("Started a compilation timeout timer of {} seconds.\n", timeout_sec); }

std::string Trailer(bool succeeded) {
  return fmt::format("Compilation child process completed within timeout period.\nCompilation {}! \n",
                     succeeded ? "succeeded" : "failed");
}

std::string RenderSuccess(const std::vector<ModelSummary>& models, int64_t elapsed_ms, int timeout_sec,
                          bool show_operations) {
  std::string out = TimerLine(timeout_sec);
  out += fmt::format("\n{} compiled successfully in {} ms.\n\n", models.size() > 1 ? "Models" : "Model", elapsed_ms);
  for (size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += "\n";
    out += RenderModelBlock(models[i], show_operations);
  }
  out += Trailer(true);
  return out;
}

}  // namespace etpu::driver
