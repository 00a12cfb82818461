#include "tools/etpu/commands.h"

namespace etpu::tools {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"demo", DemoCommand},
      {"zoo", ZooCommand},
#ifdef ETPU_HAVE_INSPECT
      {"inspect", InspectCommand},
#endif
#ifdef ETPU_HAVE_BENCH
      {"bench", BenchCommand},
#endif
#ifdef ETPU_HAVE_PLAN
      {"plan", PlanCommand},
#endif
#ifdef ETPU_HAVE_RUNTIME
      {"run", RunCommand},
#endif
  };
  return kCommands;
}

}  // namespace etpu::tools
