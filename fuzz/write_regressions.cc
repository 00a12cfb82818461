// Writes the hand-made part of the fuzzers' regression corpus (fuzz/regressions/<fuzzer>/,
// replayed by scripts/test.sh on every run): small inputs that reach the readers' error paths,
// made from the project's own generated models (tests/compiler/malformed_models.h: a 3x3
// convolution model and the cases built to break it), images written by the test encoders, and
// field-by-field breakages of the plan seeds. Crash reproducers found by the campaigns are kept
// beside them under their own names (crash-*, timeout-*, oom-*).
//   fuzz_write_regressions <fuzz/regressions> <fuzz/seeds/plan>
// Every file is kept under 16 KiB.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/cli_image_files.h"
#include "compiler/malformed_models.h"
#include "etpu/compiler.h"
#include "tflite/model_builder.h"

namespace fs = std::filesystem;
using etpu::testing::Breaks;

namespace {

constexpr size_t kMaxBytes = 16 * 1024;
int written = 0;

bool Write(const fs::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  if (bytes.size() >= kMaxBytes) {
    std::fprintf(stderr, "%s/%s: %zu bytes, over the 16 KiB limit\n", dir.c_str(), name.c_str(), bytes.size());
    return false;
  }
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                    static_cast<std::streamsize>(bytes.size()));
  ++written;
  return true;
}

std::vector<uint8_t> Prefixed(uint8_t selector, const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> v{selector};
  v.insert(v.end(), bytes.begin(), bytes.end());
  return v;
}

