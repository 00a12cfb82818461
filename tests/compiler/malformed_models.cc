#include "compiler/malformed_models.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <set>

#include "package/custom_op_data.h"
#include "package/package_reader.h"
#include "package/package_writer.h"
#include "package/program.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::testing {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

// Tensor and operator indices of the seed model.
constexpr int kInput = 0, kWeights = 1, kBias = 2, kConvOut = 3, kOutput = 4;
constexpr int kConv = 0, kRelu = 1;

tflite::ModelBuilder SeedBuilder() {
  tflite::ModelBuilder b;
  b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.5f, 128));
  b.AddTensor("weights", TensorType::UINT8, {8, 3, 3, 4}, tflite::Quant(0.01f, 128),
              std::vector<uint8_t>(8 * 3 * 3 * 4, 130));
  std::vector<int32_t> bias(8, 10);
  b.AddConstant<int32_t>("bias", TensorType::INT32, {8}, bias, tflite::Quant(0.005f, 0));
  b.AddTensor("conv", TensorType::UINT8, {1, 8, 8, 8}, tflite::Quant(0.25f, 0));
  b.AddTensor("output", TensorType::UINT8, {1, 8, 8, 8}, tflite::Quant(0.25f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {kInput, kWeights, kBias}, {kConvOut},
                tflite::ConvOptions(1, 1, ir::Padding::SAME));
  b.AddOperator(BuiltinOperator::RELU, {kConvOut}, {kOutput});
  b.SetInputs({kInput});
  b.SetOutputs({kOutput});
  return b;
}

MalformedCase Semantic(const std::string& name, const std::string& kind, Breaks breaks,
                       const std::function<void(tflite::ModelBuilder&)>& change) {
  tflite::ModelBuilder b = SeedBuilder();
  change(b);
  return {name, kind, breaks, b.Serialize()};
}

// A model holding one custom operator `code` (uint8 in and out) with `options`, as a compiled
// model holds its edgetpu-custom-op.
MalformedCase Custom(const std::string& name, const std::string& code, Breaks breaks,
                     std::vector<uint8_t> options) {
  tflite::ModelBuilder b;
  int in = b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.5f, 128));
  int out = b.AddTensor("output", TensorType::UINT8, {1, 8, 8, 8}, tflite::Quant(0.25f, 0));
  b.AddCustomOperator(code, {in}, {out}, std::move(options));
  b.SetInputs({in});
  b.SetOutputs({out});
  return {name, "custom_options", breaks, b.Serialize()};
}

std::vector<uint8_t> Garbage(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng());
  return v;
}

uint32_t Word(const std::vector<uint8_t>& b, size_t at) {
  uint32_t w;
  std::memcpy(&w, b.data() + at, 4);
  return w;
}

void PutWord(std::vector<uint8_t>& b, size_t at, uint32_t w) { std::memcpy(b.data() + at, &w, 4); }

// At most `limit` elements of `v`, spread evenly (first and last kept).
std::vector<size_t> Spread(const std::vector<size_t>& v, size_t limit) {
  if (v.size() <= limit || limit < 2) return v;
  std::vector<size_t> out;
  for (size_t i = 0; i < limit; ++i) out.push_back(v[i * (v.size() - 1) / (limit - 1)]);
  return out;
}

// The spec that writes `p` again (WritePackage of it gives a package that reads back as `p`).
package::PackageSpec SpecOf(const package::PackageInfo& p) {
  package::PackageSpec spec;
  spec.min_runtime_version = p.min_runtime_version;
  spec.compiler_version = p.compiler_version;
  spec.chip = p.chip();
  for (const package::ExecutableInfo& e : p.executables) {
    package::ExecutableSpec x;
    x.type = e.type;
    x.name = e.name;
    x.parameters.assign(e.parameters.begin(), e.parameters.end());
    x.token = e.token;
    x.input_layers = e.input_layers;
    x.output_layers = e.output_layers;
    if (e.program) x.program = package::EncodeProgram(*e.program);
    x.used_narrow_memory_bytes_per_tile = e.used_narrow_memory_bytes_per_tile;
    x.estimated_cycles_64bit = e.estimated_cycles_64bit;
    x.scratch_size_bytes = e.scratch_size_bytes;
    x.batch_size = e.batch_size;
    x.dma_hints = e.dma_hints;
    x.dma_hints_fully_deterministic = e.dma_hints_fully_deterministic;
    spec.executables.push_back(std::move(x));
  }
  return spec;
}

}  // namespace

