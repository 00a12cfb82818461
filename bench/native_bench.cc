// Whole-model single-thread latency of etpu's CPU runtime (the interpreter, include/etpu/runtime.h)
// against native XNNPACK (Debian's libxnnpack, qu8 operators, xnn_graph.h) on the same model and
// the same input, in interleaved rounds; run_native_bench.sh runs it over the benchmark models.
//
//   native_bench [--runs N] [--rounds R] [--images DIR] [--isa avx2|avx512vnni] [--threads N]
//                [--per-layer] MODEL...
//   MODEL: a .tflite file, or zoo:NAME for a model of etpu's zoo (src/zoo).
//   --threads: etpu's interpreter threads (RuntimeOptions::num_threads; default 1); XNNPACK
//   always runs on one thread.
//
// Before timing, both run every image of DIR that decodes (prepared as the Coral tests do; a
// seeded random input when there is none): top-1 of output 0 must agree, and the largest
// difference of any output byte is printed in quantisation steps (XNNPACK requantises in float,
// TFLite's kernels in fixed point, so a few steps are expected). Output, one line per model:
//   NATIVE model=NAME etpu_ms=X xnnpack_ms=Y xnnpack/etpu=R etpu_min_ms=.. xnnpack_min_ms=..
//          min_ratio=xnnpack_min/etpu_min top1_agree=K/N top1_ties=T max_diff_steps=D input=images|random
//          gmacs=G etpu_gmacs=A peak_pct=P etpu_min_gmacs=B min_peak_pct=Q
// (medians over all timed runs; G: the model's conv / depthwise / fully-connected MACs (the
// timing model's count, etpu/timing.h cpu_macs) in 10^9, A / B: G / etpu's median / fastest
// time in s, P / Q: A / B against the single-core int8 peak of the ISA etpu runs on
// (int8_peak.h; a PEAK line first prints it) times the thread count; xnnpack/etpu > 1 means
// etpu is faster; K counts ties, where
// XNNPACK's class scores as high as etpu's top-1 on etpu's side or the other way round, and a
// CHECK line names every image whose top-1 classes differ), or
//   NATIVE model=NAME skipped: REASON
// when XNNPACK lacks an operator (the model is left out rather than timed partially).
// --per-layer also prints, for every operator, the difference of the operator alone (both sides
// fed etpu's values of its inputs) and of the sub-model ending there.
// Exit status 1 when a model fails to load or run, or top-1 disagrees.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "etpu/runtime.h"
#include "etpu/timing.h"
#include "int8_peak.h"
#include "kernels/dispatch.h"
#include "runtime/image_io.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"
#include "xnn_graph.h"
#include "zoo/zoo.h"

namespace {

using Bytes = std::vector<uint8_t>;
using etpu::ir::Model;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <typename F>
void TimeRuns(int warmup, int runs, std::vector<double>& ms, bool& ok, F&& run) {
  for (int i = 0; i < warmup + runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ok = run() && ok;
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
}

/// Inputs for the check: every image of `dir` that decodes, prepared to the input's shape.
struct Input {
  std::string name;
  Bytes bytes;
};

/// Inputs for the check: every image of `dir` that decodes, prepared to the input's shape.
std::vector<Input> ImageInputs(const std::string& dir, const etpu::TensorInfo& input) {
  std::vector<Input> inputs;
  if (input.shape.size() != 4 || input.shape[0] != 1 || dir.empty()) return inputs;
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".bmp") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto img = etpu::runtime::ReadImage(f);
    if (!img.ok()) continue;
    auto conv = etpu::runtime::ConvertChannels(img->image, input.shape[3]);
    if (!conv.ok()) continue;
    auto in = etpu::runtime::PrepareImage(conv->image, input.shape[1], input.shape[2], input.shape[3]);
    if (in.ok() && static_cast<int64_t>(in->size()) == input.bytes) {
      inputs.push_back({std::filesystem::path(f).filename().string(), std::move(*in)});
    }
  }
  return inputs;
}

/// Largest difference of two equally long byte arrays, in quantisation steps.
int MaxAbsDiff(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  int d = 0;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) d = std::max(d, std::abs(int{a[k]} - int{b[k]}));
  return d;
}

