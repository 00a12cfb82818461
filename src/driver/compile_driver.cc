// etpu::CompileModels: the compiler pipeline, stage by stage.
//
//   LoadAndValidate -> PrepareModel (support rules, partition, activations, parameter layout)
//   -> PlanCompileSet (capacity, cache plan, caching token) -> BuildCompiledModel (packages, custom
//   ops) -> console text, .log files.
// With -d, a failing compile is retried with the mapped part cut back by -k operators at a time;
// with -n, the model is cut into segments that are compiled one after another under one token.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <set>

#include "base/file_io.h"
#include "base/hash.h"
#include "cache/co_compile.h"
#include "driver/console_report.h"
#include "driver/op_log.h"
#include "driver/output_paths.h"
#include "driver/package_builder.h"
#include "driver/prepared_model.h"
#include "etpu/compiler.h"
#include "partition/segmenter.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"

namespace etpu {
namespace {

using driver::ModelSummary;
using driver::PreparedModel;

/// What one "child compilation" (one compile set) produced.
struct SetOutcome {
  bool ok = false;
  int failed_model = -1;       ///< With a large-activation failure: which model.
  std::string text;            ///< Console text from the timer line to the trailer.
  std::vector<OutputFile> files;
};

struct InputModel {
  std::string path;            ///< As printed.
  std::string stem;
  const ir::Model* model;
  int64_t input_size;
};

std::string FailureText(int timeout_sec, const std::string& message) {
  return driver::TimerLine(timeout_sec) + "ERROR: Restored original execution plan after delegate application failure.\n" +
         fmt::format("Compilation failed: {}\n", message) + driver::Trailer(false);
}

cache::PlanModel ToPlanModel(const PreparedModel& p) {
  cache::PlanModel pm;
  pm.name = p.input_path;
  pm.act = p.activations;
  for (const auto& l : p.layers) {
    pm.layers.push_back({l.op_index, static_cast<int64_t>(l.bytes.size()), l.always_streamed});
  }
  std::vector<int> mapped;
  for (const auto& r : p.partition.regions) mapped.insert(mapped.end(), r.ops.begin(), r.ops.end());
  pm.content_digest = cache::ModelContentDigest(*p.model, mapped);
  return pm;
}

/// Compiles one set (co-compiled models, or one model), each with its own max_ops.
SetOutcome CompileSet(const std::vector<InputModel>& inputs, const std::vector<int>& max_ops,
                      const CompileOptions& options, int64_t elapsed_override, uint64_t forced_token = 0) {
  SetOutcome out;
  auto start = std::chrono::steady_clock::now();
  std::vector<PreparedModel> prepared;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto p = driver::PrepareModel(*inputs[i].model, inputs[i].path, inputs[i].stem, options, max_ops[i]);
    if (!p.ok()) {
      out.failed_model = static_cast<int>(i);
      std::string msg = p.status().code() == StatusCode::kResourceExhausted ? cache::kLargeActivationsMessage
                                                                              : p.status().message();
      out.text = FailureText(options.timeout_sec, msg);
      return out;
    }
    prepared.push_back(std::move(p).value());
  }
  std::vector<cache::PlanModel> plan_models;
  for (const auto& p : prepared) plan_models.push_back(ToPlanModel(p));
  cache::CompileSetOptions set_options;
  if (!options.cache_policy.empty()) set_options.policy = options.cache_policy;
  set_options.token.random = options.random_token;
  auto plan = cache::PlanCompileSet(plan_models, cache::CapacityModel(), set_options);
  if (!plan.ok()) {
    out.text = FailureText(options.timeout_sec, plan.status().message());
    return out;
  }
  uint64_t token = forced_token != 0 ? forced_token : plan->token;

