// etpu::Compile: the compiler pipeline, stage by stage, into a CompileResult.
//
//   ParseModel (read, whole-model checks) -> PrepareModel (support rules, partition, activations,
//   parameter layout) -> PlanCompileSet (capacity, cache plan, caching token) -> BuildCompiledModel
//   (packages, custom ops) -> ModelResult (verdicts, partition, placements, bytes, .log text).
// With -d, a failing compile is retried with the mapped part cut back by -k operators at a time;
// with -n, the model is cut into segments that are compiled one after another under one token.
// Nothing here prints or writes: driver/console_report renders the result.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <set>

#include "cache/caching_token.h"
#include "cache/co_compile.h"
#include "cache/plan_model.h"
#include "driver/console_report.h"
#include "driver/generation.h"
#include "driver/op_log.h"
#include "driver/output_paths.h"
#include "driver/package_builder.h"
#include "driver/parsed_model.h"
#include "driver/prepared_model.h"
#include "driver/segments.h"
#include "etpu/compiler.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

using driver::PreparedModel;

struct InputModel {
  std::string path;            ///< As printed.
  std::string stem;
  const ir::Model* model;
  int64_t input_size;
  const ParsedModel* parsed = nullptr;  ///< Keeps prepared models across compiles; null for segments.
};

Result<std::shared_ptr<const PreparedModel>> Prepare(const InputModel& in, const CompileOptions& options, int max_ops) {
  if (in.parsed != nullptr) return in.parsed->Prepared(options, max_ops);
  ETPU_ASSIGN_OR_RETURN(PreparedModel p, driver::PrepareModel(*in.model, options, max_ops));
  return std::make_shared<const PreparedModel>(std::move(p));
}

CompileFailure SetFailure(FailureKind kind, int model, const std::string& name, std::string message,
                          std::vector<std::string> interpreter_errors = {}) {
  CompileFailure f;
  f.kind = kind;
  f.model = model;
  f.model_name = name;
  f.message = std::move(message);
  f.interpreter_errors = std::move(interpreter_errors);
  return f;
}

/// The line the real compiler prints when the delegate (our mapping) could not be applied.
const char* kRestoredPlan = "ERROR: Restored original execution plan after delegate application failure.";

cache::PlanModel ToPlanModel(const InputModel& in, const PreparedModel& p) {
  cache::PlanModel pm = p.plan_model;
  pm.name = in.path;
  return pm;
}

/// Everything known about one compiled model, from its preparation and its build.
ModelResult MakeModelResult(const InputModel& input, const PreparedModel& p, driver::BuiltModel built,
                            const CompileOptions& options, uint64_t token, int runtime, const cache::CachePlan& plan) {
  const int64_t remaining = plan.remaining_bytes;
  const ir::Model& m = *p.model;
  ModelResult r;
  r.input_name = input.path;
  r.output_path = driver::OutputPath(options.out_dir, input.stem + "_edgetpu.tflite");
  r.log_path = driver::OutputPath(options.out_dir, input.stem + "_edgetpu.log");
  r.input_size = input.input_size;
  std::vector<support::OpStatus> statuses = driver::OperatorStatuses(p.decisions, p.partition);
  for (size_t i = 0; i < m.ops.size(); ++i) {
    OperatorVerdict v;
    v.op_index = static_cast<int>(i);
    v.op = m.ops[i].name();
    v.status = support::StatusText(statuses[i]);
    v.region = p.partition.region_of[i];
    if (v.region < 0) {
      if (p.decisions[i].supported && p.partition.cpu_reason[i] == partition::CpuReason::kAfterIntermediate) {
        v.rule_id = "partition.intermediate_tensor";
        v.reason = "supported, but downstream of a tensor cut by -i or by the delegate search";
      } else if (p.decisions[i].supported) {
        v.rule_id = "partition.single_subgraph";
        v.reason = "supported, but downstream of an operator that stays on the CPU (one Edge TPU subgraph only; -a lifts this)";
      } else {
        v.rule_id = p.decisions[i].rule_id;
        v.reason = p.decisions[i].reason;
      }
      r.cpu_ops.push_back(static_cast<int>(i));
    }
    r.operators.push_back(std::move(v));
  }
  for (const auto& region : p.partition.regions) {
    EdgeTpuRegion e;
    e.ops = region.ops;
    for (int t : region.inputs) e.inputs.push_back(m.tensor(t).name);
    for (int t : region.outputs) e.outputs.push_back(m.tensor(t).name);
    r.regions.push_back(std::move(e));
  }
  r.layers = std::move(built.layers);
  r.caching_token = token;
  r.min_runtime_version = runtime;
  r.onchip_bytes = built.cached_bytes;
  r.offchip_bytes = built.streamed_bytes;
  // Nothing mapped: the real compiler prints 0.00B for all three memory lines (§4.8).
  r.onchip_remaining_bytes = p.partition.regions.empty() ? 0 : remaining;
  r.sram = {plan.budget.sram_bytes, plan.budget.executable_reserve_bytes, plan.budget.activation_bytes,
            plan.budget.set_reserve_bytes, plan.budget.parameter_capacity_bytes};
  r.cache_policy = plan.policy;
  r.model = std::move(built.tflite);
  r.log = driver::RenderLogFile(options.emulate, r.input_name, r.output_path, driver::BuildOpLogRows(r.operators));
  return r;
}