int ArgMax(std::span<const uint8_t> v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

struct Options {
  int runs = 20;
  int rounds = 3;
  std::string images;
  bool per_layer = false;
  int threads = 1;
  double peak_gmacs = 0;  ///< Single-core int8 peak of etpu's ISA (0: not measured).
};

/// Serialized sub-model of `ops` with the given boundary (etpu's own graph surgery).
etpu::Result<Bytes> SubModel(const Model& model, const std::vector<int>& ops, const std::vector<int>& inputs,
                             int output) {
  ETPU_ASSIGN_OR_RETURN(auto sub, etpu::tflite::ExtractSubModel(model, ops, inputs, {output}));
  return etpu::tflite::SerializeModel(*sub);
}

/// Output 0 of `bytes` run by etpu on inputs `xs` (empty on failure).
Bytes RunEtpu(etpu::Runtime& rt, const Bytes& bytes, const std::vector<Bytes>& xs) {
  auto m = rt.LoadModelFromBuffer(bytes, "sub-model");
  if (!m.ok() || m->num_inputs() != static_cast<int>(xs.size())) return {};
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!m->SetInput(static_cast<int>(i), xs[i]).ok()) return {};
  }
  if (!m->Invoke().ok()) return {};
  const auto out = m->GetOutput(0);
  return Bytes(out.begin(), out.end());
}

/// Largest byte difference of output 0 between etpu and XNNPACK on `xs` (-1 when a side fails).
int MaxDiff(etpu::Runtime& rt, const Bytes& bytes, const std::vector<Bytes>& xs) {
  auto model = etpu::tflite::ReadModelFromBuffer(bytes, "sub-model");
  if (!model.ok()) return -1;
  auto xnn = etpu::bench::XnnGraph::Build(*model);
  if (!xnn.ok() || (*xnn)->num_inputs() != static_cast<int>(xs.size())) return -1;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!(*xnn)->SetInput(static_cast<int>(i), xs[i]).ok()) return -1;
  }
  if (!(*xnn)->Run().ok()) return -1;
  const Bytes a = RunEtpu(rt, bytes, xs);
  const auto b = (*xnn)->Output(0);
  if (a.empty() || a.size() != b.size()) return -1;
  return MaxAbsDiff(a, b);
}

/// Diagnosis (--per-layer), for every operator with one output: the difference of the operator
/// alone (both sides fed etpu's values of its activation inputs) and of the whole prefix ending
/// there (differences propagate and grow); -1 where a sub-model cannot be made or run.
void PerLayer(etpu::Runtime& rt, const Model& model, const std::string& name, const Bytes& x) {
  if (model.inputs.size() != 1) return;
  const int graph_in = model.inputs[0];
  std::vector<int> prefix;
  for (const auto& op : model.ops) {
    const std::vector<int> before = prefix;
    prefix.push_back(op.index);
    if (op.outputs.size() != 1) continue;
    const int out = op.outputs[0];
    int isolated = -1, cumulative = -1;
    if (auto whole = SubModel(model, prefix, {graph_in}, out); whole.ok()) cumulative = MaxDiff(rt, *whole, {x});
    std::vector<int> ins;  // The operator's activation inputs and etpu's values of them.
    std::vector<Bytes> values;
    for (int t : op.inputs) {
      if (t < 0 || model.tensor(t).is_constant()) continue;
      ins.push_back(t);
      if (t == graph_in) {
        values.push_back(x);
      } else {
        auto head = SubModel(model, before, {graph_in}, t);
        values.push_back(head.ok() ? RunEtpu(rt, *head, {x}) : Bytes());
      }
    }
    const bool have = !ins.empty() && std::none_of(values.begin(), values.end(), [](const Bytes& v) {
      return v.empty();
    });
    auto single = SubModel(model, {op.index}, ins, out);
    if (single.ok() && have) isolated = MaxDiff(rt, *single, values);
    std::printf("LAYER model=%s op=%d %s isolated_max_diff_steps=%d cumulative_max_diff_steps=%d\n", name.c_str(),
                op.index, op.name().c_str(), isolated, cumulative);
  }
}

