// edgetpu_compiler: a drop-in replacement for Google's Edge TPU compiler command line.
// Thin front end: parse the real flags (getopt_long grammar: combined short flags, --x=v and
// --x v, options anywhere), call etpu::CompileModels (etpu::Compile rendered as the console and
// the files), write all files or none, then print.
#include <getopt.h>

#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/file_io.h"
#include "driver/console_report.h"
#include "driver/transcript.h"
#include "etpu/compiler.h"
#include "report/model_report.h"

namespace {

constexpr const char* kHelp = R"(Usage:
edgetpu_compiler [options] model...

Compiles TensorFlow Lite models for the Edge TPU (etpu: an open reimplementation; the compiled
models target etpu's virtual Edge TPU). Two or more models are co-compiled: they share the
on-chip parameter cache under one caching token, earlier models first.

Options:
-a, --enable_multiple_subgraphs
        Enable multiple(all) subgraphs (experimental flag).
-d, --search_delegate
        Enable repeated search for a new compilation stopping point earlier in the graph, to avoid
        rare compiler failures when it encounters an unsupported operation.
-h, --help
        Print the command line help and exit.
-i, --intermediate_tensors
        Specify the tensors you want as outputs from the Edge TPU custom op (comma-separated).
        All operators following these tensors run on the CPU.
-k, --delegate_search_step
        Step size (number of ops to move backward) for --search_delegate. Default 1.
-m, --min_runtime_version
        The lowest Edge TPU runtime version you want the model to be compatible with. Default 14
        (13 with --emulate 15).
-n, --num_segments
        Compile the model into num segments for model pipelining.
-o, --out_dir
        Output the compiled model and log files to this directory. Default: current directory.
-s, --show_operations
        Print the log showing operations that mapped to the Edge TPU.
-t, --timeout_sec
        Compiler timeout in seconds. Default 180.
-v, --version
        Print the compiler version and exit.

etpu options (long only):
--random_token
        Draw a random caching token, as Google's compiler does (default: derived from content,
        so the same command gives the same bytes).
--emulate 15|16
        Which generation of Google's compiler to reproduce: 16 (2021-07, the default) or 15
        (2020-11). It selects the co-compilation caching policy, whether a softmax table is
        written (16 only), the default --min_runtime_version and the version line.
--cache_policy NAME
        Parameter-cache allocation policy (default: the emulated generation's,
        v16-ranked-across-models or v15-ranked-in-model-order; also greedy-in-order).
--report FILE
        Also write etpu's report on the compiled models (where every byte of the SRAM goes and
        why; docs/REPORT.md) to FILE, inside --out_dir when FILE is relative: HTML, or JSON, text
        or CSV when FILE ends in .json, .txt or .csv. Written with the other outputs (all or
        nothing); the console then ends with the report's path. Not with -n or --random_token.
)";