std::vector<uint8_t> SeedModel() { return SeedBuilder().Serialize(); }

std::vector<MalformedCase> SemanticCases() {
  constexpr Breaks kGraph = Breaks::kStructure, kOp = Breaks::kOperator;
  constexpr Breaks kTpuOptions = Breaks::kEdgeTpuCustomOptions, kCpuOptions = Breaks::kCpuCustomOptions;
  using B = tflite::ModelBuilder;
  std::vector<MalformedCase> c;
  // Sizes.
  c.push_back(Semantic("dims_huge", "dimensions", kGraph,
                       [](B& b) { b.SetTensorShape(kInput, {1, 1 << 20, 1 << 20, 4}); }));
  c.push_back(Semantic("dims_overflow", "dimensions", kGraph,
                       [](B& b) { b.SetTensorShape(kConvOut, {1 << 30, 1 << 30, 1 << 30, 8}); }));
  c.push_back(Semantic("dims_negative", "dimensions", kGraph, [](B& b) { b.SetTensorShape(kInput, {1, -3, 8, 4}); }));
  c.push_back(Semantic("dims_weights_mismatch", "dimensions", kGraph,
                       [](B& b) { b.SetTensorShape(kWeights, {8, 5, 5, 4}); }));
  c.push_back(Semantic("dims_rank9", "dimensions", kGraph,
                       [](B& b) { b.SetTensorShape(kOutput, {1, 1, 1, 1, 1, 8, 8, 8, 1}); }));
  // Types and buffers.
  c.push_back(Semantic("type_weights_int32", "type", kOp, [](B& b) {
    const int w = b.AddTensor("w32", TensorType::INT32, {8, 3, 3, 4}, tflite::Quant(0.01f, 0),
                              std::vector<uint8_t>(8 * 3 * 3 * 4 * 4, 1));
    b.SetOperatorInputs(kConv, {kInput, w, kBias});
  }));
  c.push_back(Semantic("type_bias_uint8", "type", kOp, [](B& b) {
    const int bias = b.AddTensor("b8", TensorType::UINT8, {8}, tflite::Quant(0.005f, 0), std::vector<uint8_t>(8, 3));
    b.SetOperatorInputs(kConv, {kInput, kWeights, bias});
  }));
  c.push_back(Semantic("type_weights_short_buffer", "type", kGraph, [](B& b) {
    const int w = b.AddTensor("w_short", TensorType::UINT8, {8, 3, 3, 4}, tflite::Quant(0.01f, 128),
                              std::vector<uint8_t>(17, 130));
    b.SetOperatorInputs(kConv, {kInput, w, kBias});
  }));
  c.push_back(Semantic("type_string_activation", "type", kOp, [](B& b) {
    b.SetOperatorInputs(kRelu, {b.AddTensor("text", TensorType::STRING, {1, 8, 8, 8})});
  }));
  // Cycles.
  c.push_back(Semantic("cycle_self", "cycle", kGraph, [](B& b) { b.SetOperatorInputs(kRelu, {kOutput}); }));
  c.push_back(Semantic("cycle_pair", "cycle", kGraph,
                       [](B& b) { b.SetOperatorInputs(kConv, {kOutput, kWeights, kBias}); }));
  // Dangling indices.
  c.push_back(Semantic("dangling_op_input", "dangling", kGraph,
                       [](B& b) { b.SetOperatorInputs(kConv, {kInput, 999, kBias}); }));
  c.push_back(Semantic("dangling_op_input_negative", "dangling", kGraph,
                       [](B& b) { b.SetOperatorInputs(kRelu, {-7}); }));
  c.push_back(Semantic("dangling_graph_output", "dangling", kGraph, [](B& b) { b.SetOutputs({999}); }));
  c.push_back(Semantic("dangling_graph_input", "dangling", kGraph, [](B& b) { b.SetInputs({-5}); }));
  c.push_back(Semantic("dangling_builtin_code", "dangling", kGraph, [](B& b) { b.SetRawBuiltinCode(kRelu, 100000); }));
  c.push_back(Semantic("dangling_intermediate", "dangling", kGraph, [](B& b) { b.SetIntermediates(kConv, {12345}); }));
  // Hostile custom options.
  c.push_back(Custom("custom_edgetpu_garbage", "edgetpu-custom-op", kTpuOptions, Garbage(300, 1)));
  c.push_back(Custom("custom_edgetpu_empty", "edgetpu-custom-op", kTpuOptions, {}));
  c.push_back(Custom("custom_edgetpu_one_byte", "edgetpu-custom-op", kTpuOptions, {0x01}));
  // A FlexBuffer root claiming a map of 2^31 entries at the end of 8 bytes.
  c.push_back(Custom("custom_edgetpu_huge_map", "edgetpu-custom-op", kTpuOptions,
                     {0xff, 0xff, 0xff, 0x7f, 0x04, 0x24, 0x04, 0x01}));
  c.push_back(Custom("custom_postprocess_garbage", "TFLite_Detection_PostProcess", kCpuOptions, Garbage(120, 2)));
  c.push_back(Custom("custom_posenet_garbage", "PosenetDecoderOp", kCpuOptions, Garbage(64, 3)));
  c.push_back(Custom("custom_unknown_op", "NoSuchCustomOp", kCpuOptions, Garbage(16, 4)));
  return c;
}

