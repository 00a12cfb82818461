// libFuzzer target: the plan file that `etpu report --plan` and `etpu simulate` read (the output
// of `etpu plan --json`, untrusted once on disk): JSON parsing, then every field check of
// planner::ParsePlanDocument. Every failure must be a Status naming the field, never a crash.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "planner/plan_document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  (void)etpu::planner::ParsePlanDocument(doc, "fuzz.json");
  return 0;
}