/// Benchmarks one model; returns false on a failure (not on a model XNNPACK cannot run).
bool BenchModel(etpu::Runtime& rt, const std::string& spec, const Options& opt) {
  std::string name = spec.substr(spec.find_last_of('/') + 1);
  etpu::Result<Bytes> bytes = etpu::InternalError("unset");
  if (spec.rfind("zoo:", 0) == 0) {
    name = spec.substr(4);
    bytes = etpu::zoo::GenerateZooModel(name);
  } else {
    bytes = etpu::base::ReadFile(spec);
    if (name.size() > 7 && name.ends_with(".tflite")) name.resize(name.size() - 7);
  }
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s\n", spec.c_str(), bytes.status().ToString().c_str());
    return false;
  }
  auto model = etpu::tflite::ReadModelFromBuffer(*bytes, spec);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return false;
  }
  auto xnn = etpu::bench::XnnGraph::Build(*model);
  if (!xnn.ok()) {
    std::printf("NATIVE model=%s skipped: %s\n", name.c_str(), xnn.status().ToString().c_str());
    std::fflush(stdout);
    return true;
  }
  auto m = rt.LoadModelFromBuffer(*bytes, spec);
  if (!m.ok()) {
    std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
    return false;
  }
  if (m->num_inputs() != 1 || m->num_outputs() != (*xnn)->num_outputs()) {
    std::fprintf(stderr, "%s: the bench needs one input, and as many outputs on both sides\n", spec.c_str());
    return false;
  }
  const etpu::TensorInfo in = m->input(0);
  std::vector<Input> inputs = ImageInputs(opt.images, in);
  const bool images = !inputs.empty();
  if (!images) {  // No image fits: one seeded random input.
    Bytes r(static_cast<size_t>(in.bytes));
    std::mt19937 rng(12345);
    for (auto& b : r) b = static_cast<uint8_t>(rng());
    inputs.push_back({"random", std::move(r)});
  }
  // The check: top-1 of output 0 and the largest byte difference over every output.
  int agree = 0, ties = 0, max_diff = 0;
  for (const Input& input : inputs) {
    if (!m->SetInput(0, input.bytes).ok() || !m->Invoke().ok() || !(*xnn)->SetInput(0, input.bytes).ok() ||
        !(*xnn)->Run().ok()) {
      std::fprintf(stderr, "%s: a run failed\n", spec.c_str());
      return false;
    }
    for (int o = 0; o < m->num_outputs(); ++o) {
      const auto a = m->GetOutput(o);
      const auto b = (*xnn)->Output(o);
      if (a.size() != b.size()) {
        std::fprintf(stderr, "%s: output %d sizes differ\n", spec.c_str(), o);
        return false;
      }
      max_diff = std::max(max_diff, MaxAbsDiff(a, b));
    }
    const auto a = m->GetOutput(0);
    const auto b = (*xnn)->Output(0);
    const int ta = ArgMax(a), tb = ArgMax(b);
    const auto at = [](std::span<const uint8_t> v, int i) { return int{v[static_cast<size_t>(i)]}; };
    // A tie (the other side's class scores as high on one side) is not a disagreement: ArgMax
    // takes the first of equal scores.
    const bool tie = ta != tb && (at(a, tb) == at(a, ta) || at(b, ta) == at(b, tb));
    if (ta == tb || tie) ++agree;
    if (tie) ++ties;
    if (ta != tb) {  // Say how close the two candidates are on each side.
      std::printf("CHECK model=%s image=%s top1 %s: etpu class %d (%d; class %d: %d), xnnpack class %d (%d; "
                  "class %d: %d)\n",
                  name.c_str(), input.name.c_str(), tie ? "tie" : "DIFFERS", ta, at(a, ta), tb, at(a, tb), tb,
                  at(b, tb), ta, at(b, ta));
    }
  }
  // Timing on the first input, interleaved: etpu first in even rounds, XNNPACK first in odd ones.
  const Bytes& x = inputs.front().bytes;
  bool ok = m->SetInput(0, x).ok() && (*xnn)->SetInput(0, x).ok();
  std::vector<double> e_ms, x_ms;
  for (int r = 0; r < opt.rounds; ++r) {
    const int warmup = r == 0 ? 2 : 0;
    const auto time_etpu = [&] { TimeRuns(warmup, opt.runs, e_ms, ok, [&] { return m->Invoke().ok(); }); };
    const auto time_xnn = [&] { TimeRuns(warmup, opt.runs, x_ms, ok, [&] { return (*xnn)->Run().ok(); }); };
    if (r % 2 == 0) time_etpu(), time_xnn();
    else time_xnn(), time_etpu();
  }
  if (opt.per_layer) PerLayer(rt, *model, name, x);
  if (!ok) {
    std::fprintf(stderr, "%s: a timed run failed\n", spec.c_str());
    return false;
  }
  const double e = Median(e_ms), xm = Median(x_ms);
  // MACs as the timing model counts them (every operator of an uncompiled model is a CPU one).
  auto timing = etpu::EstimateModelTiming(*bytes, name);
  const double gmacs = timing.ok() ? static_cast<double>(timing->cpu_macs) / 1e9 : 0;
  const double achieved = gmacs / (e / 1e3);
  const double peak = opt.peak_gmacs * opt.threads;
  const int n = static_cast<int>(inputs.size());
  const double e_min = *std::min_element(e_ms.begin(), e_ms.end());
  const double x_min = *std::min_element(x_ms.begin(), x_ms.end());
  std::printf("NATIVE model=%s etpu_ms=%.3f xnnpack_ms=%.3f xnnpack/etpu=%.2f etpu_min_ms=%.3f "
              "xnnpack_min_ms=%.3f min_ratio=%.2f top1_agree=%d/%d top1_ties=%d max_diff_steps=%d input=%s "
              "gmacs=%.3f etpu_gmacs=%.1f peak_pct=%.1f etpu_min_gmacs=%.1f min_peak_pct=%.1f\n",
              name.c_str(), e, xm, xm / e, e_min, x_min, x_min / e_min, agree, n, ties, max_diff,
              images ? "images" : "random", gmacs, achieved, peak > 0 ? 100 * achieved / peak : 0.0,
              gmacs / (e_min / 1e3), peak > 0 ? 100 * gmacs / (e_min / 1e3) / peak : 0.0);
  std::fflush(stdout);
  return agree == n;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Options opt;
  std::vector<std::string> models;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--runs" && has_value) opt.runs = std::atoi(args[++i].c_str());
    else if (args[i] == "--rounds" && has_value) opt.rounds = std::atoi(args[++i].c_str());
    else if (args[i] == "--images" && has_value) opt.images = args[++i];
    else if (args[i] == "--per-layer") opt.per_layer = true;
    else if (args[i] == "--threads" && has_value) opt.threads = std::atoi(args[++i].c_str());
    else if (args[i] == "--isa" && has_value) {
      const std::string isa = args[++i];  // Caps etpu's fast paths' instruction set.
      etpu::kernels::SetFastIsaCap(isa == "avx2" ? etpu::kernels::FastIsa::kAvx2
                                                 : etpu::kernels::FastIsa::kAvx512Vnni);
    } else {
      models.push_back(args[i]);
    }
  }
  if (models.empty() || opt.runs < 1 || opt.rounds < 1) {
    std::fprintf(stderr, "usage: native_bench [--runs N] [--rounds R] [--images DIR] [--isa avx2|avx512vnni] "
                         "[--threads N] [--per-layer] MODEL.tflite|zoo:NAME...\n");
    return 2;
  }
  etpu::RuntimeOptions rt_options;
  rt_options.num_threads = opt.threads;
  auto rt = etpu::Runtime::Create(rt_options);
  if (!rt.ok()) {
    std::fprintf(stderr, "%s\n", rt.status().ToString().c_str());
    return 1;
  }
  const char* isa = etpu::kernels::FastIsaName(etpu::kernels::ActiveFastIsa());
  std::printf("etpu fast ISA: %s, %d thread%s; XNNPACK: Debian libxnnpack (qu8 operators); single thread\n",
              isa, opt.threads, opt.threads > 1 ? "s" : "");
  opt.peak_gmacs = etpu::bench::Int8PeakGmacs(isa);
  std::printf("PEAK isa=%s gmacs=%.1f (single core, int8_peak.h)\n", isa, opt.peak_gmacs);
  int status = 0;
  for (const std::string& spec : models) {
    if (!BenchModel(**rt, spec, opt)) status = 1;
  }
  return status;
}
