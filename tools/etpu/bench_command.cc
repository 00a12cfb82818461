// etpu bench MODEL... [--host H] [--clock std|max] [--cocompile] [--switch [--rounds N]] [--json]
// etpu bench --seed [--json]
// JSON schemas: docs/json/bench.schema.json and docs/json/bench-seed.schema.json (tokens as hex strings).
//
// Simulated Edge TPU inference times: each MODEL (a .tflite path or a zoo name) is compiled with
// etpu's compiler and its package costed by the timing model (perf::RunBench). The Edge TPU part
// is timed from the compiled package alone; operators left on the CPU are run one by one on this
// machine and their measured time scaled to the host profile (cpu_time_factor).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "base/units.h"
#include "device/device_catalog.h"
#include "perf/bench.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {
namespace {

constexpr const char* kTimingNote =
    "Edge TPU times come from the compiled package and etpu's timing model (docs/TIMING_MODEL.md); operators left "
    "on the CPU are run on this machine and scaled to the host profile.\n";

void Progress(const std::string& line) { std::fprintf(stderr, "etpu bench: %s ...\n", line.c_str()); }

std::string Pct(double e) { return fmt::format("{:+.0f}%", 100 * e); }

nlohmann::json TimeJson(const device::InvocationTime& t) {
  return {{"first_ms", t.first_total_ms}, {"later_ms", t.total_ms}, {"compute_ms", t.compute_ms},
          {"h2d_ms", t.h2d_ms},          {"d2h_ms", t.d2h_ms},     {"stream_ms", t.stream_ms},
          {"fixed_ms", t.fixed_ms},      {"param_load_ms", t.param_load_ms},
          {"cycles", t.cycles},          {"clock_hz", t.clock_hz}, {"stream_bound", t.stream_bound}};
}

nlohmann::json QueryJson(const device::InvocationQuery& q) {
  return {{"layers", q.layers.size()},
          {"estimated_cycles", q.estimated_cycles},
          {"instruction_bytes", q.instruction_bytes},
          {"input_bytes", q.input_bytes},
          {"output_bytes", q.output_bytes},
          {"cached_param_bytes", q.cached_param_bytes},
          {"streamed_param_bytes", q.streamed_param_bytes},
          {"scratch_h2d_bytes", q.scratch_h2d_bytes},
          {"scratch_d2h_bytes", q.scratch_d2h_bytes}};
}

/// What a model's figures leave out because it cannot be estimated; empty when they are complete.
std::vector<std::string> LeftOut(const perf::BenchModel& m) {
  std::vector<std::string> out = perf::LeftOut(m.cost, m.time);
  if (m.cpu) {
    for (const auto& op : m.cpu->ops) {
      if (!op.measured) out.push_back(fmt::format("{} (#{}) on the host CPU (cannot be run alone: {})", op.op, op.op_index, op.why_not));
    }
  }
  return out;
}

// The CPU part as measured here and as timed on the host; null when the model has none.
nlohmann::json CpuJson(const perf::BenchModel& m, double factor) {
  if (!m.cpu) return nullptr;
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& op : m.cpu->ops) {
    nlohmann::json o = {{"op_index", op.op_index}, {"op", op.op}, {"measured", op.measured}, {"measured_here_ms", op.ms}};
    if (!op.measured) o["why_not"] = op.why_not;
    ops.push_back(std::move(o));
  }
  return {{"measured_here_ms", m.cpu->total_ms}, {"cpu_time_factor", factor}, {"host_ms", m.time.cpu_ms},
          {"repeats", m.cpu->repeats}, {"ops", ops}};
}


nlohmann::json BenchJson(const perf::BenchReport& r) {
  nlohmann::json j = {{"chip", r.chip}, {"host", r.host}, {"clock", device::ClockName(r.clock)},
                      {"cocompiled", r.cocompiled}, {"models", nlohmann::json::array()}};
  for (const auto& m : r.models) {
    nlohmann::json ops = nlohmann::json::array();
    for (size_t i = 0; i < m.cost.edgetpu_ops.size(); ++i) {
      const auto& op = m.cost.edgetpu_ops[i];
      ops.push_back({{"op_index", op.op_index}, {"chip", op.chip}, {"caching_token", fmt::format("0x{:016x}", op.caching_token)},
                     {"structural", op.structural}, {"compute_known", op.compute_known},
                     {"declared_scratch_bytes", op.declared_scratch_bytes},
                     {"query", QueryJson(op.query)}, {"time", TimeJson(m.time.ops.at(i))}});
    }
    j["models"].push_back({{"name", m.name}, {"path", m.path}, {"from_zoo", m.from_zoo},
                           {"precompiled", m.precompiled}, {"first_ms", m.time.first_ms},
                           {"later_ms", m.time.later_ms}, {"on_chip_bytes", m.cost.on_chip_bytes()},
                           {"off_chip_bytes", m.cost.off_chip_bytes()}, {"cpu_ops", m.cost.cpu_op_count},
                           {"cpu_macs", m.cost.cpu_macs}, {"cpu_ms", m.time.cpu_ms}, {"cpu", CpuJson(m, r.cpu_time_factor)},
                           {"left_out", LeftOut(m)}, {"edgetpu_ops", ops}});
  }
  if (r.switching) {
    const auto& s = *r.switching;
    j["switching"] = {{"rounds", s.rounds},
                      {"separate_ms_per_inference", s.separate_ms_per_inference},
                      {"together_ms_per_inference", s.together_ms_per_inference},
                      {"separate_param_loads", s.separate.param_loads},
                      {"together_param_loads", s.together.param_loads},
                      {"separate_mean_ms", s.separate.mean_ms},
                      {"together_mean_ms", s.together.mean_ms}};
  }
  return j;
}

