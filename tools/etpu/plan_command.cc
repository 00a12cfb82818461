// etpu plan MODEL@HZ[:MSms]... | --sequence A,B,B --fps F  [--devices usb3,usb3,...] [--clock max|std] [--device_catalog FILE] [--json]
//
// Which models to co-compile, in which order, on which Edge TPU (docs/PLANNER.md): the exact
// optimum of the latency objectives met (§10), then the throughput headroom a* (then streamed
// traffic, then fewest groups), for rates or a cyclic --sequence (§11), over every
// grouping, order and assignment up to 8 models x 4 TPUs, a local search beyond, costed by etpu's
// compiler and its one timing model, with the upper bound on a* and the gap, beside the baselines
// one-per-tpu, all-cocompiled and greedy; a model may be pipelined or replicated over several TPUs,
// beside the num-segments and profiling-partitioner baselines (docs/PLANNER.md §8). Nothing is
// executed, and nothing is written without --write.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/units.h"
#include "device/device_catalog.h"
#include "planner/explain.h"
#include "planner/heuristic.h"
#include "planner/search.h"
#include "planner/shares.h"
#include "planner/solve.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"
#include "tools/etpu/plan_write.h"

namespace etpu::tools {
namespace {

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "usb:N" / "pci:N": the N-th device of that bus, as a pycoral app passes it.
std::vector<std::string> DeviceStrings(const planner::Problem& p) {
  std::vector<std::string> out;
  int usb = 0, pci = 0;
  for (const auto& h : p.devices) {
    out.push_back(h.link == device::LinkKind::kPcie ? fmt::format("pci:{}", pci++) : fmt::format("usb:{}", usb++));
  }
  return out;
}

struct Baseline {
  std::string name;
  std::optional<planner::PlanEval> eval;
  std::string error;
};

std::string Factor(const planner::PlanEval& best, const Baseline& b) {
  if (!b.eval) return "-";
  const double base = b.eval->objective.headroom();
  return base > 0 ? fmt::format("{:.2f}x", best.objective.headroom() / base) : "-";
}

// A latency for JSON: null when the TPU is overloaded (no finite latency).
nlohmann::json Ms(double ms) { return std::isfinite(ms) ? nlohmann::json(ms) : nlohmann::json(nullptr); }

std::string MsText(double ms) { return std::isfinite(ms) ? fmt::format("{:.2f}", ms) : "inf"; }

// The pipelines' end-to-end latencies: the sums of their stages' p50s and p99s (an upper estimate
// of the end-to-end p99; the host's copies between stages are in the stages' times).
struct PipelineLatency {
  double p50_ms = 0, p99_ms = 0;
  std::optional<double> slo_ms;
};
std::map<std::string, PipelineLatency> PipelineLatencies(const planner::Problem& p, const planner::PlanEval& e) {
  std::map<std::string, PipelineLatency> out;
  for (const auto& dev : e.devices) {
    for (const auto& g : dev.groups) {
      for (const auto& l : g) {
        const auto& m = p.models[static_cast<size_t>(l.model)];
        if (m.split_of < 0 || m.replica) continue;
        PipelineLatency& x = out[m.source_name];
        x.p50_ms += l.latency_p50_ms;
        x.p99_ms += l.latency_p99_ms;
        x.slo_ms = m.slo_ms;
      }
    }
  }
  return out;
}

// Says which latency objectives the plan misses (empty when it meets them all).
std::string SloMisses(const planner::Problem& p, const planner::PlanEval& e) {
  std::string out;
  for (const auto& dev : e.devices) {
    for (const auto& g : dev.groups) {
      for (const auto& l : g) {
        if (l.slo_ms > 0 && !(l.latency_p99_ms <= l.slo_ms * (1 + 1e-9))) {
          out += fmt::format("{}{}: p99 {} ms > {:.2f} ms", out.empty() ? "" : "; ",
                             p.models[static_cast<size_t>(l.model)].name, MsText(l.latency_p99_ms), l.slo_ms);
        }
      }
    }
  }
  return out;
}

std::string StageText(const planner::Segmentation& c) {
  std::string starts;
  for (int s : c.starts) starts += (starts.empty() ? "" : ", ") + std::to_string(s);
  return fmt::format("{} stages, cut by the {} partitioner before operators [{}]", c.stages(), c.method, starts);
}

void PrintPlan(const planner::Problem& p, const planner::BoundedPlan& bounded, const std::vector<Baseline>& baselines,
               const std::string& method, double ms, int64_t compilations, const planner::Splits& splits,
               bool split_bound) {
  const planner::PlanEval& e = bounded.eval;
  const auto strings = DeviceStrings(p);
  size_t models = 0;  // as the user gave them: a model's stages or replicas are one model
  for (const auto& m : p.models) models += m.split_of < 0 || m.part == 0 ? 1 : 0;
  std::printf("etpu plan: %zu model(s) on %zu Edge TPU(s); %s (%lld compilations, %.0f ms)\n", models,
              p.devices.size(), method.c_str(), static_cast<long long>(compilations), ms);
  if (p.sequence.empty()) {
    std::printf("Timing model only (docs/TIMING_MODEL.md); switch model: Poisson demands, token rule (docs/PLANNER.md).\n");
  } else {
    std::string names;
    for (int m : p.sequence) names += (names.empty() ? "" : ", ") + p.models[static_cast<size_t>(m)].name;
    std::printf("Timing model only (docs/TIMING_MODEL.md); workload: the sequence %s, %g times per second, each TPU "
                "running its part in order; token rule (docs/PLANNER.md §11).\n", names.c_str(), p.frames_per_s);
  }
  if (p.shared_usb_hub) std::printf("The USB Edge TPUs share one hub: each has 1/n of its link (all transferring at once).\n");
  if (p.emulate != 16) {
    std::printf("Co-compiled groups are laid out as Google's compiler %d does (--emulate %d; docs/COMPILER.md).\n",
                p.emulate, p.emulate);
  }
  for (const auto& m : p.models) {
    if (m.split_of < 0 || m.part != 0) continue;
    if (m.replica) {
      for (const auto& r : splits.replications) {
        if (r.model != m.split_of) continue;
        std::printf("Replicated: %s on %d TPUs, %s (requests dispatched at random%s).\n", m.source_name.c_str(),
                    m.parts, planner::ReplicaSharesText(r).c_str(),
                    r.shares.empty() ? "" : " with these probabilities");
      }
      continue;
    }
    for (const auto& c : splits.cuts) {
      if (c.model == m.split_of) {
        std::printf("Pipelined: %s in %s (libcoral's PipelinedModelRunner, one TPU per stage).\n", m.source_name.c_str(),
                    StageText(c).c_str());
      }
    }
  }
  for (size_t d = 0; d < e.devices.size(); ++d) {
    const auto& dev = e.devices[d];
    std::printf("\nTPU %zu  %s  device \"%s\"  clock %s: utilisation %.1f%%, %.2f token switches/s, streamed %.2f MB/s\n",
                d, p.devices[d].name.c_str(), strings[d].c_str(), device::ClockName(p.ClockOf(static_cast<int>(d))),
                100 * dev.utilisation, dev.switches_per_s, dev.streamed_mb_s);
    if (dev.groups.empty()) std::printf("  (idle)\n");
    for (size_t g = 0; g < dev.groups.size(); ++g) {
      std::printf("  group %zu: %s\n", g + 1, planner::CompileCommand(p, e.plan.devices[d][g]).c_str());
      std::printf("    %-34s %8s %7s %10s %10s %9s %9s %7s %6s %8s %8s %8s\n", "model", "rate Hz", "share", "on-chip",
                  "streamed", "first ms", "steady ms", "reload", "util", "p50 ms", "p99 ms", "SLO ms");
      for (const auto& l : dev.groups[g]) {
        const auto& m = p.models[static_cast<size_t>(l.model)];
        std::printf("    %-34s %8.2f %6.1f%% %10s %10s %9.2f %9.2f %6.1f%% %5.1f%% %8s %8s %8s\n", m.name.c_str(), m.rate_hz,
                    100 * l.share, base::FormatBytes(static_cast<uint64_t>(l.onchip_bytes)).c_str(),
                    base::FormatBytes(static_cast<uint64_t>(l.offchip_bytes)).c_str(), l.first_ms, l.later_ms,
                    100 * l.reload_probability, 100 * l.utilisation, MsText(l.latency_p50_ms).c_str(),
                    MsText(l.latency_p99_ms).c_str(), l.slo_ms > 0 ? fmt::format("{:.2f}", l.slo_ms).c_str() : "-");
      }
    }
  }
  for (const auto& [name, x] : PipelineLatencies(p, e)) {
    std::printf("\nPipeline %s end to end: p50 %s ms, p99 %s ms (sums over its stages)%s\n", name.c_str(),
                MsText(x.p50_ms).c_str(), MsText(x.p99_ms).c_str(),
                x.slo_ms ? fmt::format("; objective {:.2f} ms", *x.slo_ms).c_str() : "");
  }
  std::printf("%s\n", p.sequence.empty()
                          ? "Latency: predicted from arrival to completion (M/G/1 per TPU, docs/PLANNER.md §10)."
                          : "Latency: from the frame's start to completion, each TPU running its part of the sequence in order.");
  if (e.objective.slo_violation > 0) {
    std::printf("NO FEASIBLE PLAN: no plan found meets every latency objective; the one shown misses by least (%s)\n",
                SloMisses(p, e).c_str());
  }
  std::printf("\nThroughput headroom a* = %.3f (every demand can grow by this factor before a TPU saturates)%s\n",
              e.objective.headroom(), e.objective.max_utilisation > 1 ? "; OVERLOADED: a* < 1" : "");
  std::printf("Bound: no plan exceeds a* = %.3f (every parameter cached, load perfectly balanced%s); gap %.1f%%\n",
              bounded.headroom_bound(), split_bound ? ", a model's work shared by its stages or replicas" : "",
              100 * bounded.gap());
  std::printf("Streamed host traffic %.2f MB/s, %d group(s)\n", e.objective.streamed_mb_s, e.objective.groups);
  std::printf("\n%-21s %10s %14s %7s %10s\n", "plan", "headroom", "streamed MB/s", "groups", "plan gain");
  std::printf("%-21s %10.3f %14.2f %7d %10s\n", "etpu plan", e.objective.headroom(), e.objective.streamed_mb_s,
              e.objective.groups, "1.00x");
  for (const auto& b : baselines) {
    if (!b.eval) {
      std::printf("%-21s %10s  does not compile: %s\n", b.name.c_str(), "-", b.error.c_str());
      continue;
    }
    std::printf("%-21s %10.3f %14.2f %7d %10s\n", b.name.c_str(), b.eval->objective.headroom(),
                b.eval->objective.streamed_mb_s, b.eval->objective.groups, Factor(e, b).c_str());
  }
}

nlohmann::json PlanJson(const planner::Problem& p, const planner::BoundedPlan& bounded,
                        const std::vector<Baseline>& baselines, const std::string& method,
                        const planner::SearchStats& stats, const std::optional<planner::HeuristicStats>& heuristic,
                        const planner::Splits& splits) {
  const planner::PlanEval& e = bounded.eval;
  const auto strings = DeviceStrings(p);
  nlohmann::json devices = nlohmann::json::array();
  for (size_t d = 0; d < e.devices.size(); ++d) {
    const auto& dev = e.devices[d];
    nlohmann::json groups = nlohmann::json::array();
    for (size_t g = 0; g < dev.groups.size(); ++g) {
      nlohmann::json names = nlohmann::json::array(), members = nlohmann::json::array();
      for (const auto& l : dev.groups[g]) {
        const auto& m = p.models[static_cast<size_t>(l.model)];
        names.push_back(m.name);
        members.push_back({{"name", m.name}, {"file", m.file}, {"rate_hz", m.rate_hz},
                           {"pipeline_of", m.split_of >= 0 && !m.replica ? nlohmann::json(m.source_name)
                                                                          : nlohmann::json(nullptr)},
                           {"replica_of", m.replica ? nlohmann::json(m.source_name) : nlohmann::json(nullptr)},
                           {"part", m.part},
                           {"onchip_bytes", std::to_string(l.onchip_bytes)},
                           {"offchip_bytes", std::to_string(l.offchip_bytes)}, {"first_ms", l.first_ms},
                           {"later_ms", l.later_ms}, {"share", l.share}, {"reload_probability", l.reload_probability},
                           {"utilisation", l.utilisation}, {"latency_p50_ms", Ms(l.latency_p50_ms)},
                           {"latency_p99_ms", Ms(l.latency_p99_ms)},
                           {"slo_ms", l.slo_ms > 0 ? nlohmann::json(l.slo_ms) : nlohmann::json(nullptr)}});
      }
      groups.push_back({{"models", names},
                        {"compile_command", planner::CompileCommand(p, e.plan.devices[d][g])},
                        {"members", members}});
    }
    devices.push_back({{"host", p.devices[d].name}, {"device_string", strings[d]},
                       {"clock", device::ClockName(p.ClockOf(static_cast<int>(d)))},
                       {"utilisation", dev.utilisation}, {"token_switches_per_s", dev.switches_per_s},
                       {"streamed_mb_s", dev.streamed_mb_s}, {"groups", groups}});
  }
  nlohmann::json base = nlohmann::json::object();
  for (const auto& b : baselines) {
    if (b.eval) {
      base[b.name] = {{"throughput_headroom", b.eval->objective.headroom()},
                      {"streamed_mb_s", b.eval->objective.streamed_mb_s},
                      {"groups", b.eval->objective.groups}};
    } else {
      base[b.name] = {{"throughput_headroom", nullptr}, {"error", b.error}};
    }
  }
  nlohmann::json out = {{"devices", devices},
          {"shared_usb_hub", p.shared_usb_hub},
          {"emulate", p.emulate},
          {"throughput_headroom", e.objective.headroom()},
          {"lower_bound_headroom", bounded.headroom_bound()},
          {"lower_bound_utilisation", bounded.lower_bound_utilisation},
          {"gap", bounded.gap()},
          {"max_utilisation", e.objective.max_utilisation},
          {"streamed_mb_s", e.objective.streamed_mb_s},
          {"groups", e.objective.groups},
          {"slo_met", e.objective.slo_violation == 0},
          {"slo_violation", e.objective.slo_violation},
          {"method", method},
          {"search", {{"ordered_groups", std::to_string(stats.ordered_groups)},
                      {"candidate_groups", std::to_string(stats.candidate_groups)},
                      {"device_configs", std::to_string(stats.device_configs)}}},
          {"baselines", base}};
  nlohmann::json pipelines = nlohmann::json::array();
  nlohmann::json replicas = nlohmann::json::array();
  for (const auto& m : p.models) {
    if (!m.replica || m.part != 0) continue;
    for (const auto& r : splits.replications) {
      if (r.model != m.split_of) continue;
      std::vector<double> shares;
      for (int i = 0; i < r.replicas; ++i) shares.push_back(r.ShareOf(i));
      replicas.push_back({{"model", m.source_name}, {"replicas", m.parts}, {"shares", shares}});
    }
  }
  out["replicas"] = replicas;
  for (const auto& c : splits.cuts) {
    std::string source;
    for (const auto& m : p.models) {
      if (m.split_of == c.model) source = m.source_name;
    }
    pipelines.push_back({{"model", source}, {"stages", c.stages()}, {"method", c.method}, {"starts", c.starts}});
  }
  const auto latencies = PipelineLatencies(p, e);
  for (auto& x : pipelines) {
    const auto it = latencies.find(x["model"].get<std::string>());
    if (it == latencies.end()) continue;
    x["latency_p50_ms"] = Ms(it->second.p50_ms);
    x["latency_p99_ms"] = Ms(it->second.p99_ms);
  }
  out["pipelines"] = pipelines;
  if (p.sequence.empty()) {
    out["workload"] = {{"kind", "poisson"}};
  } else {
    nlohmann::json names = nlohmann::json::array();
    for (int m : p.sequence) names.push_back(p.models[static_cast<size_t>(m)].name);
    out["workload"] = {{"kind", "sequence"}, {"frames_per_s", p.frames_per_s}, {"sequence", names}};
  }
  if (heuristic) {
    out["heuristic"] = {{"start", heuristic->start},
                        {"moves_evaluated", std::to_string(heuristic->moves_evaluated)},
                        {"moves_accepted", std::to_string(heuristic->moves_accepted)},
                        {"budget_exhausted", heuristic->budget_exhausted}};
  }
  return out;
}

}  // namespace

int PlanCommand(int argc, char** argv) {
  CLI::App app{"Which models to co-compile, in which order, on which Edge TPU: the plan with the most throughput "
               "headroom (timing model only; nothing is executed, and nothing is written without --write).",
               "etpu plan"};
  std::vector<std::string> demands;
  std::string devices_text = "usb3", clock_text, catalog_file, write_dir, sequence_text;
  double fps = 0;
  int emulate = 16;
  bool json = false, explain = false, usb_hub = false;
  app.add_option("models", demands,
                 "MODEL@HZ or MODEL@HZ:MSms: a .tflite file or a zoo name (etpu zoo --list), its demand in Hz and "
                 "optionally a latency objective (the predicted p99 from arrival to completion, in ms)")
;
  app.add_option("--sequence", sequence_text,
                 "The workload as a cyclic invocation sequence instead of MODEL@HZ rates: models (files or zoo names, "
                 "each optionally with :MSms, a latency objective) comma-separated in invocation order, e.g. "
                 "det,cls,cls; issued --fps times per second, each TPU running its part in order");
  app.add_option("--fps", fps, "Frames per second of --sequence (required with it)");
  app.add_option("--devices", devices_text,
                 "Edge TPUs as host profiles, comma-separated (usb3, usb2, pcie, rpi4-usb3, ...; default usb3)");
  app.add_option("--clock", clock_text, "std or max (default: each host profile's usual runtime build)")
      ->check(CLI::IsMember({"std", "max"}));
  app.add_option("--device_catalog", catalog_file, "Device catalog JSON (default: the built-in devices/devices.json)");
  app.add_flag("--usb_hub", usb_hub,
               "The USB Edge TPUs of --devices sit behind one USB hub (or controller) and share its bandwidth: each "
               "gets 1/n of it, as when all transfer at once (docs/TIMING_MODEL.md 2.3)");
  app.add_option("--emulate", emulate,
                 "Which generation of Google's compiler the groups are compiled for, 15 (2020-11) or 16 (2021-07, "
                 "default): it decides how co-compiled models share the SRAM (docs/COMPILER.md)")
      ->check(CLI::IsMember({15, 16}));
  app.add_flag("--json", json, "Machine-readable output");
  app.add_flag("--explain", explain,
               "Say why: each co-compiled group against its models compiled apart, each model against its best "
               "move to another TPU, priced by the same cost");
  app.add_option("--write", write_dir,
                 "Compile the chosen plan into this existing directory: plan.json, and per Edge TPU a folder "
                 "tpu<N>_<bus>-<K> with each group's models compiled together (etpu's compiler; all files or none)");
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;

  const bool cyclic = !sequence_text.empty();
  if (cyclic == !demands.empty()) {
    return UsageError("plan", cyclic ? "give either MODEL@HZ demands or --sequence, not both"
                                     : "no model given: MODEL@HZ... or --sequence det,cls,cls --fps F");
  }
  if (!cyclic && fps != 0) return UsageError("plan", "--fps goes with --sequence");
  std::vector<planner::ModelDemand> models;
  for (const auto& d : demands) {
    auto parsed = planner::ParseModelDemand(d);
    if (!parsed.ok()) return UsageError("plan", parsed.status().message());
    models.push_back(*parsed);
  }
  std::vector<planner::SequenceItem> sequence;
  if (cyclic) {
    auto parsed = planner::ParseSequence(SplitCommas(sequence_text), fps);
    if (!parsed.ok()) return UsageError("plan", parsed.status().message());
    sequence = std::move(parsed).value();
  }
  const std::vector<std::string> hosts = SplitCommas(devices_text);
  if (hosts.empty()) return UsageError("plan", "--devices names no device (e.g. --devices usb3,usb3)");
  std::optional<device::Clock> clock;
  if (!clock_text.empty()) {
    auto c = device::ParseClock(clock_text);
    if (!c.ok()) return UsageError("plan", c.status().message());
    clock = *c;
  }
  auto catalog = device::LoadDeviceCatalogOrBuiltin(catalog_file);
  if (!catalog.ok()) return Failure("plan", catalog.status().ToString());
  for (const auto& h : hosts) {
    if (catalog->FindHost(h) == nullptr) {
      std::string names;
      for (const auto& known : catalog->hosts) names += (names.empty() ? "" : ", ") + known.name;
      return UsageError("plan", fmt::format("unknown device '{}' in --devices (host profiles: {})", h, names));
    }
  }
  auto problem = cyclic ? planner::MakeSequenceProblem(sequence, fps, hosts, *catalog, clock, usb_hub)
                        : planner::MakeProblem(models, hosts, *catalog, clock, usb_hub);
  if (!problem.ok()) return Failure("plan", problem.status().message());
  problem->emulate = emulate;

  const auto start = std::chrono::steady_clock::now();
  auto coster = planner::GroupCoster::Create(*problem);
  if (!coster.ok()) return Failure("plan", coster.status().message());
  std::vector<Baseline> baselines;
  for (const auto& name : planner::BaselineNames()) {
    Baseline b;
    b.name = name;
    auto plan = planner::BaselinePlan(**coster, name);
    if (!plan.ok()) {
      b.error = plan.status().message();
    } else if (auto e = planner::EvaluatePlan(**coster, *plan); e.ok()) {
      b.eval = std::move(e).value();
    } else {
      b.error = e.status().message();
    }
    baselines.push_back(std::move(b));
  }
  auto whole = planner::Solve(**coster);
  if (!whole.ok()) return Failure("plan", whole.status().message());
  // Splitting models: the pipelining baselines, then pipelines and replicas (planner/solve.h).
  planner::Profilers profilers;
  for (const auto& name : planner::PipelineBaselineNames()) {
    Baseline b;
    b.name = name;
    if (cyclic) continue;  // pipelines are not modelled for sequences (planner/solve.h)
    auto pb = planner::MakePipelineBaseline(*problem, **coster, profilers, name);
    if (!pb.ok()) {
      b.error = pb.status().message();
    } else if (auto e = planner::EvaluatePlan(pb->split.coster ? *pb->split.coster : **coster, pb->plan);
               e.ok()) {
      b.eval = std::move(e).value();
    } else {
      b.error = e.status().message();
    }
    baselines.push_back(std::move(b));
  }
  planner::SplitSearchStats split_stats;
  const planner::SplitSearchOptions split_options = planner::SplitSearchOptionsFor(*whole);
  auto split = planner::BestSplitPlan(*problem, **coster, profilers, *whole, &split_stats, split_options);
  if (!split.ok()) return Failure("plan", split.status().message());
  // What is shown: the whole-model problem, or the one with the winning pipelines and replicas.
  const planner::Problem* shown = &*problem;
  planner::GroupCoster* shown_coster = coster->get();
  planner::Solution* solution = &*whole;
  planner::Splits splits;
  if (split->has_value()) {
    shown = (*split)->first.problem.get();
    shown_coster = (*split)->first.coster.get();
    solution = &(*split)->second;
    splits = (*split)->first.splits;
  }
  if (split_stats.combinations > 0 || split_stats.budget_exhausted) {  // the bound over every plan, split ones included
    auto bound = planner::SplitLowerBound(**coster);
    if (!bound.ok()) return Failure("plan", bound.status().message());
    solution->best.lower_bound_utilisation = *bound;
  }
  const planner::BoundedPlan& best = solution->best;
  std::string method = solution->method;
  if (solution != &*whole) {  // The winner pipelines or replicates: say how the whole models were planned too.
    method = fmt::format("whole models: {} (a* {:.3f}); with stages and replicas ({} units): {}", whole->method,
                         whole->best.eval.objective.headroom(), shown->models.size(), solution->method);
  }
  if (split_stats.combinations > 0) {
    method += fmt::format("; {} pipelining / replication choice(s) costed ({} profiling compilations{})",
                          split_stats.combinations, split_stats.profiling_compilations,
                          split_stats.budget_exhausted
                              ? fmt::format("; the rest left untried at the {:.0f} s budget", split_options.max_seconds)
                              : "");
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json document = PlanJson(*shown, best, baselines, method, solution->stats, solution->heuristic, splits);
  document["split_search"] = {{"choices", split_stats.combinations},
                              {"profiling_compilations", std::to_string(split_stats.profiling_compilations)},
                              {"budget_exhausted", split_stats.budget_exhausted}};
  std::vector<planner::Explanation> explanations;
  if (explain) {
    auto e = planner::ExplainPlan(*shown_coster, best.eval);
    if (!e.ok()) return Failure("plan", e.status().message());
    explanations = std::move(e).value();
    if (!splits.empty()) {
      explanations.insert(explanations.begin(), planner::ExplainSplits(*problem, splits, whole->best.eval.objective,
                                                                      best.eval.objective));
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& x : explanations) {
      nlohmann::json names = nlohmann::json::array();
      const planner::Problem& of = x.kind == "split" ? *problem : *shown;  // a split names the user's models
      for (int m : x.models) names.push_back(of.models[static_cast<size_t>(m)].name);
      list.push_back({{"kind", x.kind}, {"device", x.device}, {"models", names}, {"text", x.text},
                      {"alternative_headroom", x.alternative_ok ? nlohmann::json(x.alternative_objective.headroom())
                                                                : nlohmann::json(nullptr)}});
    }
    document["explanations"] = list;
  }
  const bool feasible = best.eval.objective.slo_violation == 0;
  if (!write_dir.empty() && feasible) {
    auto written = WritePlan(*shown, best.eval.plan, DeviceStrings(*shown), document, write_dir);
    if (!written.ok()) return Failure("plan", written.status().message());
    std::fprintf(stderr, "etpu plan: wrote %d files to %s (%d compilations with etpu's compiler: for Coral hardware, "
                 "run each group's edgetpu_compiler command with Google's compiler)\n",
                 written->files, write_dir.c_str(), written->compilations);
  }
  if (json) {
    std::printf("%s\n", document.dump(2).c_str());
  } else {
    PrintPlan(*shown, best, baselines, method, ms, (*coster)->compilations() + (shown_coster != coster->get() ? shown_coster->compilations() : 0), splits,
              split_stats.combinations > 0 || split_stats.budget_exhausted);
    if (explain) {
      std::printf("\nWhy:\n");
      for (const auto& x : explanations) std::printf("  - %s\n", x.text.c_str());
    }
  }
  if (!feasible) {
    std::fprintf(stderr, "etpu plan: no feasible plan: %s%s\n", SloMisses(*shown, best.eval).c_str(),
                 write_dir.empty() ? "" : "; nothing written");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace etpu::tools