/// What BuildCompiledModel reports, without building: the placements and their byte totals.
Result<driver::BuiltModel> PlanOnly(const PreparedModel& p, const cache::ModelPlan& plan, int runtime) {
  driver::BuiltModel b;
  ETPU_ASSIGN_OR_RETURN(b.layers, driver::PlaceLayers(p, plan));
  for (const LayerPlacement& l : b.layers) (l.cached ? b.cached_bytes : b.streamed_bytes) += l.bytes;
  b.package_min_runtime_version = runtime;
  return b;
}

/// Compiles one set (co-compiled models, or one model), each with its own max_ops, into `result`.
Compilation CompileSet(const std::vector<InputModel>& inputs, const std::vector<int>& max_ops,
                       const CompileOptions& options, CompileResult& result, uint64_t forced_token = 0) {
  Compilation c;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<const PreparedModel>> prepared;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto p = Prepare(inputs[i], options, max_ops[i]);
    if (!p.ok()) {
      const bool large = p.status().code() == StatusCode::kResourceExhausted;
      c.failure = SetFailure(large ? FailureKind::kLargeActivations : FailureKind::kCompileFailed, static_cast<int>(i),
                             inputs[i].path, large ? cache::kLargeActivationsMessage : p.status().message(),
                             {kRestoredPlan});
      if (large) c.failure->details = p.status().message();
      return c;
    }
    prepared.push_back(std::move(p).value());
  }
  std::vector<cache::PlanModel> plan_models;
  for (size_t i = 0; i < prepared.size(); ++i) plan_models.push_back(ToPlanModel(inputs[i], *prepared[i]));
  cache::CompileSetOptions set_options;
  set_options.policy = options.cache_policy.empty() ? driver::DefaultCachePolicy(options.emulate) : options.cache_policy;
  set_options.token.random = options.random_token;
  auto capacity = cache::CapacityModel::Builtin();
  if (!capacity.ok()) {
    c.failure = SetFailure(FailureKind::kCompileFailed, -1, "", capacity.status().message(), {kRestoredPlan});
    return c;
  }
  auto plan = cache::PlanCompileSet(plan_models, *capacity, set_options);
  if (!plan.ok()) {
    c.failure = SetFailure(FailureKind::kCompileFailed, -1, "", plan.status().message(), {kRestoredPlan});
    return c;
  }
  uint64_t token = forced_token != 0 ? forced_token : plan->token;

  std::vector<ModelResult> built_models;
  for (size_t i = 0; i < prepared.size(); ++i) {
    const PreparedModel& p = *prepared[i];
    int runtime = driver::PackageRuntimeVersion(p, options.min_runtime_version);
    Result<driver::BuiltModel> built = options.build_models ? driver::BuildCompiledModel(p, plan->models[i], token, runtime, options.emulate)
                                                            : PlanOnly(p, plan->models[i], runtime);
    if (!built.ok()) {
      c.failure = SetFailure(FailureKind::kPackageFailed, static_cast<int>(i), inputs[i].path, built.status().message());
      return c;
    }
    built_models.push_back(
        MakeModelResult(inputs[i], p, std::move(built).value(), options, token, runtime, *plan));
  }
  for (auto& m : built_models) {
    c.models.push_back(static_cast<int>(result.models.size()));
    result.models.push_back(std::move(m));
  }
  result.caching_token = token;
  c.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return c;
}

