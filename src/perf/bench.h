// `etpu bench` as a library: resolve models (a .tflite path or a zoo name), compile them with
// etpu's compiler (alone, or co-compiled), cost every compiled model with ComputeModelCost and time
// it with the one timing model. The Edge TPU part is timed from the compiled package alone; the
// operators left on the CPU are run one by one on this machine to measure them
// (runtime::MeasureCpuPart), and the timing model scales that to the host profile.
//
// Also the seed comparison (`etpu bench --seed`): the zoo's EfficientNet-EdgeTPU S/M/L against the
// seed's Jetson Nano measurements, and every zoo model Coral publishes a latency for against
// Coral's USB 3 desktop figures (perf/anchors.h).
//
// I/O: zoo models are generated into a work directory and compiled there (CompileModels reads
// paths); nothing is printed: progress goes to the caller's callback.
#pragma once

#include <functional>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "device/device_catalog.h"
#include "device/scenarios.h"
#include "etpu/status.h"
#include "perf/anchors.h"
#include "perf/model_cost.h"
#include "runtime/cpu_timing.h"

namespace etpu::perf {

/// Receives one line of progress ("compiling efficientnet_edgetpu_l ...").
using ProgressFn = std::function<void(const std::string&)>;

/// Options of RunBench.
struct BenchOptions {
  std::string chip;                    ///< Chip name in the catalog; empty = its default chip.
  std::string host = "usb3";           ///< Host profile name.
  std::optional<device::Clock> clock;  ///< Empty = the host profile's default clock.
  bool cocompile = false;              ///< Compile all models together (one caching token).
  bool switching = false;              ///< Also cost alternating between the models (>= 2 models).
  int switch_rounds = 10;              ///< Round-robin passes over the models in the switching scenario.
  int cpu_repeats = 5;                 ///< Timed runs per CPU operator (median); 0 = do not measure
                                       ///< the CPU part (it is then left out of the times).
  std::string work_dir;                ///< Where zoo models are generated and the compiled models (and
                                       ///< logs) written; empty = a temporary folder, removed.
};

/// One benchmarked model.
struct BenchModel {
  std::string name;         ///< As given on the command line.
  std::string path;         ///< The .tflite that was compiled (or costed, when already compiled).
  bool from_zoo = false;
  bool precompiled = false; ///< The input already held an edgetpu-custom-op (costed as is).
  ModelCost cost;
  ModelTime time;
  std::optional<runtime::CpuPartTime> cpu;  ///< The CPU part as measured (when it has one and was measured).
};

/// Alternating between the models on one Edge TPU: compiled separately (each its own caching
/// token: every switch reloads the parameters) against co-compiled (one token).
struct SwitchingComparison {
  int rounds = 0;
  device::SwitchingTime separate;
  device::SwitchingTime together;
  double separate_ms_per_inference = 0;
  double together_ms_per_inference = 0;
  std::vector<ModelTime> together_models;  ///< Each model's own time when co-compiled.
};

/// Everything RunBench finds.
struct BenchReport {
  std::string chip;
  std::string host;
  device::Clock clock = device::Clock::kMax;
  double cpu_time_factor = 1;  ///< The host's: a CPU time measured here times this is the host's.
  bool cocompiled = false;
  std::vector<BenchModel> models;
  std::optional<SwitchingComparison> switching;
};

/// True when `name` is a model of the zoo.
bool IsZooName(const std::string& name);

/// Compiles the .tflite files at `paths` (together when `cocompile`, else one by one) into
/// `out_dir` with etpu's compiler and returns the compiled models, in the order of `paths`.
/// Errors: the compiler's console text when a compilation fails.
Result<std::vector<ir::Model>> CompileForBench(const std::vector<std::string>& paths, bool cocompile,
                                               const std::string& out_dir);

/// Resolves, compiles and times `models`. Errors: an unknown model (neither a file nor a zoo
/// name), an unknown chip/host, a failed compilation, switching with fewer than 2 models or with
/// already-compiled models.
Result<BenchReport> RunBench(const std::vector<std::string>& models, const BenchOptions& options,
                             const device::DeviceCatalog& catalog, const ProgressFn& progress = {});

/// A published figure next to our simulation of the same zoo model on the same host and clock.
struct AnchorComparison {
  LatencyAnchor anchor;
  double later_ms = 0;       ///< Simulated.
  double first_ms = 0;       ///< Simulated.
  double later_error = 0;    ///< later_ms / anchor.later_ms - 1.
  double first_error = 0;    ///< Likewise; 0 when no first inference is published.
  /// (first_ms - later_ms) / (published first - later) - 1: the parameter upload alone; 0 when no
  /// first inference is published.
  double upload_error = 0;
  int64_t on_chip_bytes = 0;
  int64_t off_chip_bytes = 0;
};

/// The seed's table and the validation tables.
struct SeedReport {
  std::vector<AnchorComparison> seed;     ///< SeedMeasurements(), in order.
  std::vector<AnchorComparison> coral;    ///< CoralPublishedLatencies(), in order (empty unless asked).
  double coral_median_abs_error = 0;      ///< Median |later_error| over `coral`.
  std::vector<AnchorComparison> other_hosts;  ///< OtherHostFigures(), in order (empty unless asked).
  /// Per host profile: median |later_error| over its comparable figures in all three tables.
  std::map<std::string, double> host_median_abs_error;
};

/// Median of |x| (0 for an empty list).
double MedianAbs(std::vector<double> values);

/// Generates, compiles (each model alone) and times the anchors' zoo models; `with_coral` adds
/// the Coral table and the other hosts' figures. The CPU operators of a model that has some (the
/// SSD's post-processing) are measured on this machine, as `etpu bench` does, and scaled to each
/// host. `work_dir` empty = a temp dir.
Result<SeedReport> RunSeedComparison(const device::DeviceCatalog& catalog, bool with_coral,
                                     const std::string& work_dir = "", const ProgressFn& progress = {});

}  // namespace etpu::perf