// The smallest model worth compiling: a 1x1 convolution of a 2x2x4 input (its compiled form,
// with the Edge TPU package inside, stays well under the size limit).
// TinyModel's 1x1 convolution; `output_shape` replaces its output's shape (the tenth session's
// campaign: an output with no dimensions made the bias check read back() of an empty shape).
std::vector<uint8_t> TinyModel(std::vector<int32_t> output_shape = {1, 2, 2, 4}) {
  using etpu::ir::TensorType;
  namespace tfl = etpu::tflite;
  tfl::ModelBuilder b;
  const int in = b.AddTensor("input", TensorType::UINT8, {1, 2, 2, 4}, tfl::Quant(0.5f, 128));
  const int w = b.AddTensor("weights", TensorType::UINT8, {4, 1, 1, 4}, tfl::Quant(0.01f, 128),
                            std::vector<uint8_t>(16, 130));
  const std::vector<int32_t> bias_values(4, 10);
  const int bias = b.AddConstant<int32_t>("bias", TensorType::INT32, {4}, bias_values, tfl::Quant(0.005f, 0));
  const int out = b.AddTensor("output", TensorType::UINT8, output_shape, tfl::Quant(0.25f, 0));
  b.AddOperator(etpu::ir::BuiltinOperator::CONV_2D, {in, w, bias}, {out},
                tfl::ConvOptions(1, 1, etpu::ir::Padding::SAME));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

// A minimal integer UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's int8 x int8 -> int16 cell form, as the
// shared keras_lstm model has): batch 1, 2 time steps, 3 inputs, 2 cells, no peephole, projection
// or layer norm, with the 5 intermediates that carry the gate and hidden quantization. The input
// zero point is a parameter: the campaign's crash was this operator with 1919903360 there.
// `gate_bias`: the first cell's bias in every gate. `constant_input`: the LSTM reads a constant
// sequence instead of the graph's input (the fuzzers run every graph input at zero, and a zero
// input adds nothing to the bias: a hostile bias overflows the accumulator only with products).
// `input_weight_scale`: the gates' input weights' scale.
std::vector<uint8_t> LstmModel(int64_t input_zero_point, int32_t gate_bias = 100, bool constant_input = false,
                               float input_weight_scale = 0.02f) {
  using etpu::ir::TensorType;
  namespace tfl = etpu::tflite;
  tfl::ModelBuilder b;
  const std::vector<int8_t> sequence = {100, 90, 80, 70, 60, 50};
  const int in = constant_input
                     ? b.AddConstant<int8_t>("input", TensorType::INT8, {1, 2, 3}, sequence,
                                             tfl::Quant(0.05f, input_zero_point))
                     : b.AddTensor("input", TensorType::INT8, {1, 2, 3}, tfl::Quant(0.05f, input_zero_point));
  std::vector<int32_t> inputs(24, -1);
  inputs[0] = in;
  const std::vector<int8_t> w_in = {3, -7, 12, 5, 0, -2}, w_rec = {9, -4, 1, 6};
  const std::vector<int32_t> bias = {gate_bias, -50};
  const char* gates[4] = {"input", "forget", "cell", "output"};
  for (int g = 0; g < 4; ++g) {
    inputs[1 + g] = b.AddConstant<int8_t>(std::string(gates[g]) + "_w", TensorType::INT8, {2, 3}, w_in,
                                           tfl::Quant(input_weight_scale, 0));
    inputs[5 + g] = b.AddConstant<int8_t>(std::string(gates[g]) + "_r", TensorType::INT8, {2, 2}, w_rec,
                                           tfl::Quant(0.03f, 0));
    inputs[12 + g] = b.AddConstant<int32_t>(std::string(gates[g]) + "_b", TensorType::INT32, {2}, bias,
                                             tfl::Quant(0.001f, 0));
  }
  inputs[18] = b.AddTensor("output_state", TensorType::INT8, {1, 2}, tfl::Quant(0.0078125f, 0), {}, true);
  inputs[19] = b.AddTensor("cell_state", TensorType::INT16, {1, 2}, tfl::Quant(1.0f / 2048, 0), {}, true);
  const int out = b.AddTensor("output", TensorType::INT8, {1, 2, 2}, tfl::Quant(0.0078125f, 0));
  etpu::ir::UnidirectionalSequenceLSTMOptions options;
  options.fused_activation_function = etpu::ir::ActivationFunctionType::TANH;
  const int op = b.AddOperator(etpu::ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, {out}, options);
  std::vector<int32_t> intermediates;
  for (int k = 0; k < 4; ++k) {
    intermediates.push_back(b.AddTensor("gate_" + std::to_string(k), TensorType::INT16, {}, tfl::Quant(1.0f / 4096, 0)));
  }
  intermediates.push_back(b.AddTensor("hidden", TensorType::INT8, {}, tfl::Quant(0.0078125f, 0)));
  b.SetIntermediates(op, intermediates);
  b.SetInputs(constant_input ? std::vector<int32_t>{} : std::vector<int32_t>{in});
  b.SetOutputs({out});
  return b.Serialize();
}

// CONCATENATION of two uint8 inputs whose first has quantization scale `scale` (the output's is
// 1/128): a NaN or infinite scale made the requantising copy's float-to-int conversion undefined.
std::vector<uint8_t> ConcatModel(float scale) {
  using etpu::ir::TensorType;
  namespace tfl = etpu::tflite;
  tfl::ModelBuilder b;
  const int a = b.AddTensor("input1", TensorType::UINT8, {1, 2, 2, 3}, tfl::Quant(scale, 128));
  const int c = b.AddTensor("input2", TensorType::UINT8, {1, 2, 2, 2}, tfl::Quant(1.0f / 128, 128));
  const int out = b.AddTensor("output", TensorType::UINT8, {1, 2, 2, 5}, tfl::Quant(1.0f / 128, 128));
  b.AddOperator(etpu::ir::BuiltinOperator::CONCATENATION, {a, c}, {out}, tfl::ConcatOpts(3));
  b.SetInputs({a, c});
  b.SetOutputs({out});
  return b.Serialize();
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

void PutLe32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutBe32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * (3 - i)));
}

