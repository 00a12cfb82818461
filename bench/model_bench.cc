// Whole-model single-thread latency of etpu's CPU runtime (include/etpu/runtime.h): the fast
// kernels against the reference kernels in the same run, with a byte-for-byte comparison of
// every output (fast vs reference, on the fill input and on a seeded random input).
// run_model_bench.sh runs LiteRT beside it and prints ratios.
//
//   model_bench [--runs N] [--ref-runs M] [--fill V] [--isa avx2|avx512vnni] MODEL.tflite...
//   (M = 0: no reference run; --isa caps the fast paths' instruction set)
//   model_bench --strip-int64-outputs IN.tflite OUT.tflite
//
// The second form writes a copy of IN without a final ARG_MAX whose INT64 output LiteRT.js
// cannot return (the output becomes ARG_MAX's input); it exits 2 when there is nothing to strip.
// Output lines "RESULT name=... fast_median_ms=... fast_min_ms=... ref_median_ms=...
// bitexact=yes|no" are parsed by the script.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "etpu/runtime.h"
#include "kernels/dispatch.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Strip(const std::string& in, const std::string& out) {
  auto model = etpu::tflite::ReadModel(in);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  std::vector<int> outputs = model->outputs;
  std::vector<int> dropped;
  for (int& t : outputs) {
    const auto& tensor = model->tensor(t);
    if (tensor.type != etpu::ir::TensorType::INT64 || tensor.producer < 0) continue;
    const auto& op = model->ops[static_cast<size_t>(tensor.producer)];
    if (op.code != etpu::ir::BuiltinOperator::ARG_MAX || op.inputs.empty()) continue;
    dropped.push_back(op.index);
    t = op.inputs[0];
  }
  if (dropped.empty()) return 2;
  std::vector<int> ops;
  for (const auto& op : model->ops) {
    if (std::find(dropped.begin(), dropped.end(), op.index) == dropped.end()) ops.push_back(op.index);
  }
  auto sub = etpu::tflite::ExtractSubModel(*model, ops, model->inputs, outputs);
  if (!sub.ok()) {
    std::fprintf(stderr, "%s\n", sub.status().ToString().c_str());
    return 1;
  }
  const auto bytes = etpu::tflite::SerializeModel(**sub);
  if (auto s = etpu::base::WriteFileAtomic(out, bytes); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("stripped %zu ARG_MAX op(s): %s\n", dropped.size(), out.c_str());
  return 0;
}

/// Times `runs` invocations (after `warmup`), returns the latencies in ms.
std::vector<double> Time(etpu::LoadedModel& m, int warmup, int runs, bool* ok) {
  std::vector<double> ms;
  for (int i = 0; i < warmup + runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!m.Invoke().ok()) *ok = false;
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return ms;
}

std::vector<std::vector<uint8_t>> Outputs(const etpu::LoadedModel& m) {
  std::vector<std::vector<uint8_t>> out;
  for (int i = 0; i < m.num_outputs(); ++i) {
    auto s = m.GetOutput(i);
    out.emplace_back(s.begin(), s.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "--strip-int64-outputs") return Strip(args[1], args[2]);
  int runs = 20, ref_runs = 2, fill = 128;
  std::vector<std::string> models;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--runs" && i + 1 < args.size()) runs = std::atoi(args[++i].c_str());
    else if (args[i] == "--ref-runs" && i + 1 < args.size()) ref_runs = std::atoi(args[++i].c_str());
    else if (args[i] == "--fill" && i + 1 < args.size()) fill = std::atoi(args[++i].c_str());
    else if (args[i] == "--isa" && i + 1 < args.size()) {
      const std::string isa = args[++i];  // Caps the fast paths' instruction set.
      etpu::kernels::SetFastIsaCap(isa == "avx2" ? etpu::kernels::FastIsa::kAvx2
                                                 : etpu::kernels::FastIsa::kAvx512Vnni);
    }
    else models.push_back(args[i]);
  }
  if (models.empty() || runs < 1) {
    std::fprintf(stderr, "usage: model_bench [--runs N] [--ref-runs M] [--fill V] MODEL...\n");
    return 1;
  }
  auto rt = etpu::Runtime::Create();
  if (!rt.ok()) {
    std::fprintf(stderr, "%s\n", rt.status().ToString().c_str());
    return 1;
  }
  std::printf("fast ISA: %s (single thread)\n",
              etpu::kernels::FastIsaName(etpu::kernels::ActiveFastIsa()));
  int status = 0;
  for (const std::string& path : models) {
    auto m = (*rt)->LoadModel(path);
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      status = 1;
      continue;
    }
    for (int i = 0; i < m->num_inputs(); ++i) {
      std::vector<uint8_t> in(static_cast<size_t>(m->input(i).bytes), static_cast<uint8_t>(fill));
      if (!m->SetInput(i, in).ok()) status = 1;
    }
    bool ok = true;
    etpu::kernels::SetFastKernelsEnabled(true);
    const auto fast = Time(*m, 2, runs, &ok);
    const auto fast_out = Outputs(*m);
    std::vector<double> ref;
    std::string exact = "skipped";
    if (ref_runs > 0) {  // Reference kernels: latency and the byte-for-byte check.
      etpu::kernels::SetFastKernelsEnabled(false);
      ref = Time(*m, 0, ref_runs, &ok);
      const auto ref_out = Outputs(*m);
      // A second check on a seeded random input (a constant image leaves many layers flat).
      std::mt19937 rng(12345);
      for (int i = 0; i < m->num_inputs(); ++i) {
        std::vector<uint8_t> in(static_cast<size_t>(m->input(i).bytes));
        for (auto& b : in) b = static_cast<uint8_t>(rng());
        if (!m->SetInput(i, in).ok()) ok = false;
      }
      ok = ok && m->Invoke().ok();
      const auto ref_rand = Outputs(*m);
      etpu::kernels::SetFastKernelsEnabled(true);
      ok = ok && m->Invoke().ok();
      const auto fast_rand = Outputs(*m);
      exact = ok && fast_out == ref_out && fast_rand == ref_rand ? "yes" : "no";
      if (exact != "yes") status = 1;
    }
    std::string name = path.substr(path.find_last_of('/') + 1);
    std::printf("RESULT name=%s fast_median_ms=%.3f fast_min_ms=%.3f ref_median_ms=%.3f "
                "ref_over_fast=%.1f bitexact=%s runs=%d\n",
                name.c_str(), Median(fast), *std::min_element(fast.begin(), fast.end()),
                Median(ref), Median(ref) / Median(fast), exact.c_str(), runs);
    std::fflush(stdout);
  }
  return status;
}
