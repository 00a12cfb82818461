// etpu demo: the README's main job on the built-in default. Generates a MobileNet v1 with the
// model zoo, compiles it with the compiler library (as edgetpu_compiler -s would) and prints the
// compiler's summary and operation table. No downloads, no arguments.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "tools/etpu/commands.h"
#include "zoo/zoo.h"

namespace etpu::tools {

int DemoCommand(int argc, char** argv) {
  std::string model = "mobilenet_v1_0.25_128";
  if (argc > 1 && std::string(argv[1]) != "--help") model = argv[1];
  if (argc > 1 && std::string(argv[1]) == "--help") {
    std::printf("Usage: etpu demo [ZOO_MODEL]\nGenerates ZOO_MODEL (default %s), compiles it and prints the summary.\n",
                model.c_str());
    return 0;
  }
  std::string dir = (std::filesystem::temp_directory_path() / ("etpu-demo-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  std::printf("etpu demo: generating %s with the model zoo into %s\n", model.c_str(), dir.c_str());
  auto bytes = zoo::GenerateZooModel(model);
  if (!bytes.ok()) {
    std::fprintf(stderr, "etpu demo: %s\n", bytes.status().ToString().c_str());
    return 1;
  }
  std::string path = dir + "/" + model + ".tflite";
  if (Status s = base::WriteFileAtomic(path, *bytes); !s.ok()) {
    std::fprintf(stderr, "etpu demo: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("etpu demo: edgetpu_compiler -s -o %s %s\n\n", dir.c_str(), path.c_str());
  CompileOptions options;
  options.out_dir = dir;
  options.show_operations = true;
  CompileTranscript t = CompileModels({path}, options);
  std::fputs(t.console.c_str(), stdout);
  if (!t.succeeded) return 1;
  for (const auto& f : t.files) {
    if (Status s = base::WriteFileAtomic(f.path, f.bytes); !s.ok()) {
      std::fprintf(stderr, "etpu demo: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::printf("\netpu demo: wrote %s/%s_edgetpu.tflite and .log\n", dir.c_str(), model.c_str());
  return 0;
}

}  // namespace etpu::tools