/// The tensors a delegate-search cut at `max_ops` turns into custom-op outputs.
std::vector<std::string> CutTensors(const ir::Model& m, int max_ops) {
  std::vector<std::string> names;
  std::set<int> seen;
  for (int i = 0; i < max_ops && i < static_cast<int>(m.ops.size()); ++i) {
    for (int t : m.ops[static_cast<size_t>(i)].outputs) {
      for (int c : m.tensor(t).consumers) {
        if (c >= max_ops && seen.insert(t).second) names.push_back(m.tensor(t).name);
      }
    }
  }
  return names;
}

/// -d: retry the failing model with fewer operators until a compile succeeds.
void SearchDelegate(const std::vector<InputModel>& inputs, const CompileOptions& options, CompileResult& result) {
  std::vector<int> max_ops(inputs.size(), -1);
  while (true) {
    std::vector<Compilation::Cut> cuts;
    for (size_t i = 0; i < inputs.size(); ++i) {
      Compilation::Cut cut;
      cut.cut = max_ops[i] >= 0;
      cut.ops = cut.cut ? max_ops[i] : static_cast<int>(inputs[i].model->ops.size());
      if (cut.cut) cut.tensors = CutTensors(*inputs[i].model, cut.ops);
      cuts.push_back(std::move(cut));
    }
    Compilation c = CompileSet(inputs, max_ops, options, result);
    c.cuts = std::move(cuts);
    std::optional<CompileFailure> failure = c.failure;
    result.compilations.push_back(std::move(c));
    if (!failure) return;
    // Only a model that failed to prepare is cut back; set-level and packaging failures end the search.
    if (failure->model < 0 || failure->kind == FailureKind::kPackageFailed) {
      result.failure = failure;
      return;
    }
    size_t f = static_cast<size_t>(failure->model);
    int current = max_ops[f] < 0 ? static_cast<int>(inputs[f].model->ops.size()) : max_ops[f];
    int next = current - options.delegate_search_step;
    if (next < 1) {
      result.failure = SetFailure(FailureKind::kNoValidDelegate, failure->model, failure->model_name,
                                  "No valid delegate found: every cut of the model failed to compile.");
      return;
    }
    max_ops[f] = next;
  }
}

void CompileSegments(const InputModel& input, const CompileOptions& options, CompileResult& result) {
  const ir::Model& model = *input.model;
  auto segments = driver::ParameterEqualSegments(model, options.num_segments, options.emulate);
  if (!segments.ok()) {
    result.failure = SetFailure(FailureKind::kSegmentationFailed, 0, input.path, segments.status().message());
    return;
  }
  // Cut the segments out as CPU models, then compile each; one token for all of them.
  std::vector<ir::Model> seg_models;
  std::vector<cache::PlanModel> token_set;  // the segments' content, for the one token derivation
  for (size_t s = 0; s < segments->size(); ++s) {
    auto bytes_s = driver::SegmentSource(model, (*segments)[s]);
    if (!bytes_s.ok()) {
      result.failure = SetFailure(FailureKind::kSegmentationFailed, 0, input.path, bytes_s.status().message());
      return;
    }
    std::string stem = driver::SegmentStem(input.stem, static_cast<int>(s), options.num_segments);
    auto m = tflite::ReadModelFromBuffer(*bytes_s, stem + ".tflite");
    if (!m.ok()) {
      result.failure = SetFailure(FailureKind::kSegmentationFailed, 0, input.path, m.status().message());
      return;
    }
    cache::PlanModel seg_view;
    seg_view.name = stem;
    seg_view.content_digest = cache::ModelContentDigest(*m);
    token_set.push_back(std::move(seg_view));
    m->file_size = static_cast<int64_t>(bytes_s->size());
    seg_models.push_back(std::move(m).value());
  }
  // One token for every segment, derived like any compile set's (and random with --random_token).
  cache::TokenOptions token_options;
  token_options.random = options.random_token;
  const uint64_t token = cache::MakeCachingToken(token_set, "segments", token_options);
  for (size_t s = 0; s < seg_models.size(); ++s) {
    std::string stem = driver::SegmentStem(input.stem, static_cast<int>(s), options.num_segments);
    InputModel in{driver::OutputPath(options.out_dir, stem + ".tflite"), stem, &seg_models[s], seg_models[s].file_size};
    Compilation c = CompileSet({in}, {-1}, options, result, token);
    std::optional<CompileFailure> failure = c.failure;
    result.compilations.push_back(std::move(c));
    if (failure) {
      result.failure = failure;
      return;
    }
  }
}

}  // namespace

