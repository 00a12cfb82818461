#include "tools/etpu/commands.h"

namespace etpu::tools {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"demo", DemoCommand},
      {"zoo", ZooCommand},
      {"inspect", InspectCommand},
      {"bench", BenchCommand},
      {"plan", PlanCommand},
      {"run", RunCommand},
      {"report", ReportCommand},
      {"simulate", SimulateCommand},
  };
  return kCommands;
}

}  // namespace etpu::tools
