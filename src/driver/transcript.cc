#include "driver/transcript.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/file_io.h"
#include "driver/op_log.h"
#include "driver/output_paths.h"

namespace etpu::driver {
namespace {

/// One child compilation that failed: the timer, the interpreter's errors, the reason, the trailer.
std::string RenderCompilationFailure(const CompileFailure& f, int timeout_sec) {
  std::string out = TimerLine(timeout_sec);
  for (const auto& line : f.interpreter_errors) out += line + "\n";
  out += fmt::format("Compilation failed: {}\n", f.message);
  return out + Trailer(false);
}

/// A failure before (or after) the child compilations.
std::string RenderRunFailure(const CompileFailure& f) {
  switch (f.kind) {
    case FailureKind::kInvalidModel: {
      std::string out;
      if (!f.interpreter_errors.empty()) out = fmt::format("{}\n\n", fmt::join(f.interpreter_errors, "\n"));
      return out + fmt::format("Invalid model: {}\n{}\n", f.model_name, f.message);
    }
    case FailureKind::kSegmentationFailed: return fmt::format("Invalid model: {}\n{}\n", f.model_name, f.message);
    default: return f.message + "\n";
  }
}

}  // namespace

ModelSummary Summarize(const ModelResult& m) {
  ModelSummary s;
  s.input_model = m.input_name;
  s.output_model = m.output_path;
  s.log_path = m.log_path;
  s.input_size = m.input_size;
  s.output_size = static_cast<int64_t>(m.model.size());
  s.onchip_used = m.onchip_bytes;
  s.onchip_remaining = m.onchip_remaining_bytes;
  s.offchip_used = m.offchip_bytes;
  s.num_subgraphs = static_cast<int>(m.regions.size());
  s.total_ops = static_cast<int>(m.operators.size());
  s.tpu_ops = s.total_ops - static_cast<int>(m.cpu_ops.size());
  s.rows = BuildOpLogRows(m.operators);
  return s;
}

std::string RenderConsole(const CompileResult& result, const CompileOptions& options, int64_t elapsed_ms_override) {
  std::string out = VersionLine(options.emulate) + "\n";
  const bool searching = options.search_delegate && options.num_segments <= 1;
  if (searching && !result.compilations.empty()) {
    out += fmt::format("Searching for valid delegate with step {}\n", options.delegate_search_step);
  }
  for (const Compilation& c : result.compilations) {
    for (const auto& cut : c.cuts) {
      out += fmt::format("Try to compile segment with {} ops\n", cut.ops);
      if (cut.cut) out += fmt::format("Intermediate tensors: {}\n", fmt::join(cut.tensors, ","));
    }
    if (c.failure) {
      out += RenderCompilationFailure(*c.failure, options.timeout_sec);
      continue;
    }
    std::vector<ModelSummary> summaries;
    for (int i : c.models) summaries.push_back(Summarize(result.models[static_cast<size_t>(i)]));
    out += RenderSuccess(summaries, elapsed_ms_override >= 0 ? elapsed_ms_override : c.elapsed_ms, options.timeout_sec,
                         options.show_operations);
  }
  // A failure that ended a compilation was rendered with it; -d's final verdict comes after them.
  if (result.failure && (result.compilations.empty() || result.failure->kind == FailureKind::kNoValidDelegate)) {
    out += RenderRunFailure(*result.failure);
  }
  return out;
}

std::string RenderWriteFailure(const std::string& console, const std::string& error) {
  const std::string done = Trailer(true);
  const std::string succeeded_line = done.substr(done.find('\n') + 1);
  std::string out = console;
  if (out.size() >= succeeded_line.size() && out.ends_with(succeeded_line)) out.resize(out.size() - succeeded_line.size());
  return out + error + "\n" + "Compilation failed! \n";
}

std::string RenderOutDirNotWritable(const std::string& first_output_path, int emulate) {
  return fmt::format("{}\nError opening file for writing: {}\nCompilation failed! \n", VersionLine(emulate),
                     first_output_path);
}

std::vector<OutputFile> OutputFiles(const CompileResult& result) {
  std::vector<OutputFile> files;
  for (const ModelResult& m : result.models) {
    files.push_back({m.output_path, m.model});
    files.push_back({m.log_path, std::vector<uint8_t>(m.log.begin(), m.log.end())});
  }
  return files;
}

}  // namespace etpu::driver

namespace etpu {

CompileTranscript CompileModels(const std::vector<std::string>& models, const CompileOptions& options,
                                int64_t elapsed_ms_override) {
  CompileTranscript t;
  if (!models.empty()) {
    const std::string out_dir = options.out_dir.empty() ? "." : options.out_dir;
    if (!base::IsWritableDirectory(out_dir)) {
      t.console = driver::RenderOutDirNotWritable(
          driver::OutputPath(options.out_dir, driver::ModelStem(models[0]) + "_edgetpu.tflite"), options.emulate);
      return t;
    }
  }
  std::vector<ModelInput> inputs;
  for (const auto& m : models) inputs.push_back(ModelInput::FromPath(m));
  auto result = Compile(inputs, options);
  if (!result.ok()) {
    t.console = driver::VersionLine(options.emulate) + "\n" + result.status().message() + "\n";
    return t;
  }
  t.console = driver::RenderConsole(*result, options, elapsed_ms_override);
  t.succeeded = result->ok;
  if (result->ok) t.files = driver::OutputFiles(*result);
  return t;
}

}  // namespace etpu
