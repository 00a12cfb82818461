#include "runtime/cpu_timing.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <set>

#include <time.h>

#include <fmt/format.h>

#include "runtime/interpreter.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_reader.h"

namespace etpu::runtime {
namespace {

bool IsEdgeTpuOp(const ir::Operator& op) {
  return op.code == ir::BuiltinOperator::CUSTOM && op.custom_code == ir::kEdgeTpuCustomOp;
}

std::string OpName(const ir::Operator& op) {
  return op.code == ir::BuiltinOperator::CUSTOM ? "CUSTOM:" + op.custom_code : op.name();
}

// Fills every input of `interp`: pseudo-random (floats uniform in [0, 1), other types random
// bytes) or zeros.
Status FillInputs(Interpreter& interp, bool random, std::mt19937& rng) {
  for (int i = 0; i < interp.num_inputs(); ++i) {
    const ir::Tensor& t = interp.input_tensor(i);
    std::vector<uint8_t> bytes(static_cast<size_t>(std::max<int64_t>(0, t.size_bytes())), 0);
    if (random) {
      if (t.type == ir::TensorType::FLOAT32) {
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        for (size_t k = 0; k + sizeof(float) <= bytes.size(); k += sizeof(float)) {
          const float v = u(rng);
          std::memcpy(bytes.data() + k, &v, sizeof v);
        }
      } else {
        for (auto& b : bytes) b = static_cast<uint8_t>(rng() & 0xFF);
      }
    }
    ETPU_RETURN_IF_ERROR(interp.SetInput(i, bytes));
  }
  return OkStatus();
}

// A one-operator model of `op`: constant inputs keep their bytes, the others are its inputs.
Result<std::unique_ptr<Interpreter>> IsolateOp(const ir::Model& model, const ir::Operator& op) {
  std::vector<int> inputs;
  std::set<int> seen;
  for (int t : op.inputs) {
    if (t >= 0 && !model.tensor(t).is_constant() && seen.insert(t).second) inputs.push_back(t);
  }
  ETPU_ASSIGN_OR_RETURN(auto fb, tflite::ExtractSubModel(model, {op.index}, inputs, op.outputs));
  ETPU_ASSIGN_OR_RETURN(ir::Model one, tflite::BuildModel(std::move(fb), model.path));
  return Interpreter::Create(std::make_shared<const ir::Model>(std::move(one)));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// CPU time of the calling thread (user + system), in ms. The isolated operator runs on this thread
// alone (the interpreter's default of one thread), so time spent waiting for a core on a busy
// machine is not counted, as wall-clock time would count it.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

Result<double> TimeOp(Interpreter& interp, int repeats) {
  ETPU_RETURN_IF_ERROR(interp.Invoke());  // warm-up (and the check that it runs at all)
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const double start = ThreadCpuMs();
    ETPU_RETURN_IF_ERROR(interp.Invoke());
    ms.push_back(ThreadCpuMs() - start);
  }
  return Median(std::move(ms));
}

}  // namespace

Result<CpuPartTime> MeasureCpuPart(const ir::Model& model, int repeats) {
  if (repeats < 1 || repeats > 1000) {
    return InvalidArgumentError(fmt::format("measuring the CPU part of '{}': repeats must be 1..1000 (got {})",
                                            model.path, repeats));
  }
  CpuPartTime part;
  part.repeats = repeats;
  std::mt19937 rng(0x65747075);  // fixed seed: the same inputs on every run
  for (const ir::Operator& op : model.ops) {
    if (IsEdgeTpuOp(op)) continue;
    CpuOpTime t;
    t.op_index = op.index;
    t.op = OpName(op);
    auto interp = IsolateOp(model, op);
    if (!interp.ok()) {
      t.why_not = interp.status().message();
    } else {
      for (bool random : {true, false}) {
        Status filled = FillInputs(**interp, random, rng);
        if (!filled.ok()) {
          t.why_not = filled.message();
          continue;
        }
        auto ms = TimeOp(**interp, repeats);
        if (ms.ok()) {
          t.ms = *ms;
          t.measured = true;
          break;
        }
        t.why_not = ms.status().message();
      }
    }
    if (t.measured) {
      t.why_not.clear();
      part.total_ms += t.ms;
    } else {
      ++part.unmeasured;
    }
    part.ops.push_back(std::move(t));
  }
  return part;
}

}  // namespace etpu::runtime
