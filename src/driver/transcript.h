// edgetpu_compiler's renderings of a CompileResult: the console text (the real compiler's
// grammar, compiler-behaviour.md §3.2, §4, §7.1) and the output files (.tflite and .log).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "driver/console_report.h"
#include "etpu/compiler.h"

namespace etpu::driver {

/// The summary block data of one output model.
ModelSummary Summarize(const ModelResult& model);

/// The whole console text of a run, from the version line on. `elapsed_ms_override` >= 0
/// replaces every measured compile time (for goldens).
std::string RenderConsole(const CompileResult& result, const CompileOptions& options, int64_t elapsed_ms_override = -1);

/// The console text of a run whose outputs could not be written: `console` (a successful run's
/// text) up to its last child-process line, then `error` and "Compilation failed! ".
std::string RenderWriteFailure(const std::string& console, const std::string& error);

/// The console text when the output folder cannot be written (checked before compiling).
std::string RenderOutDirNotWritable(const std::string& first_output_path, int emulate = 16);

/// The files of a successful run: per model its .tflite, then its .log.
std::vector<OutputFile> OutputFiles(const CompileResult& result);

}  // namespace etpu::driver