std::vector<MalformedCase> ByteCases(const std::vector<uint8_t>& file, size_t begin, size_t end,
                                     const std::string& prefix, size_t limit) {
  std::vector<MalformedCase> c;
  end = std::min(end, file.size());
  if (begin >= end || end - begin < 8) return c;
  const bool whole = begin == 0 && end == file.size();
  // 32-bit words that read as forward offsets to an aligned place inside [begin, end).
  std::set<size_t> targets;
  std::vector<size_t> offset_words;
  for (size_t at = begin; at + 4 <= end; at += 4) {
    const uint32_t w = Word(file, at);
    if (w < 4 || w % 4 != 0 || w >= end - at) continue;
    targets.insert(at + w);
    offset_words.push_back(at);
  }
  for (size_t cut : Spread(std::vector<size_t>(targets.begin(), targets.end()), limit)) {
    std::vector<uint8_t> bytes = file;
    if (whole) {
      bytes.resize(cut);
    } else {
      std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(cut), bytes.begin() + static_cast<std::ptrdiff_t>(end), 0);
    }
    c.push_back({prefix + "_cut_" + std::to_string(cut), whole ? "truncation" : "package", Breaks::kUnknown,
                 std::move(bytes)});
  }
  for (size_t at : Spread(offset_words, limit)) {
    std::vector<uint8_t> bytes = file;
    PutWord(bytes, at, static_cast<uint32_t>(end - at + 64));  // past the flatbuffer's end
    c.push_back({prefix + "_offset_" + std::to_string(at), whole ? "offset" : "package", Breaks::kUnknown,
                 std::move(bytes)});
  }
  return c;
}

std::pair<size_t, size_t> FindPackage(const std::vector<uint8_t>& compiled) {
  static const char kId[] = "DWN1";
  auto it = std::search(compiled.begin(), compiled.end(), kId, kId + 4);
  if (it == compiled.end() || it - compiled.begin() < 8) return {0, 0};
  const size_t begin = static_cast<size_t>(it - compiled.begin()) - 4;  // the root offset precedes the identifier
  // A FlexBuffer blob stores its size just before its bytes (4-byte width for a package's size).
  size_t end = begin + Word(compiled, begin - 4);
  if (end <= begin + 8 || end > compiled.size()) end = compiled.size();
  return {begin, end};
}

