#include "perf/bench.h"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "tflite/model_reader.h"
#include "zoo/zoo.h"

namespace etpu::perf {
namespace {

namespace fs = std::filesystem;

// Timed runs per CPU operator in the validation tables (the median is taken), as `etpu bench`'s
// default.
constexpr int kSeedCpuRepeats = 5;

void Report(const ProgressFn& progress, const std::string& line) {
  if (progress) progress(line);
}

// A work directory: the given one, or a fresh temporary one removed when this goes away.
class WorkDir {
 public:
  static Result<WorkDir> Open(const std::string& given) {
    WorkDir w;
    if (!given.empty()) {
      std::error_code ec;
      fs::create_directories(given, ec);
      if (ec || !base::IsWritableDirectory(given)) {
        return InvalidArgumentError(fmt::format("bench: work directory '{}' is not a writable directory", given));
      }
      w.path_ = given;
      return w;
    }
    std::string pattern = (fs::temp_directory_path() / "etpu-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return InternalError(fmt::format("bench: cannot create a temporary directory like '{}'", pattern));
    }
    w.path_ = pattern;
    w.owned_ = true;
    return w;
  }
  WorkDir() = default;
  WorkDir(WorkDir&& o) noexcept : path_(std::move(o.path_)), owned_(o.owned_) { o.owned_ = false; }
  WorkDir& operator=(WorkDir&&) = delete;
  ~WorkDir() {
    if (owned_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }
  /// True for a folder the user named (kept), false for a temporary one.
  bool kept() const { return !owned_; }

 private:
  std::string path_;
  bool owned_ = false;
};

std::string Stem(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  if (name.size() > 7 && name.ends_with(".tflite")) name.resize(name.size() - 7);
  return name;
}

// Compiles one set (one CompileModels call) and reads back each model's compiled file.
// Compiles `paths` together (in memory); the output files are appended to `files` when given.
Result<std::vector<ir::Model>> CompileSet(const std::vector<std::string>& paths, const std::string& out_dir,
                                          std::vector<OutputFile>* files = nullptr) {
  CompileOptions options;
  options.out_dir = out_dir;
  CompileTranscript t = CompileModels(paths, options);
  if (!t.succeeded) {
    return FailedPreconditionError(fmt::format("bench: compiling {} failed:\n{}", fmt::join(paths, ", "), t.console));
  }
  std::vector<ir::Model> out;
  for (const auto& path : paths) {
    const std::string want = Stem(path) + "_edgetpu.tflite";
    const OutputFile* file = nullptr;
    for (const auto& f : t.files) {
      if (fs::path(f.path).filename().string() == want) file = &f;
    }
    if (file == nullptr) return InternalError(fmt::format("bench: the compiler produced no {} for '{}'", want, path));
    ETPU_ASSIGN_OR_RETURN(ir::Model m, tflite::ReadModelFromBuffer(file->bytes, file->path));
    out.push_back(std::move(m));
  }
  if (files != nullptr) {
    for (auto& f : t.files) files->push_back(std::move(f));
  }
  return out;
}

struct Resolved {
  std::string name;
  std::string path;
  bool from_zoo = false;
  std::optional<ir::Model> precompiled;
};

Result<Resolved> Resolve(const std::string& name, const std::string& work_dir, const ProgressFn& progress) {
  Resolved r;
  r.name = name;
  std::error_code ec;
  if (fs::is_regular_file(name, ec)) {
    r.path = name;
    ETPU_ASSIGN_OR_RETURN(ir::Model m, tflite::ReadModel(name));
    if (m.HasEdgeTpuCustomOp()) r.precompiled = std::move(m);
    return r;
  }
  if (!IsZooName(name)) {
    return NotFoundError(fmt::format("bench: '{}' is neither a .tflite file nor a zoo model (etpu zoo --list)", name));
  }
  Report(progress, fmt::format("generating {} with the model zoo", name));
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, zoo::GenerateZooModel(name));
  r.path = (fs::path(work_dir) / (name + ".tflite")).string();
  ETPU_RETURN_IF_ERROR(base::WriteFileAtomic(r.path, bytes));
  r.from_zoo = true;
  return r;
}

Result<device::DeviceSpec> ChipOf(const device::DeviceCatalog& catalog, const std::string& name) {
  if (catalog.chips.empty()) return InvalidArgumentError("bench: the device catalog has no chip");
  if (name.empty()) return catalog.DefaultChip();
  return catalog.Chip(name);
}

}  // namespace

bool IsZooName(const std::string& name) {
  const auto names = zoo::ZooNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

Result<std::vector<ir::Model>> CompileForBench(const std::vector<std::string>& paths, bool cocompile,
                                               const std::string& out_dir) {
  if (cocompile) return CompileSet(paths, out_dir);
  std::vector<ir::Model> out;
  for (const auto& p : paths) {
    ETPU_ASSIGN_OR_RETURN(std::vector<ir::Model> one, CompileSet({p}, out_dir));
    out.push_back(std::move(one.front()));
  }
  return out;
}

Result<BenchReport> RunBench(const std::vector<std::string>& models, const BenchOptions& options,
                             const device::DeviceCatalog& catalog, const ProgressFn& progress) {
  if (models.empty()) return InvalidArgumentError("bench: no model given");
  if (options.switching && models.size() < 2) {
    return InvalidArgumentError("bench: --switch needs at least two models to alternate between");
  }
  if (options.cpu_repeats < 0 || options.cpu_repeats > 1000) {
    return InvalidArgumentError(fmt::format("bench: CPU repeats must be 0..1000 (got {})", options.cpu_repeats));
  }
  if (options.switch_rounds < 1 || options.switch_rounds > 1000000) {
    return InvalidArgumentError(fmt::format("bench: switch rounds must be 1..1000000 (got {})", options.switch_rounds));
  }
  ETPU_ASSIGN_OR_RETURN(device::DeviceSpec spec, ChipOf(catalog, options.chip));
  ETPU_ASSIGN_OR_RETURN(device::HostProfile host, catalog.Host(options.host));
  const device::Clock clock = options.clock.value_or(host.default_clock);
  ETPU_ASSIGN_OR_RETURN(WorkDir dir, WorkDir::Open(options.work_dir));

  BenchReport report;
  report.chip = spec.name;
  report.host = host.name;
  report.clock = clock;
  report.cpu_time_factor = host.cpu_time_factor;
  report.cocompiled = options.cocompile;

  std::vector<Resolved> resolved;
  std::set<std::string> stems;
  for (const auto& name : models) {
    ETPU_ASSIGN_OR_RETURN(Resolved r, Resolve(name, dir.path(), progress));
    if (!r.precompiled && !stems.insert(Stem(r.path)).second) {
      return InvalidArgumentError(fmt::format("bench: two models named '{}' (the compiler's output names would clash)",
                                              Stem(r.path)));
    }
    resolved.push_back(std::move(r));
  }
  const bool any_precompiled =
      std::any_of(resolved.begin(), resolved.end(), [](const Resolved& r) { return r.precompiled.has_value(); });
  if (any_precompiled && (options.cocompile || options.switching)) {
    return InvalidArgumentError("bench: --cocompile and --switch need source models, not already-compiled ones");
  }

  // Compile: all together, or each alone (already-compiled inputs are costed as they are).
  std::vector<std::string> to_compile;
  for (const auto& r : resolved) {
    if (!r.precompiled) to_compile.push_back(r.path);
  }
  if (options.cocompile && !to_compile.empty()) {
    Report(progress, fmt::format("co-compiling {} models", to_compile.size()));
  }
  std::vector<ir::Model> compiled;
  std::vector<OutputFile> outputs;  // written to a --work_dir the user named
  std::vector<OutputFile>* keep = dir.kept() ? &outputs : nullptr;
  if (!to_compile.empty()) {
    if (options.cocompile) {
      ETPU_ASSIGN_OR_RETURN(compiled, CompileSet(to_compile, dir.path(), keep));
    } else {
      for (const auto& p : to_compile) {
        Report(progress, fmt::format("compiling {}", Stem(p)));
        ETPU_ASSIGN_OR_RETURN(std::vector<ir::Model> one, CompileSet({p}, dir.path(), keep));
        compiled.push_back(std::move(one.front()));
      }
    }
    if (!outputs.empty()) {
      std::vector<base::FileToWrite> files;
      for (const auto& f : outputs) files.push_back({f.path, f.bytes});
      ETPU_RETURN_IF_ERROR(base::WriteFilesAtomic(files));
      Report(progress, fmt::format("wrote the compiled models and their logs to {}", dir.path()));
    }
  }
  size_t next = 0;
  std::vector<ModelCost> costs;
  for (auto& r : resolved) {
    const ir::Model& m = r.precompiled ? *r.precompiled : compiled[next++];
    BenchModel b;
    b.name = r.name;
    b.path = r.path;
    b.from_zoo = r.from_zoo;
    b.precompiled = r.precompiled.has_value();
    ETPU_ASSIGN_OR_RETURN(b.cost, ComputeModelCost(m, spec));
    if (b.cost.cpu_op_count > 0 && options.cpu_repeats > 0) {
      Report(progress, fmt::format("measuring the {} CPU operator(s) of {} on this machine", b.cost.cpu_op_count, r.name));
      ETPU_ASSIGN_OR_RETURN(b.cpu, runtime::MeasureCpuPart(m, options.cpu_repeats));
      b.cost.cpu_measured_ms = b.cpu->total_ms;
    }
    ETPU_ASSIGN_OR_RETURN(b.time, EstimateModelTime(b.cost, spec, host, clock));
    report.models.push_back(std::move(b));
  }

  if (options.switching) {
    // The other arrangement is compiled too: separately when the table is co-compiled, and
    // the other way round.
    Report(progress, options.cocompile ? "compiling each model alone for the switching comparison"
                                       : "co-compiling the models for the switching comparison");
    ETPU_ASSIGN_OR_RETURN(std::vector<ir::Model> other, CompileForBench(to_compile, !options.cocompile, dir.path()));
    std::vector<device::ScheduledModel> separate, together;
    SwitchingComparison sw;
    sw.rounds = options.switch_rounds;
    for (size_t i = 0; i < report.models.size(); ++i) {
      ETPU_ASSIGN_OR_RETURN(ModelCost other_cost, ComputeModelCost(other[i], spec));
      other_cost.cpu_measured_ms = report.models[i].cost.cpu_measured_ms;  // the same CPU operators
      const ModelCost& sep = options.cocompile ? other_cost : report.models[i].cost;
      const ModelCost& tog = options.cocompile ? report.models[i].cost : other_cost;
      ETPU_ASSIGN_OR_RETURN(ModelTime tog_time, EstimateModelTime(tog, spec, host, clock));
      sw.together_models.push_back(tog_time);
      // A model with several Edge TPU ops is scheduled by its first op's token with the ops'
      // bytes summed (they share one token).
      auto scheduled = [&](const ModelCost& c) {
        device::ScheduledModel s;
        s.name = report.models[i].name;
        if (!c.edgetpu_ops.empty()) {
          s.query = c.edgetpu_ops.front().query;
          s.caching_token = c.edgetpu_ops.front().caching_token;
          for (size_t k = 1; k < c.edgetpu_ops.size(); ++k) {
            const auto& q = c.edgetpu_ops[k].query;
            s.query.layers.insert(s.query.layers.end(), q.layers.begin(), q.layers.end());
            s.query.instruction_bytes += q.instruction_bytes;
            s.query.input_bytes += q.input_bytes;
            s.query.output_bytes += q.output_bytes;
            s.query.streamed_param_bytes += q.streamed_param_bytes;
            s.query.cached_param_bytes += q.cached_param_bytes;
            s.query.scratch_h2d_bytes += q.scratch_h2d_bytes;
            s.query.scratch_d2h_bytes += q.scratch_d2h_bytes;
          }
        }
        return s;
      };
      separate.push_back(scheduled(sep));
      together.push_back(scheduled(tog));
    }
    std::vector<int> sequence;
    for (int r = 0; r < options.switch_rounds; ++r) {
      for (size_t i = 0; i < report.models.size(); ++i) sequence.push_back(static_cast<int>(i));
    }
    ETPU_ASSIGN_OR_RETURN(sw.separate, device::EstimateSwitching(separate, sequence, spec, host, clock));
    ETPU_ASSIGN_OR_RETURN(sw.together, device::EstimateSwitching(together, sequence, spec, host, clock));
    sw.separate_ms_per_inference = sw.separate.total_ms / static_cast<double>(sequence.size());
    sw.together_ms_per_inference = sw.together.total_ms / static_cast<double>(sequence.size());
    report.switching = std::move(sw);
  }
  return report;
}

double MedianAbs(std::vector<double> values) {
  if (values.empty()) return 0;
  for (double& v : values) v = std::fabs(v);
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Result<SeedReport> RunSeedComparison(const device::DeviceCatalog& catalog, bool with_coral, const std::string& work_dir,
                                     const ProgressFn& progress) {
  if (catalog.chips.empty()) return InvalidArgumentError("bench: the device catalog has no chip");
  const device::DeviceSpec& spec = catalog.DefaultChip();
  ETPU_ASSIGN_OR_RETURN(WorkDir dir, WorkDir::Open(work_dir));
  std::vector<LatencyAnchor> anchors = SeedMeasurements();
  const size_t seed_rows = anchors.size();
  size_t coral_rows = 0;
  if (with_coral) {
    const auto& coral = CoralPublishedLatencies();
    anchors.insert(anchors.end(), coral.begin(), coral.end());
    coral_rows = coral.size();
    const auto& others = OtherHostFigures();
    anchors.insert(anchors.end(), others.begin(), others.end());
  }
  // Each zoo model is generated and compiled (alone) once, whatever the number of anchors.
  std::map<std::string, ModelCost> costs;
  for (const auto& a : anchors) {
    if (costs.count(a.zoo_name)) continue;
    ETPU_ASSIGN_OR_RETURN(Resolved r, Resolve(a.zoo_name, dir.path(), progress));
    Report(progress, fmt::format("compiling {}", a.zoo_name));
    ETPU_ASSIGN_OR_RETURN(std::vector<ir::Model> one, CompileSet({r.path}, dir.path()));
    ETPU_ASSIGN_OR_RETURN(ModelCost cost, ComputeModelCost(one.front(), spec));
    if (cost.cpu_op_count > 0) {
      Report(progress, fmt::format("measuring the {} CPU operator(s) of {} on this machine", cost.cpu_op_count,
                                   a.zoo_name));
      ETPU_ASSIGN_OR_RETURN(runtime::CpuPartTime cpu, runtime::MeasureCpuPart(one.front(), kSeedCpuRepeats));
      cost.cpu_measured_ms = cpu.total_ms;
    }
    costs.emplace(a.zoo_name, std::move(cost));
  }
  SeedReport report;
  std::vector<double> coral_errors;
  std::map<std::string, std::vector<double>> host_errors;
  for (size_t i = 0; i < anchors.size(); ++i) {
    const LatencyAnchor& a = anchors[i];
    const ModelCost& cost = costs.at(a.zoo_name);
    ETPU_ASSIGN_OR_RETURN(device::HostProfile host, catalog.Host(a.host));
    ETPU_ASSIGN_OR_RETURN(ModelTime t, EstimateModelTime(cost, spec, host, a.clock));
    AnchorComparison c;
    c.anchor = a;
    c.later_ms = t.later_ms;
    c.first_ms = t.first_ms;
    c.later_error = a.later_ms > 0 ? t.later_ms / a.later_ms - 1 : 0;
    c.first_error = a.first_ms > 0 ? t.first_ms / a.first_ms - 1 : 0;
    c.upload_error = a.first_ms > a.later_ms ? (t.first_ms - t.later_ms) / (a.first_ms - a.later_ms) - 1 : 0;
    c.on_chip_bytes = cost.on_chip_bytes();
    c.off_chip_bytes = cost.off_chip_bytes();
    if (a.not_comparable.empty()) host_errors[a.host].push_back(c.later_error);
    if (i < seed_rows) {
      report.seed.push_back(c);
    } else if (i < seed_rows + coral_rows) {
      coral_errors.push_back(c.later_error);
      report.coral.push_back(c);
    } else {
      report.other_hosts.push_back(c);
    }
  }
  report.coral_median_abs_error = MedianAbs(coral_errors);
  for (auto& [host, errors] : host_errors) report.host_median_abs_error[host] = MedianAbs(errors);
  return report;
}

}  // namespace etpu::perf
