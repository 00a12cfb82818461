// etpu zoo --list | NAME -o DIR
#include <CLI/CLI.hpp>

#include <cstdio>

#include "base/file_io.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"
#include "zoo/zoo.h"

namespace etpu::tools {
namespace {

void PrintList() {
  std::printf("%-36s %12s %14s\n", "name", "params", "MACs");
  for (const auto& n : zoo::ZooNames()) {
    auto info = zoo::GetZooModelInfo(n);
    if (!info.ok()) continue;
    std::printf("%-36s %12lld %14lld\n", n.c_str(), static_cast<long long>(info->params),
                static_cast<long long>(info->macs));
  }
}

}  // namespace

int ZooCommand(int argc, char** argv) {
  CLI::App app{"Generate quantized models of real architectures (deterministic weights).", "etpu zoo"};
  bool list = false;
  std::string name, out_dir = ".";
  app.add_flag("--list", list, "List the model names with their parameters and MACs");
  app.add_option("name", name, "Model to generate");
  app.add_option("-o,--out_dir", out_dir, "Directory to write NAME.tflite into")->check(CLI::ExistingDirectory);
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  if (list) {
    if (!name.empty()) return UsageError("zoo", "--list takes no NAME");
    PrintList();
    return kExitOk;
  }
  if (name.empty()) return UsageError("zoo", "give a NAME to generate, or --list to see the names");
  if (std::string e = ZooNameError(name); !e.empty()) return Failure("zoo", e);
  auto bytes = zoo::GenerateZooModel(name);
  if (!bytes.ok()) return Failure("zoo", bytes.status().ToString());
  std::string path = out_dir + "/" + name + ".tflite";
  Status s = base::WriteFileAtomic(path, *bytes);
  if (!s.ok()) return Failure("zoo", s.ToString());
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes->size());
  return kExitOk;
}

}  // namespace etpu::tools
