// `etpu plan --write DIR`: compiles the chosen plan with etpu's compiler, one folder per Edge TPU
// (and one per group when a device holds several), beside the plan document, all or nothing.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "etpu/status.h"
#include "planner/evaluate.h"
#include "planner/problem.h"

namespace etpu::tools {

/// What WritePlan wrote.
struct PlanWritten {
  int files = 0;
  int compilations = 0;
};

/// Writes into the existing directory `dir`: plan.json (`plan_document`, as `etpu plan --json`
/// prints it) and, for device d with device string "usb:N" / "pci:N", the folder tpu<d>_usb-N
/// holding each group's models compiled together in the plan's order (<stem>_edgetpu.tflite and
/// its .log), in group<g> sub-folders when the device holds more than one group. Every file is
/// written or none (folders created for a failed write are removed). Errors: `dir` not a writable
/// directory, a group the compiler refuses (naming it), a write that fails.
Result<PlanWritten> WritePlan(const planner::Problem& problem, const planner::Plan& plan,
                              const std::vector<std::string>& device_strings, const nlohmann::json& plan_document,
                              const std::string& dir);

}  // namespace etpu::tools
