// etpu: the multi-tool (demo, inspect, run, zoo, bench, plan, simulate, report). Each subcommand lives in its own file and
// only parses, calls the library and renders.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace {

constexpr const char* kUsage = R"(etpu: open tools for the Coral Edge TPU (compiler, virtual Edge TPU runtime, timing model).

Usage: etpu COMMAND [options]

Commands:
  demo [ZOO_MODEL]       The main job: generate a MobileNet, compile it, run it twice on a virtual Edge TPU,
                         print the seed's table (--keep_dir DIR keeps the files).
  inspect FILE...        Token, runtime version, executables, on-chip/off-chip bytes of compiled models
                         (Google's or ours; per-layer placement for etpu's); --json, --runtime_version N.
  run MODEL [...]        Run a model on the CPU and the virtual Edge TPU (see 'etpu run --help').
                         Compiled files run on etpu's virtual Edge TPU only, not on Coral hardware.
  zoo --list | NAME -o DIR
                         Generate quantized models of real architectures.
  bench MODEL... [...]   Simulated first/later inference times (see 'etpu bench --help').
  plan MODEL@HZ... [--devices usb3,usb3] [--json]
                         Which models to co-compile, in which order, on which Edge TPU (see 'etpu plan --help').
  simulate PLAN.json     Play a plan's workload over virtual Edge TPUs and compare with the plan's predictions.
  report MODEL... [-o report.html]
                         Where every byte of the SRAM goes and why: one self-contained HTML page (or
                         --format json|txt|csv) for a model or a co-compiled set (see 'etpu report --help').

Run 'etpu COMMAND --help' for a command's options; 'etpu --version' for the version.
Exit codes (every command): 0 success, 1 failure, 2 usage error.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? etpu::tools::kExitUsage : etpu::tools::kExitOk;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("%s\n", etpu::tools::VersionText().c_str());
    return etpu::tools::kExitOk;
  }
  std::string cmd = argv[1];
  int sub_argc = argc - 1;
  char** sub_argv = argv + 1;
  for (const auto& c : etpu::tools::Commands()) {
    if (cmd == c.name) return c.run(sub_argc, sub_argv);
  }
  std::fprintf(stderr, "etpu: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return etpu::tools::kExitUsage;
}