void PrintBench(const perf::BenchReport& r) {
  const double clock_hz = r.models.empty() || r.models[0].time.ops.empty() ? 0 : r.models[0].time.ops[0].clock_hz;
  std::printf("etpu bench: chip %s, host %s, clock %s%s; models compiled %s\n", r.chip.c_str(), r.host.c_str(),
              device::ClockName(r.clock), clock_hz > 0 ? fmt::format(" ({:.0f} MHz)", clock_hz / 1e6).c_str() : "",
              r.cocompiled ? "together (co-compiled)" : "one by one");
  std::fputs(kTimingNote, stdout);
  for (const auto& m : r.models) {
    std::printf("\n%s%s\n", m.name.c_str(), m.from_zoo ? " (zoo)" : m.precompiled ? " (already compiled)" : "");
    // A figure that leaves out work is a lower bound, and says so in the headline.
    const std::vector<std::string> left_out = LeftOut(m);
    const char* bound = left_out.empty() ? "  " : ">=";
    std::printf("  %-28s %s%8.2f ms\n", "first inference", bound, m.time.first_ms);
    std::printf("  %-28s %s%8.2f ms\n", "later inferences", bound, m.time.later_ms);
    for (const auto& what : left_out) std::printf("  lower bound: leaves out %s\n", what.c_str());
    std::printf("  %-28s %13s\n", "on-chip (cached) parameters", base::FormatBytes(m.cost.on_chip_bytes()).c_str());
    std::printf("  %-28s %13s  (every inference)\n", "streamed parameters",
                base::FormatBytes(m.cost.off_chip_bytes()).c_str());
    for (size_t i = 0; i < m.cost.edgetpu_ops.size(); ++i) {
      const auto& op = m.cost.edgetpu_ops[i];
      const auto& t = m.time.ops.at(i);
      std::printf("  edgetpu-custom-op #%d: compute %.2f ms (%lld cycles%s), stream %.2f ms, in/out %.2f/%.2f ms, "
                  "fixed %.2f ms, parameter upload %.2f ms%s\n",
                  op.op_index, t.compute_ms, static_cast<long long>(t.cycles),
                  op.structural ? ", layer model" : op.compute_known ? ", compiler estimate" : ", UNKNOWN",
                  t.stream_ms, t.h2d_ms, t.d2h_ms, t.fixed_ms, t.param_load_ms,
                  t.stream_bound ? " [stream-bound]" : "");
    }
    for (const auto& op : m.cost.edgetpu_ops) {
      if (op.declared_scratch_bytes > 0 && op.query.scratch_h2d_bytes + op.query.scratch_d2h_bytes == 0) {
        std::printf("  note: op #%d declares a %s host scratch buffer but its DMA hints move none; not timed\n",
                    op.op_index, base::FormatBytes(op.declared_scratch_bytes).c_str());
      }
    }
    if (m.cost.edgetpu_ops.empty()) std::printf("  no Edge TPU operator: the whole model runs on the CPU\n");
    if (m.cost.cpu_op_count > 0 && m.time.cpu_timed) {
      std::printf("  CPU part: %d operator(s), %lld MACs: %.2f ms on host %s (%.2f ms measured on this machine x %.2g)\n",
                  m.cost.cpu_op_count, static_cast<long long>(m.cost.cpu_macs), m.time.cpu_ms, r.host.c_str(),
                  m.cpu ? m.cpu->total_ms : 0.0, r.cpu_time_factor);
    } else if (m.cost.cpu_op_count > 0) {
      std::printf("  CPU part: %d operator(s), %lld MACs (not timed)\n", m.cost.cpu_op_count,
                  static_cast<long long>(m.cost.cpu_macs));
    }
  }
  if (r.switching) {
    const auto& s = *r.switching;
    std::printf("\nSwitching: %d round(s) over the %zu models on one Edge TPU\n", s.rounds, r.models.size());
    std::printf("  %-28s %14s %14s\n", "", "separately", "co-compiled");
    std::printf("  %-28s %11.2f ms %11.2f ms\n", "mean per inference", s.separate_ms_per_inference,
                s.together_ms_per_inference);
    std::printf("  %-28s %14d %14d\n", "parameter uploads", s.separate.param_loads, s.together.param_loads);
    for (size_t i = 0; i < r.models.size(); ++i) {
      std::printf("  %-28s %11.2f ms %11.2f ms\n", ("mean, " + r.models[i].name).c_str(), s.separate.mean_ms.at(i),
                  s.together.mean_ms.at(i));
    }
  }
}