Result<CompileResult> Compile(std::span<const ModelInput> models, const CompileOptions& given) {
  if (given.emulate != 15 && given.emulate != 16) {
    return InvalidArgumentError("Compile: emulate must be 15 or 16, got " + std::to_string(given.emulate));
  }
  CompileOptions options = given;
  if (options.min_runtime_version == 0) options.min_runtime_version = driver::DefaultMinRuntimeVersion(options.emulate);
  if (options.num_segments < 1) return InvalidArgumentError("Compile: num_segments must be >= 1");
  if (options.search_delegate && options.delegate_search_step < 1) {
    return InvalidArgumentError("Compile: delegate_search_step must be >= 1");
  }
  CompileResult result;
  if (models.empty()) {
    result.failure = SetFailure(FailureKind::kNoInput, -1, "", "No input model given.");
    return result;
  }
  if (!options.cache_policy.empty()) {
    auto policy = cache::CachePolicyRegistry::Create(options.cache_policy);
    if (!policy.ok()) {
      result.failure = SetFailure(FailureKind::kBadOption, -1, "", policy.status().message());
      return result;
    }
  }
  // Parse what was not parsed before; keep every parsed model alive for the whole call.
  std::vector<std::shared_ptr<const ParsedModel>> parsed;
  parsed.reserve(models.size());
  for (size_t i = 0; i < models.size(); ++i) {
    const ModelInput& in = models[i];
    std::shared_ptr<const ParsedModel> p = in.parsed;
    if (p == nullptr) p = in.bytes.empty() ? ParseModel(in.name) : ParseModel(in.bytes, in.name);
    if (p->failure) {
      result.failure = *p->failure;
      result.failure->model = static_cast<int>(i);
      result.failure->model_name = in.name.empty() ? p->name : in.name;
      // Dynamic sizes fail inside the child compilation, as the real compiler's do.
      if (p->failure->kind == FailureKind::kDynamicShape) result.compilations.push_back({{}, 0, result.failure, {}});
      return result;
    }
    parsed.push_back(std::move(p));
  }
  std::set<std::string> stems;
  std::vector<InputModel> inputs;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const std::string& name = models[i].name.empty() ? parsed[i]->name : models[i].name;
    std::string stem = driver::ModelStem(name);
    if (!stems.insert(stem).second) {
      result.failure = SetFailure(
          FailureKind::kDuplicateOutput, static_cast<int>(i), name,
          fmt::format("Two input models would both write {}_edgetpu.tflite: give each model a different name.", stem));
      return result;
    }
    inputs.push_back({name, stem, &*parsed[i]->model, parsed[i]->model->file_size, parsed[i].get()});
  }
  if (options.num_segments > 1) {
    CompileSegments(inputs[0], options, result);
  } else if (options.search_delegate) {
    SearchDelegate(inputs, options, result);
  } else {
    Compilation c = CompileSet(inputs, std::vector<int>(inputs.size(), -1), options, result);
    result.failure = c.failure;
    result.compilations.push_back(std::move(c));
  }
  result.ok = !result.failure.has_value();
  return result;
}

}  // namespace etpu