std::vector<MalformedCase> RecordCases(const std::vector<uint8_t>& compiled) {
  std::vector<MalformedCase> c;
  auto model = tflite::ReadModelFromBuffer(compiled, "compiled seed");
  if (!model.ok() || model->ops.size() != 1) return c;
  const ir::Operator& op = model->ops[0];
  auto options = package::DecodeCustomOpData(op.custom_options, "compiled seed");
  if (!options.ok()) return c;
  auto info = package::ReadPackage(options->package, "compiled seed");
  if (!info.ok() || info->main() == nullptr || !info->main()->program || info->main()->program->layers.empty()) return c;
  const package::Program program = *info->main()->program;
  // The conv's record (region op #0) and the RELU's (#1: every region operator has a record, an
  // empty kOther one when it has no parameters).
  auto record_of = [&](int op_index) {
    const auto it = std::find_if(program.layers.begin(), program.layers.end(),
                                 [&](const package::LayerParams& l) { return l.op_index == op_index; });
    return static_cast<size_t>(it - program.layers.begin());
  };
  const size_t k = record_of(0), relu = record_of(1);
  if (program.region_op_count != 2 || k >= program.layers.size() || relu >= program.layers.size()) return c;
  // One case: the package with `change` made to its program (and `blobs` to its executables).
  auto add = [&](const std::string& name, const std::string& expect, const std::function<void(package::Program&)>& change,
                 const std::function<void(package::PackageSpec&)>& blobs = nullptr) {
    package::Program p = program;
    change(p);
    package::PackageSpec spec = SpecOf(*info);
    for (package::ExecutableSpec& x : spec.executables) {
      if (!x.program.empty()) x.program = package::EncodeProgram(p);
    }
    if (blobs) blobs(spec);
    auto written = package::WritePackage(spec);
    if (!written.ok()) return;
    package::CustomOpData data = *options;
    data.package = std::move(written).value();
    MalformedCase m = Custom(name, "edgetpu-custom-op", expect.empty() ? Breaks::kUnknown : Breaks::kEdgeTpuCustomOptions,
                             package::EncodeCustomOpData(data));
    m.kind = "records";
    m.expect = expect;
    c.push_back(std::move(m));
  };
  add("records_unchanged", "", [](package::Program&) {});  // the control: written again, nothing changed
  add("records_listed_twice", "both name region op #0",
      [&](package::Program& p) { p.layers.push_back(p.layers[k]); });
  add("records_kind_softmax_table", "which a CONV_2D does not have",
      [&](package::Program& p) { p.layers[k].kind = package::LayerKind::kSoftmaxTable; });
  add("records_kind_depthwise", "lays out its weights as 'conv'",
      [&](package::Program& p) { p.layers[k].kind = package::LayerKind::kDepthwise; });
  add("records_kind_per_channel", "lays out its weights as 'conv'",
      [&](package::Program& p) { p.layers[k].kind = package::LayerKind::kConvPerChannel; });
  add("records_size_short", "takes",
      [&](package::Program& p) { p.layers[k].size -= 64; });
  add("records_on_the_relu", "no parameter record carries it", [&](package::Program& p) {
    p.layers[k].op_index = 1;
    p.layers[k].kind = package::LayerKind::kOther;
    p.layers.erase(p.layers.begin() + static_cast<std::ptrdiff_t>(relu));
  });
  add("records_none", "no parameter record carries it", [&](package::Program& p) { p.layers.clear(); });
  add("records_overlap", "overlap", [&](package::Program& p) {  // the RELU's record inside the conv's bytes
    p.layers[relu].placement = p.layers[k].placement;
    p.layers[relu].offset = p.layers[k].offset + 64;
    p.layers[relu].size = 64;
  });
  add("records_cached_blob_short", "blob, which has",
      [](package::Program&) {},
      [&](package::PackageSpec& spec) {
        for (package::ExecutableSpec& x : spec.executables) {
          if (x.type == package::ExecutableType::kParameterCaching) {
            x.parameters.resize(x.parameters.size() - 64);
            x.dma_hints = package::StandardDmaHints(x);
          }
        }
      });
  return c;
}

}  // namespace etpu::testing