bool ParseInt(const char* text, int* out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < -1000000000L || v > 1000000000L) return false;
  *out = static_cast<int>(v);
  return true;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int Usage(const std::string& error) {
  std::printf("%s\n%s\nRun 'edgetpu_compiler --help' for usage.\n", etpu::driver::VersionLine().c_str(), error.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  etpu::CompileOptions options;
  enum { kRandomToken = 1000, kCachePolicy, kEmulate, kReport };
  std::string report_file;  // --report: empty = none (the drop-in console and files are unchanged)
  static const option kLong[] = {
      {"enable_multiple_subgraphs", no_argument, nullptr, 'a'},
      {"search_delegate", no_argument, nullptr, 'd'},
      {"help", no_argument, nullptr, 'h'},
      {"intermediate_tensors", required_argument, nullptr, 'i'},
      {"delegate_search_step", required_argument, nullptr, 'k'},
      {"min_runtime_version", required_argument, nullptr, 'm'},
      {"num_segments", required_argument, nullptr, 'n'},
      {"out_dir", required_argument, nullptr, 'o'},
      {"show_operations", no_argument, nullptr, 's'},
      {"timeout_sec", required_argument, nullptr, 't'},
      {"version", no_argument, nullptr, 'v'},
      {"random_token", no_argument, nullptr, kRandomToken},
      {"cache_policy", required_argument, nullptr, kCachePolicy},
      {"emulate", required_argument, nullptr, kEmulate},
      {"report", required_argument, nullptr, kReport},
      {nullptr, 0, nullptr, 0}};
  opterr = 0;
  int c;
  bool show_help = false, show_version = false;
  while ((c = getopt_long(argc, argv, ":adhi:k:m:n:o:st:v", kLong, nullptr)) != -1) {
    switch (c) {
      case 'a': options.multiple_subgraphs = true; break;
      case 'd': options.search_delegate = true; break;
      case 'h': show_help = true; break;
      case 'i': options.intermediate_tensors = SplitCommas(optarg); break;
      case 'k':
        if (!ParseInt(optarg, &options.delegate_search_step) || options.delegate_search_step < 1) {
          return Usage(std::string("--delegate_search_step must be a whole number >= 1, got '") + optarg + "'");
        }
        break;
      case 'm':
        if (!ParseInt(optarg, &options.min_runtime_version) || options.min_runtime_version < 10 ||
            options.min_runtime_version > 14) {
          return Usage(std::string("--min_runtime_version must be a whole number from 10 to 14, got '") + optarg + "'");
        }
        break;
      case 'n':
        if (!ParseInt(optarg, &options.num_segments) || options.num_segments < 1) {
          return Usage(std::string("--num_segments must be a whole number >= 1, got '") + optarg + "'");
        }
        break;
      case 'o': options.out_dir = optarg; break;
      case 's': options.show_operations = true; break;
      case 't':
        if (!ParseInt(optarg, &options.timeout_sec) || options.timeout_sec < 1) {
          return Usage(std::string("--timeout_sec must be a whole number >= 1, got '") + optarg + "'");
        }
        break;
      case 'v': show_version = true; break;
      case kEmulate:
        if (!ParseInt(optarg, &options.emulate) || (options.emulate != 15 && options.emulate != 16)) {
          return Usage(std::string("--emulate must be 15 or 16, got '") + optarg + "'");
        }
        break;
      case kRandomToken: options.random_token = true; break;
      case kCachePolicy: options.cache_policy = optarg; break;
      case kReport:
        report_file = optarg;
        if (report_file.empty()) return Usage("--report needs a file name.");
        break;
      case ':': return Usage(std::string("Option '") + argv[optind - 1] + "' needs a value.");
      default: return Usage(std::string("Unknown option '") + argv[optind - 1] + "'.");
    }
  }
  if (show_help) {
    std::printf("%s\n%s", etpu::driver::VersionLine(options.emulate).c_str(), kHelp);
    return 0;
  }
  if (show_version) {
    std::printf("%s\n", etpu::driver::VersionLine(options.emulate).c_str());
    std::printf("etpu %s: an open, portable reimplementation of the Coral Edge TPU compiler.\n"
                "Console grammar and flags of Edge TPU Compiler %d.0; output packages target etpu's virtual Edge TPU.\n",
                etpu::driver::CompilerVersion(options.emulate).c_str(), options.emulate);
    return 0;
  }
  std::vector<std::string> models(argv + optind, argv + argc);
  if (models.empty()) return Usage("No input model given.");
  if (options.num_segments > 1 && models.size() > 1) {
    return Usage("--num_segments takes exactly one model (co-compiling segmented models is not supported).");
  }
  if (!options.intermediate_tensors.empty() && options.search_delegate) {
    return Usage("--intermediate_tensors cannot be combined with --search_delegate.");
  }
  if (!report_file.empty() && (options.num_segments > 1 || options.random_token)) {
    // The report compiles the models again: a segmented run or a random token would not be what it shows.
    return Usage("--report cannot be combined with --num_segments or --random_token.");
  }

  // Compile in a worker thread under the timeout; files are written only after it finished in time.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  etpu::CompileTranscript transcript;
  std::thread worker([&] {
    etpu::CompileTranscript t = etpu::CompileModels(models, options);
    std::lock_guard<std::mutex> lock(mu);
    transcript = std::move(t);
    done = true;
    cv.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    int children = options.num_segments * (options.search_delegate ? 4 : 1);
    if (!cv.wait_for(lock, std::chrono::seconds(static_cast<int64_t>(options.timeout_sec) * children), [&] { return done; })) {
      std::printf("%s\n%s", etpu::driver::VersionLine(options.emulate).c_str(), etpu::driver::TimerLine(options.timeout_sec).c_str());
      std::printf("Compilation timeout. This is usually caused by large activations.\nCompilation failed! \n");
      std::fflush(stdout);
      std::_Exit(1);
    }
  }
  worker.join();
  if (!transcript.succeeded) {
    std::fputs(transcript.console.c_str(), stdout);
    return 1;
  }
  // All or nothing: every output of the run is written to a temporary beside its destination and
  // renamed only when all were written; success is printed only after that.
  std::vector<etpu::base::FileToWrite> files;
  for (const auto& f : transcript.files) files.push_back({f.path, f.bytes});
  std::string report_text, report_path;
  if (!report_file.empty()) {  // The same models with the same flags, compiled again in memory (deterministic).
    etpu::report::ReportOptions ro;
    ro.emulate = options.emulate;
    ro.compile = options;
    ro.tool_version = ETPU_VERSION;
    auto doc = etpu::report::BuildModelReport(models, ro);
    if (!doc.ok()) {
      std::printf("%s--report: %s\n", transcript.console.c_str(), doc.status().ToString().c_str());
      return 1;
    }
    report_text = etpu::report::RenderReportAs(*doc, etpu::report::ReportFormatOf(report_file));
    const std::filesystem::path file(report_file);
    report_path = file.is_absolute() ? report_file : (std::filesystem::path(options.out_dir) / file).string();
    files.push_back({report_path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(report_text.data()), report_text.size())});
  }
  if (etpu::Status s = etpu::base::WriteFilesAtomic(files); !s.ok()) {
    std::fputs(etpu::driver::RenderWriteFailure(transcript.console, s.message()).c_str(), stdout);
    return 1;
  }
  std::fputs(transcript.console.c_str(), stdout);
  if (!report_path.empty()) std::printf("Report: %s\n", report_path.c_str());
  return 0;
}