  std::vector<ModelSummary> summaries;
  for (size_t i = 0; i < prepared.size(); ++i) {
    const PreparedModel& p = prepared[i];
    int runtime = driver::PackageRuntimeVersion(p, options.min_runtime_version);
    auto built = driver::BuildCompiledModel(p, plan->models[i], token, runtime);
    if (!built.ok()) {
      out.text = driver::TimerLine(options.timeout_sec) + fmt::format("Compilation failed: {}\n", built.status().message()) +
                 driver::Trailer(false);
      return out;
    }
    ModelSummary s;
    s.input_model = p.input_path;
    s.output_model = driver::OutputPath(options.out_dir, p.stem + "_edgetpu.tflite");
    s.log_path = driver::OutputPath(options.out_dir, p.stem + "_edgetpu.log");
    s.input_size = inputs[i].input_size;
    s.output_size = static_cast<int64_t>(built->tflite.size());
    s.onchip_used = built->cached_bytes;
    // Nothing mapped: the real compiler prints 0.00B for all three memory lines (§4.8).
    s.onchip_remaining = p.partition.regions.empty() ? 0 : plan->remaining_bytes;
    s.offchip_used = built->streamed_bytes;
    s.num_subgraphs = static_cast<int>(p.partition.regions.size());
    s.total_ops = static_cast<int>(p.model->ops.size());
    s.tpu_ops = p.partition.mapped_count();
    s.rows = driver::BuildOpLogRows(*p.model, driver::OperatorStatuses(p.decisions, p.partition));
    std::string log = driver::RenderLogFile(p.input_path, s.output_model, s.rows);
    out.files.push_back({s.output_model, std::move(built->tflite)});
    out.files.push_back({s.log_path, std::vector<uint8_t>(log.begin(), log.end())});
    summaries.push_back(std::move(s));
  }
  int64_t ms = elapsed_override >= 0
                   ? elapsed_override
                   : std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  out.text = driver::RenderSuccess(summaries, ms, options.timeout_sec, options.show_operations);
  out.ok = true;
  return out;
}

/// The tensors a delegate-search cut at `max_ops` turns into custom-op outputs.
std::string CutTensors(const ir::Model& m, int max_ops) {
  std::vector<std::string> names;
  std::set<int> seen;
  for (int i = 0; i < max_ops && i < static_cast<int>(m.ops.size()); ++i) {
    for (int t : m.ops[static_cast<size_t>(i)].outputs) {
      for (int c : m.tensor(t).consumers) {
        if (c >= max_ops && seen.insert(t).second) names.push_back(m.tensor(t).name);
      }
    }
  }
  return fmt::format("{}", fmt::join(names, ","));
}

/// -d: retry the failing model with fewer operators until a compile succeeds.
SetOutcome SearchDelegate(const std::vector<InputModel>& inputs, const CompileOptions& options, int64_t elapsed_override,
                          std::string& console) {
  console += fmt::format("Searching for valid delegate with step {}\n", options.delegate_search_step);
  std::vector<int> max_ops(inputs.size(), -1);
  while (true) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      int n = max_ops[i] < 0 ? static_cast<int>(inputs[i].model->ops.size()) : max_ops[i];
      console += fmt::format("Try to compile segment with {} ops\n", n);
      if (max_ops[i] >= 0) console += fmt::format("Intermediate tensors: {}\n", CutTensors(*inputs[i].model, n));
    }
    SetOutcome outcome = CompileSet(inputs, max_ops, options, elapsed_override);
    if (outcome.ok || outcome.failed_model < 0) return outcome;
    console += outcome.text;
    size_t f = static_cast<size_t>(outcome.failed_model);
    int current = max_ops[f] < 0 ? static_cast<int>(inputs[f].model->ops.size()) : max_ops[f];
    int next = current - options.delegate_search_step;
    if (next < 1) {
      outcome.text = "No valid delegate found: every cut of the model failed to compile.\n";
      return outcome;
    }
    max_ops[f] = next;
  }
}

