// The etpu subcommands. Each takes argv with argv[0] = the command name.
#pragma once

#include <vector>

namespace etpu::tools {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
};

/// The commands built into this binary.
const std::vector<Command>& Commands();

int DemoCommand(int argc, char** argv);
int ZooCommand(int argc, char** argv);
int InspectCommand(int argc, char** argv);
int RunCommand(int argc, char** argv);
int BenchCommand(int argc, char** argv);
int PlanCommand(int argc, char** argv);
int ReportCommand(int argc, char** argv);
int SimulateCommand(int argc, char** argv);

}  // namespace etpu::tools