nlohmann::json AnchorJson(const perf::AnchorComparison& c) {
  return {{"model", c.anchor.zoo_name}, {"label", c.anchor.label},   {"host", c.anchor.host},
          {"clock", device::ClockName(c.anchor.clock)},               {"source", c.anchor.source},
          {"published_later_ms", c.anchor.later_ms},                  {"published_first_ms", c.anchor.first_ms},
          {"later_ms", c.later_ms},   {"first_ms", c.first_ms},       {"later_error", c.later_error},
          {"first_error", c.first_error}, {"upload_error", c.upload_error},
          {"comparable", c.anchor.not_comparable.empty()}, {"not_comparable", c.anchor.not_comparable},
          {"on_chip_bytes", c.on_chip_bytes}, {"off_chip_bytes", c.off_chip_bytes}};
}

void PrintSeed(const perf::SeedReport& r) {
  std::fputs(kTimingNote, stdout);
  std::printf("\nThe seed's table: EfficientNet-EdgeTPU on a Jetson Nano + USB 3 Edge TPU, libedgetpu1-std (250 MHz)\n");
  std::printf("%-34s %10s %10s | %9s %9s %6s | %9s %9s %6s\n", "model", "on-chip", "streamed", "first", "etpu", "err",
              "later", "etpu", "err");
  for (const auto& c : r.seed) {
    std::printf("%-34s %10s %10s | %6.0f ms %6.1f ms %6s | %6.0f ms %6.1f ms %6s\n", c.anchor.label.c_str(),
                base::FormatBytes(c.on_chip_bytes).c_str(), base::FormatBytes(c.off_chip_bytes).c_str(),
                c.anchor.first_ms, c.first_ms, Pct(c.first_error).c_str(), c.anchor.later_ms, c.later_ms,
                Pct(c.later_error).c_str());
  }
  if (r.coral.empty()) return;
  std::printf("\nCoral's published latencies: desktop + USB Accelerator on USB 3, libedgetpu1-max (500 MHz)\n");
  std::printf("%-34s %-38s %9s %9s %6s %10s\n", "model", "source", "published", "etpu", "err", "first");
  for (const auto& c : r.coral) {
    std::printf("%-34s %-38s %6.1f ms %6.2f ms %6s %7.2f ms\n", c.anchor.label.c_str(), c.anchor.source.c_str(),
                c.anchor.later_ms, c.later_ms, Pct(c.later_error).c_str(), c.first_ms);
  }
  std::printf("median |error|: %.1f%% over %zu figures\n", 100 * r.coral_median_abs_error, r.coral.size());
  if (r.other_hosts.empty()) return;
  std::printf("\nOther hosts' published figures (max clock; upload = first - later, the parameter upload alone)\n");
  std::printf("%-42s %-10s %9s %9s %6s | %9s %9s %6s | %6s\n", "model", "host", "later", "etpu", "err", "first", "etpu",
              "err", "upload");
  for (const auto& c : r.other_hosts) {
    const bool first = c.anchor.first_ms > 0;
    std::printf("%-42s %-10s %6.1f ms %6.2f ms %6s | %9s %6.1f ms %6s | %6s%s\n", c.anchor.label.c_str(),
                c.anchor.host.c_str(), c.anchor.later_ms, c.later_ms, Pct(c.later_error).c_str(),
                first ? fmt::format("{:.1f} ms", c.anchor.first_ms).c_str() : "-", c.first_ms,
                first ? Pct(c.first_error).c_str() : "-", first ? Pct(c.upload_error).c_str() : "-",
                c.anchor.not_comparable.empty() ? "" : "  (*)");
  }
  for (const auto& c : r.other_hosts) {
    if (!c.anchor.not_comparable.empty()) {
      std::printf("(*) %s: %s (%s)\n", c.anchor.label.c_str(), c.anchor.not_comparable.c_str(), c.anchor.source.c_str());
    }
  }
  std::printf("median |error| of later inferences per host profile (comparable figures of all three tables):");
  for (const auto& [host, error] : r.host_median_abs_error) std::printf(" %s %.1f%%", host.c_str(), 100 * error);
  std::printf("\n");
}

}  // namespace

