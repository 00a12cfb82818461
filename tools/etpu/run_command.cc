// `etpu run MODEL [--image FILE | --input RAW] [--labels FILE] [--top_k K] [--repeat N]
//                 [--dump DIR] [--num_devices N] [--runtime_version N] [--host H] [--clock max|std]
//                 [--threads N]`
// Runs a CPU or etpu-compiled model on etpu's runtime (virtual Edge TPUs), prints the top
// classes (classifiers), other outputs in brief, and the cache events of every invocation
// (with min / median / max simulated times when --repeat > 1). Without --image or --input every
// input holds its zero point (a real-valued 0), and a note on stderr says so.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/file_io.h"
#include "base/units.h"
#include "etpu/runtime.h"
#include "runtime/image_io.h"
#include "runtime/image_prep.h"
#include "runtime/labels.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {
namespace {

int Fail(const std::string& message) { return Failure("run", message); }

double Dequantize(const TensorInfo& t, std::span<const uint8_t> bytes, size_t i) {
  double q = 0;
  if (t.type == "UINT8") q = bytes[i];
  else if (t.type == "INT8") q = static_cast<int8_t>(bytes[i]);
  else if (t.type == "FLOAT32") return reinterpret_cast<const float*>(bytes.data())[i];
  else if (t.type == "INT32") return reinterpret_cast<const int32_t*>(bytes.data())[i];
  else if (t.type == "INT64") return static_cast<double>(reinterpret_cast<const int64_t*>(bytes.data())[i]);
  if (t.scale.empty()) return q;
  return t.scale[0] * (q - static_cast<double>(t.zero_point.empty() ? 0 : t.zero_point[0]));
}

size_t ElementCount(const TensorInfo& t) {
  size_t n = 1;
  for (int d : t.shape) n *= static_cast<size_t>(std::max(d, 0));
  return n;
}

std::string ShapeText(const std::vector<int>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

/// Input 0 from an image file: decoded, its channels converted to the input's (said on stderr),
/// resized as the Coral tests do (PrepareImage), shifted by 128 for int8 inputs.
Result<std::vector<uint8_t>> ImageInput(const std::string& path, const TensorInfo& in) {
  if (in.shape.size() != 4 || (in.type != "UINT8" && in.type != "INT8")) {
    return InvalidArgumentError(
        fmt::format("--image needs a [1,H,W,C] 8-bit input; input 0 is {} {}", in.type, ShapeText(in.shape)));
  }
  ETPU_ASSIGN_OR_RETURN(runtime::DecodedImage decoded, runtime::ReadImage(path));
  auto converted = runtime::ConvertChannels(decoded.image, in.shape[3]);
  if (!converted.ok()) {
    return InvalidArgumentError(fmt::format("--image '{}': {}", path, converted.status().message()));
  }
  if (!converted->conversion.empty()) {
    std::fprintf(stderr, "etpu run: --image '%s' is a %s; converted %s for input 0 %s\n", path.c_str(),
                 decoded.format.c_str(), converted->conversion.c_str(), ShapeText(in.shape).c_str());
  }
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                        runtime::PrepareImage(converted->image, in.shape[1], in.shape[2], in.shape[3]));
  if (in.type == "INT8") {
    for (auto& b : bytes) b = static_cast<uint8_t>(b ^ 0x80);  // uint8 pixel - 128.
  }
  return bytes;
}

struct TimeSummary {
  double min = 0, median = 0, max = 0;
};

TimeSummary Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return {v.front(), n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.back()};
}

}  // namespace