// Each leaf of `doc` (spread: at most `limit` of them) replaced by each hostile value.
void PlanCases(const fs::path& dir, const std::string& stem, const nlohmann::json& doc, size_t limit) {
  std::vector<nlohmann::json::json_pointer> leaves;
  const nlohmann::json flat = doc.flatten();
  for (auto it = flat.begin(); it != flat.end(); ++it) leaves.emplace_back(it.key());
  const std::vector<std::pair<std::string, nlohmann::json>> values = {
      {"negative", -1}, {"huge", 1e300}, {"string", "x"}, {"null", nullptr}, {"object", nlohmann::json::object()}};
  for (size_t k = 0; k < limit && !leaves.empty(); ++k) {
    const auto& leaf = leaves[k * (leaves.size() - 1) / (limit > 1 ? limit - 1 : 1)];
    const auto& [label, value] = values[k % values.size()];
    nlohmann::json broken = doc;
    broken[leaf] = value;
    Write(dir, stem + "_" + std::to_string(k) + "_" + label + ".json", Bytes(broken.dump()));
  }
  // A member dropped from each top-level object.
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    nlohmann::json broken = doc;
    broken.erase(it.key());
    Write(dir, stem + "_without_" + it.key() + ".json", Bytes(broken.dump()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <fuzz/regressions> <fuzz/seeds/plan>\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const fs::path plans = argv[2];

  // The source models, the tiny one's compiled form and the DWN1 package inside it.
  const std::vector<uint8_t> seed = etpu::testing::SeedModel();
  const std::vector<uint8_t> tiny = TinyModel();
  const etpu::ModelInput input = etpu::ModelInput::FromBytes(tiny, "tiny.tflite");
  auto compiled = etpu::Compile(std::span<const etpu::ModelInput>(&input, 1), etpu::CompileOptions{});
  if (!compiled.ok() || !compiled->ok || compiled->models.empty()) {
    std::fprintf(stderr, "the tiny model did not compile\n");
    return 1;
  }
  const std::vector<uint8_t>& tpu = compiled->models[0].model;
  const auto [pkg_begin, pkg_end] = etpu::testing::FindPackage(tpu);
  if (pkg_end <= pkg_begin) {
    std::fprintf(stderr, "no package in the compiled tiny model\n");
    return 1;
  }
  const std::vector<uint8_t> package(tpu.begin() + static_cast<std::ptrdiff_t>(pkg_begin),
                                     tpu.begin() + static_cast<std::ptrdiff_t>(pkg_end));

  const fs::path reader = out / "model_reader_fuzzer", compiler = out / "compiler_fuzzer",
                 loader = out / "runtime_loader_fuzzer", packages = out / "package_reader_fuzzer",
                 inputs = out / "run_inputs_fuzzer", plan_dir = out / "plan_document_fuzzer";
  Write(compiler, "seed.tflite", seed);
  // Built to be invalid: each reader gets the cases it must refuse.
  for (const auto& c : etpu::testing::SemanticCases()) {
    const std::string file = c.name + ".tflite";
    if (c.breaks == Breaks::kStructure) Write(reader, file, c.bytes);
    if (c.breaks == Breaks::kStructure || c.breaks == Breaks::kOperator) Write(compiler, file, c.bytes);
    Write(loader, file, c.bytes);
    if (c.breaks == Breaks::kEdgeTpuCustomOptions) Write(packages, "3_" + file, Prefixed(3, c.bytes));
  }
  // The campaigns' runtime_loader crash, rebuilt from the project's own builder (the reproducer was
  // a shared model, which is not copied here), beside the same LSTM with a valid zero point.
  Write(loader, "lstm.tflite", LstmModel(0));
  Write(loader, "crash-lstm_input_zero_point_1919903360.tflite", LstmModel(1919903360));
  // The ninth session's campaign: a gate bias near INT32_MAX plus the input's products overflowed
  // the int32 accumulator (UBSan in src/kernels/lstm.cc); now wrapped as TFLite's int32 would.
  // The tenth session's campaign: a NaN input scale reached CONCATENATION's requantising copy
  // (UBSan: "-nan is outside the range of representable values of type 'int'").
  Write(loader, "crash-concat_input_scale_nan.tflite", ConcatModel(std::numeric_limits<float>::quiet_NaN()));
  Write(loader, "crash-concat_input_scale_inf.tflite", ConcatModel(std::numeric_limits<float>::infinity()));
  // Also this session's: an input weight scale of 1e30 gave a requantisation left shift of 88
  // bits (UBSan in quant_utils.h); now refused at preparation.
  Write(loader, "crash-lstm_input_weight_scale_1e30.tflite", LstmModel(0, 100, false, 1e30f));
  Write(loader, "crash-conv_output_without_dimensions.tflite", TinyModel({}));
  Write(loader, "crash-lstm_gate_bias_near_int32_max.tflite",
        LstmModel(0, std::numeric_limits<int32_t>::max() - 100, true));
  // Truncations and offsets pointed past the end: of the source model, of the compiled one, and
  // of the package alone. The compiled model (37 KiB, mostly the package's 4 KiB alignment
  // padding) is over the size limit: only its cases under the limit (truncations) are kept.
  for (const auto& c : etpu::testing::ByteCases(seed, 0, seed.size(), "seed", 6)) {
    Write(reader, c.name + ".tflite", c.bytes);
    Write(compiler, c.name + ".tflite", c.bytes);
  }
  for (const auto& c : etpu::testing::ByteCases(tpu, 0, tpu.size(), "compiled", 40)) {
    if (c.bytes.size() + 1 >= kMaxBytes) continue;
    Write(loader, c.name + ".tflite", c.bytes);
    Write(packages, "3_" + c.name + ".tflite", Prefixed(3, c.bytes));
  }
  for (const auto& c : etpu::testing::ByteCases(package, 0, package.size(), "package", 40)) {
    if (c.bytes.size() + 1 >= kMaxBytes) continue;
    Write(packages, "1_" + c.name + ".dwn1", Prefixed(1, c.bytes));
  }
  Write(packages, "0_options_truncated", Prefixed(0, std::vector<uint8_t>(package.begin(), package.begin() + 40)));
  Write(packages, "2_program_from_package_bytes",
        Prefixed(2, std::vector<uint8_t>(package.begin() + 4, package.begin() + 204)));

  // Images: valid small ones, truncated ones, and headers declaring a pixel-count bomb.
  const auto rgb = etpu::testing::Pattern(7, 5, 3);
  std::vector<uint8_t> bmp = etpu::testing::EncodeBmp(rgb), png = etpu::testing::EncodePng(rgb),
                       jpeg = etpu::testing::EncodeJpeg(rgb, 90);
  Write(inputs, "small.bmp", bmp);
  Write(inputs, "small.png", png);
  Write(inputs, "small.jpg", jpeg);
  Write(inputs, "truncated.bmp", std::vector<uint8_t>(bmp.begin(), bmp.begin() + 40));
  Write(inputs, "truncated.png", std::vector<uint8_t>(png.begin(), png.begin() + png.size() / 2));
  Write(inputs, "truncated.jpg", std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + jpeg.size() / 2));
  std::vector<uint8_t> bmp_huge = bmp;  // BITMAPINFOHEADER width at 18, height at 22.
  PutLe32(bmp_huge, 18, 1u << 20);
  PutLe32(bmp_huge, 22, 1u << 20);
  Write(inputs, "huge_dims.bmp", bmp_huge);
  std::vector<uint8_t> bmp_negative = bmp;
  PutLe32(bmp_negative, 18, 0x80000000u);
  Write(inputs, "negative_width.bmp", bmp_negative);
  std::vector<uint8_t> png_huge = png;  // IHDR width at 16, height at 20 (its CRC no longer matches).
  PutBe32(png_huge, 16, 1u << 30);
  PutBe32(png_huge, 20, 1u << 30);
  Write(inputs, "huge_dims.png", png_huge);
  Write(inputs, "labels.txt", Bytes("0 background\n1: cat\n  2   dog house\n\n-5 minus\n99999999999999999999 big\n\xff\xfe\n"));

  // Plans: each field broken in turn, and members dropped.
  for (const char* stem : {"pipelined", "replicated"}) {
    std::ifstream in(plans / (std::string(stem) + ".json"));
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      std::fprintf(stderr, "%s/%s.json: not JSON\n", plans.c_str(), stem);
      return 1;
    }
    PlanCases(plan_dir, stem, doc, 8);
  }
  Write(plan_dir, "truncated.json", Bytes("{\"devices\": [{\"groups\": [{\"members\": [{\"file\": \"a"));
  std::printf("%d files written under %s\n", written, out.c_str());
  return 0;
}