int BenchCommand(int argc, char** argv) {
  CLI::App app{"Simulated Edge TPU inference times of compiled models (the timing model; operators left on the CPU "
               "are measured on this machine and scaled to the host profile).",
               "etpu bench"};
  std::vector<std::string> models;
  std::string host = "usb3", clock_text, catalog_file, old_devices_file, work_dir;
  bool cocompile = false, switching = false, json = false, seed = false;
  int rounds = 10, cpu_repeats = 5;
  app.add_option("models", models, "MODEL: a .tflite file (source or compiled) or a zoo name (etpu zoo --list)");
  app.add_option("--host", host, "Host profile: usb3, usb2, pcie, jetson-nano-usb3, rpi4-usb3, rpi3-usb2");
  app.add_option("--clock", clock_text, "std or max (default: the host profile's usual runtime build)")
      ->check(CLI::IsMember({"std", "max"}));
  app.add_flag("--cocompile", cocompile, "Compile all models together (one caching token), as edgetpu_compiler A B");
  app.add_flag("--switch", switching, "Also cost alternating between the models: compiled separately vs together");
  app.add_option("--rounds", rounds, "Round-robin passes for --switch (default 10; needs --switch)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--cpu_repeats", cpu_repeats,
                 "Timed runs per CPU operator, median taken (default 5; 0 = do not measure the CPU part, which is then "
                 "left out)")
      ->check(CLI::Range(0, 1000));
  app.add_flag("--seed", seed, "The seed's table (EfficientNet S/M/L, Jetson Nano, std clock) and Coral's figures");
  app.add_flag("--json", json,
               "Machine-readable output (schemas: docs/json/bench.schema.json, docs/json/bench-seed.schema.json)");
  auto* catalog_opt = app.add_option("--device_catalog", catalog_file,
                                     "Device catalog JSON: chips and host profiles (default: the built-in "
                                     "devices/devices.json)");
  app.add_option("--devices", old_devices_file, "Deprecated spelling of --device_catalog")
      ->excludes(catalog_opt)
      ->group("Deprecated");
  app.add_option("--work_dir", work_dir,
                 "Generate zoo models into this folder and keep them there, with the compiled models and their "
                 ".log files (default: a temporary folder, removed)");
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  if (!old_devices_file.empty()) {
    std::fprintf(stderr, "etpu bench: note: --devices is deprecated (it never meant a device count here); "
                         "use --device_catalog %s\n", old_devices_file.c_str());
    catalog_file = old_devices_file;
  }
  if (app.count("--rounds") > 0 && !switching) return UsageError("bench", "--rounds needs --switch");
  if (seed && !models.empty()) return UsageError("bench", "--seed takes no MODEL");
  if (seed && (cocompile || switching || app.count("--host") > 0 || app.count("--clock") > 0)) {
    return UsageError("bench", "--seed uses the seed's own models, host and clock: no --cocompile, --switch, --host or "
                               "--clock");
  }
  if (!seed && models.empty()) return UsageError("bench", "give at least one MODEL (or --seed)");

  auto catalog = device::LoadDeviceCatalogOrBuiltin(catalog_file);
  if (!catalog.ok()) return Failure("bench", catalog.status().ToString());
  if (seed) {
    auto report = perf::RunSeedComparison(*catalog, /*with_coral=*/true, work_dir, Progress);
    if (!report.ok()) return Failure("bench", report.status().ToString());
    if (json) {
      nlohmann::json j = {{"seed", nlohmann::json::array()}, {"coral", nlohmann::json::array()},
                          {"coral_median_abs_error", report->coral_median_abs_error}};
      for (const auto& c : report->seed) j["seed"].push_back(AnchorJson(c));
      for (const auto& c : report->coral) j["coral"].push_back(AnchorJson(c));
      j["other_hosts"] = nlohmann::json::array();
      for (const auto& c : report->other_hosts) j["other_hosts"].push_back(AnchorJson(c));
      j["host_median_abs_error"] = report->host_median_abs_error;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      PrintSeed(*report);
    }
    return 0;
  }
  perf::BenchOptions options;
  options.host = host;
  if (!clock_text.empty()) {
    auto clock = device::ParseClock(clock_text);
    if (!clock.ok()) return Failure("bench", clock.status().ToString());
    options.clock = *clock;
  }
  options.cocompile = cocompile;
  options.switching = switching;
  options.switch_rounds = rounds;
  options.cpu_repeats = cpu_repeats;
  options.work_dir = work_dir;
  auto report = perf::RunBench(models, options, *catalog, Progress);
  if (!report.ok()) return Failure("bench", report.status().ToString());
  if (json) {
    std::printf("%s\n", BenchJson(*report).dump(2).c_str());
  } else {
    PrintBench(*report);
  }
  return 0;
}

}  // namespace etpu::tools