CompileTranscript CompileSegments(const InputModel& input, const CompileOptions& options, int64_t elapsed_override) {
  CompileTranscript t;
  const ir::Model& model = *input.model;
  std::vector<int64_t> bytes(model.ops.size(), 0);
  for (size_t i = 0; i < model.ops.size(); ++i) {
    bytes[i] = params::LayerParamBytes(model, static_cast<int>(i), params::CompilerGeneration::k2021_07);
  }
  auto segments = partition::SegmentByParameters(model, bytes, options.num_segments);
  if (!segments.ok()) {
    t.console = fmt::format("Invalid model: {}\n{}\n", input.path, segments.status().message());
    return t;
  }
  // Cut the segments out as CPU models, then compile each; one token for all of them.
  std::vector<ir::Model> seg_models;
  std::vector<InputModel> seg_inputs;
  base::Hasher token_hash;
  for (size_t s = 0; s < segments->size(); ++s) {
    auto region = partition::MakeRegion(model, (*segments)[s]);
    auto sub = tflite::ExtractSubModel(model, region.ops, region.inputs, region.outputs);
    if (!sub.ok()) {
      t.console = sub.status().message() + "\n";
      return t;
    }
    auto bytes_s = tflite::SerializeModel(**sub);
    std::string stem = driver::SegmentStem(input.stem, static_cast<int>(s), options.num_segments);
    auto m = tflite::ReadModelFromBuffer(bytes_s, stem + ".tflite");
    if (!m.ok()) {
      t.console = m.status().message() + "\n";
      return t;
    }
    token_hash.Add(bytes_s);
    m->file_size = static_cast<int64_t>(bytes_s.size());
    seg_models.push_back(std::move(m).value());
  }
  uint64_t token = token_hash.Add(std::string_view("etpu-segments")).Digest() | 1;
  for (size_t s = 0; s < seg_models.size(); ++s) {
    std::string stem = driver::SegmentStem(input.stem, static_cast<int>(s), options.num_segments);
    seg_inputs.push_back({driver::OutputPath(options.out_dir, stem + ".tflite"), stem, &seg_models[s],
                          seg_models[s].file_size});
  }
  for (const auto& in : seg_inputs) {
    SetOutcome o = CompileSet({in}, {-1}, options, elapsed_override, token);
    t.console += o.text;
    if (!o.ok) return t;
    for (auto& f : o.files) t.files.push_back(std::move(f));
  }
  t.succeeded = true;
  return t;
}

}  // namespace

CompileTranscript CompileModels(const std::vector<std::string>& models, const CompileOptions& options,
                                int64_t elapsed_override) {
  CompileTranscript t;
  t.console = driver::VersionLine() + "\n";
  if (models.empty()) {
    t.console += "No input model given.\n";
    return t;
  }
  std::string out_dir = options.out_dir.empty() ? "." : options.out_dir;
  if (!base::IsWritableDirectory(out_dir)) {
    t.console += fmt::format("Error opening file for writing: {}\n",
                             driver::OutputPath(options.out_dir, driver::ModelStem(models[0]) + "_edgetpu.tflite"));
    t.console += "Compilation failed! \n";
    return t;
  }
  if (!options.cache_policy.empty()) {
    auto policy = cache::CachePolicyRegistry::Create(options.cache_policy);
    if (!policy.ok()) {
      t.console += policy.status().message() + "\n";
      return t;
    }
  }
  std::vector<ir::Model> loaded;
  loaded.reserve(models.size());
  for (const auto& path : models) {
    auto m = driver::LoadAndValidate(path);
    if (!m.ok()) {
      t.console += m.status().message();
      return t;
    }
    loaded.push_back(std::move(m).value());
  }
  std::set<std::string> stems;
  std::vector<InputModel> inputs;
  for (size_t i = 0; i < loaded.size(); ++i) {
    std::string stem = driver::ModelStem(models[i]);
    if (!stems.insert(stem).second) {
      t.console += fmt::format("Two input models would both write {}_edgetpu.tflite: give each model a different name.\n", stem);
      return t;
    }
    inputs.push_back({models[i], stem, &loaded[i], loaded[i].file_size});
  }
  if (options.num_segments > 1) {
    CompileTranscript seg = CompileSegments(inputs[0], options, elapsed_override);
    seg.console = t.console + seg.console;
    return seg;
  }
  SetOutcome outcome = options.search_delegate
                           ? SearchDelegate(inputs, options, elapsed_override, t.console)
                           : CompileSet(inputs, std::vector<int>(inputs.size(), -1), options, elapsed_override);
  t.console += outcome.text;
  t.succeeded = outcome.ok;
  if (outcome.ok) t.files = std::move(outcome.files);
  return t;
}

}  // namespace etpu
