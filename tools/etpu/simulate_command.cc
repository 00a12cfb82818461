// etpu simulate PLAN.json [--seconds S] [--seed N] [--json]
//
// Plays the workload of a plan (`etpu plan --json`) event by event over virtual Edge TPUs that
// apply the caching-token rule (src/simulate), and sets what happened beside what the planner
// predicted: utilisation, token switches per second, per model throughput, reloads and latency
// percentiles (docs/PLANNER.md §7).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "planner/plan_document.h"
#include "simulate/simulate.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {
namespace {

std::vector<simulate::SimDevice> DevicesOf(const planner::PlanDocument& plan) {
  std::vector<simulate::SimDevice> out;
  for (const planner::PlanDeviceDoc& d : plan.devices) {
    simulate::SimDevice sd;
    sd.name = d.device_string + " (" + d.host + ")";
    for (const planner::PlanGroupDoc& g : d.groups) {
      std::vector<simulate::SimModel> group;
      for (const planner::PlanMemberDoc& m : g.members) group.push_back({m.name, m.rate_hz, m.first_ms, m.later_ms});
      sd.groups.push_back(std::move(group));
    }
    sd.predicted_utilisation = d.utilisation;
    sd.predicted_switches_per_s = d.token_switches_per_s;
    out.push_back(std::move(sd));
  }
  return out;
}

// The planner's predicted p99 of each model of a device, in the simulator's order (group by group).
std::vector<std::optional<double>> PredictedP99(const planner::PlanDeviceDoc& d) {
  std::vector<std::optional<double>> out;
  for (const planner::PlanGroupDoc& g : d.groups) {
    for (const planner::PlanMemberDoc& m : g.members) out.push_back(m.latency_p99_ms);
  }
  return out;
}

std::string Diff(double simulated, double predicted) {
  if (predicted <= 0) return simulated == 0 ? "(same)" : "";
  return fmt::format("({:+.1f}%)", 100 * (simulated / predicted - 1));
}

}  // namespace

int SimulateCommand(int argc, char** argv) {
  CLI::App app{"Play a plan's workload (Poisson demands at each model's rate) over virtual Edge TPUs that apply the\n"
               "caching-token rule, event by event, and compare with what the planner predicted: utilisation, token\n"
               "switches per second, per model throughput, reloads and latency percentiles. PLAN.json is the output\n"
               "of `etpu plan --json`. Exit codes: 0 ok, 1 the plan cannot be read, 2 usage error.",
               "etpu simulate"};
  std::string plan_file;
  double seconds = 600;
  uint64_t seed = 1;
  bool json_out = false;
  app.add_option("plan", plan_file, "A plan written by `etpu plan --json`")->required();
  app.add_option("--seconds", seconds, "Simulated time in seconds (default 600)")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of the pseudo-random arrivals (default 1)");
  app.add_flag("--json", json_out, "Machine-readable output");
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  auto plan = planner::ReadPlanDocument(plan_file);
  if (!plan.ok()) return Failure("simulate", plan.status().ToString());
  auto results = simulate::SimulateDevices(DevicesOf(*plan), {.seconds = seconds, .seed = seed});
  if (!results.ok()) return Failure("simulate", results.status().ToString());
  if (json_out) {
    nlohmann::json devices = nlohmann::json::array();
    for (size_t i = 0; i < results->size(); ++i) {
      const simulate::SimDeviceResult& d = (*results)[i];
      const std::vector<std::optional<double>> predicted = PredictedP99(plan->devices[i]);
      const auto predicted_p99 = [&](size_t k) {
        return k < predicted.size() && predicted[k] ? nlohmann::json(*predicted[k]) : nlohmann::json(nullptr);
      };
      nlohmann::json models = nlohmann::json::array();
      for (size_t k = 0; k < d.models.size(); ++k) {
        const simulate::SimModelResult& m = d.models[k];
        models.push_back({{"name", m.name}, {"invocations", m.invocations}, {"reloads", m.reloads}, {"throughput_hz", m.throughput_hz},
                          {"latency_p50_ms", m.latency_p50_ms}, {"latency_p99_ms", m.latency_p99_ms},
                          {"predicted_latency_p99_ms", predicted_p99(k)}});
      }
      devices.push_back({{"device", d.name}, {"utilisation", d.utilisation}, {"predicted_utilisation", d.predicted_utilisation},
                         {"token_switches_per_s", d.token_switches_per_s}, {"predicted_switches_per_s", d.predicted_switches_per_s},
                         {"saturated", d.saturated}, {"models", models}});
    }
    nlohmann::json doc = {{"plan", plan_file}, {"seconds", seconds}, {"seed", seed}, {"devices", devices}};
    std::printf("%s\n", doc.dump(2).c_str());
    return kExitOk;
  }
  std::printf("Simulated %.0f s of the workload of %s (Poisson arrivals, seed %llu), caching-token rule applied.\n", seconds,
              plan_file.c_str(), static_cast<unsigned long long>(seed));
  for (size_t i = 0; i < results->size(); ++i) {
    const simulate::SimDeviceResult& d = (*results)[i];
    std::printf("\n%s: utilisation %.2f%% simulated, %.2f%% predicted %s; token switches %.2f/s simulated, %.2f/s predicted%s\n",
                d.name.c_str(), 100 * d.utilisation, 100 * d.predicted_utilisation, Diff(d.utilisation, d.predicted_utilisation).c_str(),
                d.token_switches_per_s, d.predicted_switches_per_s, d.saturated ? "  SATURATED: demand exceeds the device" : "");
    std::printf("  %-36s %10s %9s %10s %10s %16s\n", "model", "rate (Hz)", "reloads", "p50 (ms)", "p99 (ms)",
                "p99 predicted");
    const std::vector<std::optional<double>> predicted = PredictedP99(plan->devices[i]);
    for (size_t k = 0; k < d.models.size(); ++k) {
      const simulate::SimModelResult& m = d.models[k];
      const double reload_share = m.invocations > 0 ? 100.0 * static_cast<double>(m.reloads) / static_cast<double>(m.invocations) : 0;
      const std::optional<double> p99 = k < predicted.size() ? predicted[k] : std::nullopt;
      std::printf("  %-36s %10.2f %8.1f%% %10.2f %10.2f %16s\n", m.name.c_str(), m.throughput_hz, reload_share,
                  m.latency_p50_ms, m.latency_p99_ms,
                  p99 ? fmt::format("{:.2f} {}", *p99, Diff(m.latency_p99_ms, *p99)).c_str() : "-");
    }
  }
  return kExitOk;
}

}  // namespace etpu::tools