int RunCommand(int argc, char** argv) {
  static_assert(kNewestRuntimeVersion == kDefaultRuntimeVersion);
  CLI::App app("Runs a model on etpu's runtime (virtual Edge TPUs, TFLite reference numerics). Without --image or "
               "--input, every input holds its zero point (a real-valued 0); a note on stderr says so.",
               "etpu run");
  std::string model_path, image, raw, labels_path, dump_dir, host = "usb3", clock = "max";
  int top_k = 5, repeat = 1, devices = 1, old_devices = 0, runtime_version = kDefaultRuntimeVersion, threads = 1;
  app.add_option("model", model_path, "Model (.tflite, CPU or compiled by etpu)")->required();
  auto* img_opt = app.add_option("--image", image,
                                 std::string("Image for input 0: ") + runtime::kImageFormats +
                                     "; channels converted to the input's (said on stderr), resized as the Coral tests "
                                     "do");
  app.add_option("--input", raw, "Raw file holding input 0's exact bytes")->excludes(img_opt);
  app.add_option("--labels", labels_path, "Labels file: 'ID LABEL' per line (Coral's) or one label per line");
  app.add_option("--top_k", top_k, "Classes to print")->check(CLI::Range(1, 100000));
  app.add_option("--repeat", repeat, "Invocations (more than 1: min / median / max simulated times too)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--dump", dump_dir, "Write each output K to DIR/out<K>.bin");
  auto* num_opt = app.add_option("--num_devices", devices, "Virtual Edge TPUs")->check(CLI::Range(1, 64));
  app.add_option("--devices", old_devices, "Deprecated spelling of --num_devices")
      ->check(CLI::Range(1, 64))
      ->excludes(num_opt)
      ->group("Deprecated");
  app.add_option("--runtime_version", runtime_version,
                 fmt::format("Edge TPU runtime version to emulate, 1 to {}; packages needing a newer one are refused",
                             kNewestRuntimeVersion))
      ->check(CLI::Range(1, kNewestRuntimeVersion));
  app.add_option("--host", host, "Host profile (usb3, usb2, pcie, ...)");
  app.add_option("--clock", clock, "Edge TPU clock: max or std")->check(CLI::IsMember({"max", "std"}));
  app.add_option("--threads", threads,
                 "CPU threads of the interpreter (convolutions, depthwise, fully connected; same outputs for any N)")
      ->check(CLI::Range(1, 256));
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  if (old_devices > 0) {
    std::fprintf(stderr, "etpu run: note: --devices is deprecated; use --num_devices %d\n", old_devices);
    devices = old_devices;
  }
  runtime::LabelMap labels;
  if (!labels_path.empty()) {
    auto l = runtime::ReadLabelFile(labels_path);
    if (!l.ok()) return Fail(l.status().ToString());
    labels = std::move(l).value();
  }

  RuntimeOptions options;
  options.num_devices = devices;
  options.runtime_version = runtime_version;
  options.host = host;
  options.clock = clock;
  options.num_threads = threads;
  auto rt = Runtime::Create(options);
  if (!rt.ok()) return Fail(rt.status().ToString());
  auto loaded = (*rt)->LoadModel(model_path, 0);
  if (!loaded.ok()) return Fail(loaded.status().ToString());
  LoadedModel& m = *loaded;
  std::printf("Model: %s (runtime version %d, %d virtual Edge TPU%s, host %s, clock %s)\n", model_path.c_str(),
              runtime_version, devices, devices > 1 ? "s" : "", host.c_str(), clock.c_str());
  if (m.edgetpu_ops().empty()) {
    std::printf("No edgetpu-custom-op: the whole model runs on the CPU (compile it with edgetpu_compiler for the "
                "virtual Edge TPU)\n");
  }
  const TensorMemory mem = m.tensor_memory();
  std::printf("Tensors: %s in buffers of their own (inputs, outputs, state), %s arena shared by the intermediates "
              "(%s with a buffer each)\n",
              base::FormatBytes(static_cast<uint64_t>(mem.own_bytes)).c_str(),
              base::FormatBytes(static_cast<uint64_t>(mem.arena_bytes)).c_str(),
              base::FormatBytes(static_cast<uint64_t>(mem.unshared_bytes)).c_str());
  for (const auto& e : m.edgetpu_ops()) {
    std::printf("Edge TPU op #%d: caching token %016llx, %s cached, %s streamed\n", e.op_index,
                static_cast<unsigned long long>(e.token), base::FormatBytes(static_cast<uint64_t>(e.cached_bytes)).c_str(),
                base::FormatBytes(static_cast<uint64_t>(e.streamed_bytes)).c_str());
  }

  // Inputs: the image or raw file for input 0; the zero point (a real-valued 0) otherwise.
  for (int i = 0; i < m.num_inputs(); ++i) {
    const TensorInfo in = m.input(i);
    std::vector<uint8_t> bytes(static_cast<size_t>(in.bytes), 0);
    if (i == 0 && !image.empty()) {
      auto prepared = ImageInput(image, in);
      if (!prepared.ok()) return Fail(prepared.status().ToString());
      bytes = *prepared;
    } else if (i == 0 && !raw.empty()) {
      auto r = base::ReadFile(raw);
      if (!r.ok()) return Fail(r.status().ToString());
      if (r->size() != bytes.size()) {
        return Fail(fmt::format("--input '{}' has {} bytes; input 0 '{}' {} {} needs {}", raw, r->size(), in.name,
                                in.type, ShapeText(in.shape), bytes.size()));
      }
      bytes = *r;
    } else {
      const int64_t zp = in.zero_point.empty() ? 0 : in.zero_point[0];
      if (in.type == "UINT8" || in.type == "INT8") std::fill(bytes.begin(), bytes.end(), static_cast<uint8_t>(zp));
      std::fprintf(stderr, "etpu run: note: no %s for input %d '%s'; it holds its zero point (%lld)\n",
                   i == 0 ? "--image or --input" : "data (only input 0 takes a file)", i, in.name.c_str(),
                   static_cast<long long>(zp));
    }
    Status s = m.SetInput(i, bytes);
    if (!s.ok()) return Fail(s.ToString());
    std::printf("Input %d: '%s' %s %s\n", i, in.name.c_str(), in.type.c_str(), ShapeText(in.shape).c_str());
  }

  std::vector<double> invocation_ms;
  for (int r = 0; r < repeat; ++r) {
    Status s = m.Invoke();
    if (!s.ok()) return Fail(s.ToString());
    double total_ms = 0;
    for (const CacheEvent& e : m.last_events()) {
      total_ms += e.simulated_ms;
      std::printf("Invocation %d: Edge TPU op #%d on device %d: %s%s, %s written to SRAM, %s streamed, simulated %.3f ms\n",
                  r + 1, e.op_index, e.device, e.cache_cleared ? "cache cleared, " : "",
                  e.parameters_loaded ? "parameters loaded" : (e.parameters_reused ? "parameters reused" : "nothing cached"),
                  base::FormatBytes(static_cast<uint64_t>(e.sram_bytes_written)).c_str(),
                  base::FormatBytes(static_cast<uint64_t>(e.streamed_bytes)).c_str(), e.simulated_ms);
    }
    invocation_ms.push_back(total_ms);
  }
  if (repeat > 1 && !m.edgetpu_ops().empty()) {
    const TimeSummary t = Summarize(invocation_ms);
    std::printf("Simulated Edge TPU time over %d invocations: min %.3f ms, median %.3f ms, max %.3f ms\n", repeat,
                t.min, t.median, t.max);
  }
  for (int k = 0; k < m.num_outputs(); ++k) {
    const TensorInfo out = m.output(k);
    auto bytes = m.GetOutput(k);
    const size_t n = ElementCount(out);
    std::printf("Output %d: '%s' %s %s\n", k, out.name.c_str(), out.type.c_str(), ShapeText(out.shape).c_str());
    const bool classifier = n > 1 && out.shape.size() <= 2 && out.type != "INT32" && out.type != "INT64";
    if (classifier) {
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), size_t{0});
      const size_t k_top = std::min<size_t>(static_cast<size_t>(top_k), n);
      std::partial_sort(order.begin(), order.begin() + static_cast<long>(k_top), order.end(), [&](size_t a, size_t b) {
        const double da = Dequantize(out, bytes, a), db = Dequantize(out, bytes, b);
        return da > db || (da == db && a < b);
      });
      for (size_t i = 0; i < k_top; ++i) {
        const size_t c = order[i];
        const auto label = labels.find(static_cast<int64_t>(c));
        std::printf("  %4zu  %.5f  %s\n", c, Dequantize(out, bytes, c), label != labels.end() ? label->second.c_str() : "");
      }
    } else {
      std::printf("  ");
      for (size_t i = 0; i < std::min<size_t>(n, 16); ++i) std::printf("%g ", Dequantize(out, bytes, i));
      std::printf("%s\n", n > 16 ? "..." : "");
    }
    if (!dump_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dump_dir, ec);
      Status s = base::WriteFileAtomic(dump_dir + "/out" + std::to_string(k) + ".bin", bytes);
      if (!s.ok()) return Fail(s.ToString());
    }
  }
  return 0;
}

}  // namespace etpu::tools
