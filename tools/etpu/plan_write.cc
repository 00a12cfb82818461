#include "tools/etpu/plan_write.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "planner/group_cost.h"

namespace etpu::tools {
namespace {

namespace fs = std::filesystem;

/// Owned bytes of one file to write.
struct Output {
  std::string path;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

Result<PlanWritten> WritePlan(const planner::Problem& problem, const planner::Plan& plan,
                              const std::vector<std::string>& device_strings, const nlohmann::json& plan_document,
                              const std::string& dir) {
  if (!base::IsWritableDirectory(dir)) {
    return InvalidArgumentError(fmt::format("--write: '{}' is not a writable directory (create it first)", dir));
  }
  PlanWritten written;
  std::vector<Output> outputs;
  outputs.push_back({(fs::path(dir) / "plan.json").string(), Bytes(plan_document.dump(2) + "\n")});
  std::vector<fs::path> folders;
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    std::string device = device_strings.at(d);
    std::replace(device.begin(), device.end(), ':', '-');
    const fs::path device_dir = fs::path(dir) / fmt::format("tpu{}_{}", d, device);
    folders.push_back(device_dir);
    const auto& groups = plan.devices[d];
    for (size_t g = 0; g < groups.size(); ++g) {
      const fs::path group_dir = groups.size() > 1 ? device_dir / fmt::format("group{}", g + 1) : device_dir;
      if (group_dir != device_dir) folders.push_back(group_dir);
      std::vector<ModelInput> inputs;
      for (int m : groups[g]) {
        const planner::PlanModel& model = problem.models.at(static_cast<size_t>(m));
        inputs.push_back(ModelInput::FromBytes(model.bytes, model.file));
        // A pipeline stage's source, for Google's compiler (its command line names this file).
        if (model.split_of >= 0 && !model.replica) outputs.push_back({(group_dir / model.file).string(), model.bytes});
      }
      CompileOptions options;
      options.emulate = problem.emulate;
      ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(inputs, options));
      ++written.compilations;
      if (!r.ok) {
        const CompileFailure f = r.failure.value_or(CompileFailure{});
        return FailedPreconditionError(fmt::format("--write: {} failed: {}{}", planner::CompileCommand(problem, groups[g]),
                                                   f.message, f.details.empty() ? "" : " (" + f.details + ")"));
      }
      std::set<std::string> logs;  // co-compiled models may share one .log
      for (const ModelResult& m : r.models) {
        outputs.push_back({(group_dir / fs::path(m.output_path).filename()).string(), m.model});
        const std::string log = (group_dir / fs::path(m.log_path).filename()).string();
        if (logs.insert(log).second) outputs.push_back({log, Bytes(m.log)});
      }
    }
  }
  // The folders, then every file at once; on failure, the folders this call made are removed.
  std::vector<fs::path> made;
  auto undo = [&made] {
    std::error_code ec;
    for (auto it = made.rbegin(); it != made.rend(); ++it) fs::remove(*it, ec);  // only if still empty
  };
  for (const fs::path& f : folders) {
    std::error_code ec;
    if (fs::exists(f, ec)) {
      undo();
      return FailedPreconditionError(fmt::format("--write: '{}' already exists (write into an empty directory)", f.string()));
    }
    if (!fs::create_directory(f, ec)) {
      undo();
      return InternalError(fmt::format("--write: cannot create '{}': {}", f.string(), ec.message()));
    }
    made.push_back(f);
  }
  std::vector<base::FileToWrite> files;
  for (const Output& o : outputs) files.push_back({o.path, o.bytes});
  if (Status s = base::WriteFilesAtomic(files); !s.ok()) {
    undo();
    return s;
  }
  written.files = static_cast<int>(files.size());
  return written;
}

}  // namespace etpu::tools
