#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::runtime {
namespace {

// Every CPU model in ../shared loads and runs, including those whose custom operators declare
// their outputs as [] and size them at prepare time (Coral's PoseNet).
TEST(InterpreterTest, LoadsAndRunsEverySharedCpuModel) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  int ran = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".tflite" || name.find("_edgetpu") != std::string::npos) continue;
    auto model = tflite::ReadModel(entry.path().string());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto interp = Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
    EXPECT_TRUE(interp.ok()) << name << ": " << interp.status().ToString();
    if (!interp.ok()) continue;
    const Status run = (*interp)->Invoke();
    EXPECT_TRUE(run.ok()) << name << ": " << run.ToString();
    for (int k = 0; k < (*interp)->num_outputs(); ++k) {
      EXPECT_EQ(static_cast<int64_t>((*interp)->output(k).size()), (*interp)->output_tensor(k).size_bytes()) << name;
    }
    ++ran;
  }
  EXPECT_GE(ran, 8);
}

}  // namespace
}  // namespace etpu::runtime

#include "runtime/image_prep.h"
#include "tflite/model_builder.h"

namespace etpu::runtime {
namespace {

TEST(InterpreterTest, UnknownOperatorsAreNamedAtLoadTime) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", ir::TensorType::FLOAT32, {1, 4});
  int y = b.AddTensor("y", ir::TensorType::FLOAT32, {1, 4});
  b.AddOperator(ir::BuiltinOperator::LOG_SOFTMAX, {x}, {y});
  int z = b.AddTensor("z", ir::TensorType::FLOAT32, {1, 4});
  b.AddCustomOperator("MyCustomOp", {y}, {z});
  b.SetInputs({x});
  b.SetOutputs({z});
  auto model = tflite::BuildModel(b.Build(), "unknown.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto shared = std::make_shared<ir::Model>(std::move(model).value());
  auto interp = Interpreter::Create(shared);
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(interp.status().message().find("LOG_SOFTMAX (#0)"), std::string::npos) << interp.status().message();
}

// A small file may declare tensors of gigabytes, each within the reader's 2 GiB limit: the
// interpreter refuses them before allocating (kMaxTensorMemory), naming the model and the bytes,
// and a model of the same graph at a sane size is accepted. (A fuzzer's 1.8 KB input took 7.5 s
// and 1.6 GB before it was refused at prepare time.)
TEST(InterpreterTest, TensorsBeyondTheMemoryLimitAreRefusedBeforeAllocating) {
  for (const int side : {16384, 64}) {  // 2 x 805 MB, then 2 x 12 KB
    tflite::ModelBuilder b;
    int x = b.AddTensor("x", ir::TensorType::UINT8, {1, side, side, 3}, tflite::Quant(1.0f, 0));
    int y = b.AddTensor("y", ir::TensorType::UINT8, {1, side, side, 3}, tflite::Quant(1.0f, 0));
    b.AddOperator(ir::BuiltinOperator::RELU, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    auto model = tflite::BuildModel(b.Build(), "huge.tflite");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto interp = Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
    if (side == 64) {
      EXPECT_TRUE(interp.ok()) << interp.status().ToString();
      continue;
    }
    ASSERT_FALSE(interp.ok());
    EXPECT_EQ(interp.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(interp.status().message().find("'huge.tflite'"), std::string::npos) << interp.status().message();
    EXPECT_NE(interp.status().message().find(std::to_string(2 * int64_t{16384} * 16384 * 3)), std::string::npos)
        << interp.status().message();
  }
}

TEST(InterpreterTest, RejectsBadInputsAndRanges) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", ir::TensorType::UINT8, {1, 4}, tflite::Quant(0.1f, 0));
  int y = b.AddTensor("y", ir::TensorType::UINT8, {1, 4}, tflite::Quant(0.1f, 0));
  b.AddOperator(ir::BuiltinOperator::RELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto model = tflite::BuildModel(b.Build(), "relu.tflite");
  ASSERT_TRUE(model.ok());
  auto interp = Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  EXPECT_FALSE((*interp)->SetInput(0, std::vector<uint8_t>(3)).ok());
  EXPECT_FALSE((*interp)->SetInput(1, std::vector<uint8_t>(4)).ok());
  EXPECT_FALSE((*interp)->InvokeOps(0, 2).ok());
  ASSERT_TRUE((*interp)->SetInput(0, std::vector<uint8_t>{0, 5, 200, 255}).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  EXPECT_EQ(std::vector<uint8_t>((*interp)->output(0).begin(), (*interp)->output(0).end()),
            (std::vector<uint8_t>{0, 5, 200, 255}));
  EXPECT_TRUE((*interp)->output(5).empty());
}

// TILE with multiples computed by the graph (a model input): read when the operator runs; values
// that do not give the model's output shape are an error, not a write past the output.
TEST(InterpreterTest, TileWithComputedMultiples) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", ir::TensorType::INT8, {2, 1, 2}, tflite::Quant(0.1f, 0));
  int m = b.AddTensor("multiples", ir::TensorType::INT32, {3});
  int y = b.AddTensor("y", ir::TensorType::INT8, {2, 3, 4}, tflite::Quant(0.1f, 0));
  b.AddOperator(ir::BuiltinOperator::TILE, {x, m}, {y});
  b.SetInputs({x, m});
  b.SetOutputs({y});
  auto model = tflite::BuildModel(b.Build(), "tile.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto interp = Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  const auto multiples = [](int32_t a, int32_t b2, int32_t c) {
    std::vector<uint8_t> bytes(12);
    const int32_t v[3] = {a, b2, c};
    std::memcpy(bytes.data(), v, 12);
    return bytes;
  };
  ASSERT_TRUE((*interp)->SetInput(0, std::vector<uint8_t>{1, 2, 0xfd, 4}).ok());
  ASSERT_TRUE((*interp)->SetInput(1, multiples(1, 3, 2)).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  std::vector<uint8_t> want;
  for (const std::vector<uint8_t>& row : {std::vector<uint8_t>{1, 2, 1, 2}, std::vector<uint8_t>{0xfd, 4, 0xfd, 4}}) {
    for (int r = 0; r < 3; ++r) want.insert(want.end(), row.begin(), row.end());
  }
  EXPECT_EQ(std::vector<uint8_t>((*interp)->output(0).begin(), (*interp)->output(0).end()), want);
  ASSERT_TRUE((*interp)->SetInput(1, multiples(1, 4, 2)).ok());
  Status s = (*interp)->Invoke();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("dimension 1"), std::string::npos) << s.message();
}

TEST(ImagePrepTest, HostileBmpsAreErrorsNotCrashes) {
  std::vector<uint8_t> bmp(54 + 4 * 2 * 3, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  auto put32 = [&](size_t o, uint32_t v) { for (int i = 0; i < 4; ++i) bmp[o + i] = static_cast<uint8_t>(v >> (8 * i)); };
  put32(10, 54);
  put32(18, 2);
  put32(22, 2);
  bmp[28] = 24;
  auto ok = DecodeBmp(bmp, "ok.bmp");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->pixels.size(), 12u);
  for (uint32_t bad_w : {0u, 0xFFFFFFFFu, 100000u, 3000u}) {
    auto copy = bmp;
    for (int i = 0; i < 4; ++i) copy[18 + i] = static_cast<uint8_t>(bad_w >> (8 * i));
    EXPECT_FALSE(DecodeBmp(copy, "bad.bmp").ok()) << bad_w;
  }
  auto truncated = bmp;
  truncated.resize(60);
  EXPECT_FALSE(DecodeBmp(truncated, "short.bmp").ok());
  auto compressed = bmp;
  compressed[30] = 1;
  EXPECT_FALSE(DecodeBmp(compressed, "rle.bmp").ok());
  put32(10, 0xFFFFFFF0u);
  EXPECT_FALSE(DecodeBmp(bmp, "offset.bmp").ok());
  EXPECT_FALSE(PrepareImage(*ok, 4, 4, 2).ok());  // 3 channels cannot become 2.
  auto gray = PrepareImage(*ok, 3, 3, 1);
  EXPECT_TRUE(gray.ok());
}

}  // namespace
}  // namespace etpu::runtime

namespace etpu::runtime {
namespace {

// Writable constants filled by InterpreterOptions::before_op take arena slots for their readers
// only (no buffers of their own), the hook runs before each operator with its index, and the
// readers see the bytes it wrote: the same outputs as the model with those bytes as constants.
TEST(InterpreterTest, BeforeOpFillsWritableConstantsInTheArena) {
  auto build = [](std::vector<uint8_t> k1, std::vector<uint8_t> k2) {
    tflite::ModelBuilder b;
    const auto q = tflite::Quant(0.5f, 10);
    int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 64}, q);
    int c1 = b.AddTensor("k1", ir::TensorType::UINT8, {1, 64}, q, k1);
    int mid = b.AddTensor("mid", ir::TensorType::UINT8, {1, 64}, q);
    int c2 = b.AddTensor("k2", ir::TensorType::UINT8, {1, 64}, q, k2);
    int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 64}, q);
    b.AddOperator(ir::BuiltinOperator::ADD, {in, c1}, {mid}, tflite::AddOpts());
    b.AddOperator(ir::BuiltinOperator::ADD, {mid, c2}, {out}, tflite::AddOpts());
    b.SetInputs({in});
    b.SetOutputs({out});
    auto m = tflite::BuildModel(b.Build(), "adds.tflite");
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::make_shared<ir::Model>(std::move(m).value());
  };
  std::vector<uint8_t> k1(64), k2(64), input(64);
  for (int i = 0; i < 64; ++i) {
    k1[static_cast<size_t>(i)] = static_cast<uint8_t>(3 * i);
    k2[static_cast<size_t>(i)] = static_cast<uint8_t>(200 - i);
    input[static_cast<size_t>(i)] = static_cast<uint8_t>(7 * i + 1);
  }
  auto plain = Interpreter::Create(build(k1, k2));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE((*plain)->SetInput(0, input).ok());
  ASSERT_TRUE((*plain)->Invoke().ok());

  auto emptied = build(std::vector<uint8_t>(64, 1), std::vector<uint8_t>(64, 1));  // placeholders
  const int t1 = *emptied->FindTensor("k1"), t2 = *emptied->FindTensor("k2");
  std::vector<int> calls;
  Interpreter* self = nullptr;
  InterpreterOptions o;
  o.writable_constants = {t1, t2};
  o.before_op = [&](int op) -> Status {
    calls.push_back(op);
    const int t = op == 0 ? t1 : t2;
    const auto& bytes = op == 0 ? k1 : k2;
    auto dst = self->mutable_tensor_data(t);
    if (dst.size() != bytes.size()) return InternalError("size");
    std::memcpy(dst.data(), bytes.data(), bytes.size());
    return OkStatus();
  };
  auto filled = Interpreter::Create(emptied, o);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  self = filled->get();
  EXPECT_EQ((*filled)->writable_constant_bytes(), 128);
  EXPECT_EQ((*filled)->writable_constant_own_bytes(), 0);
  EXPECT_EQ((*filled)->own_bytes(), 128);  // the input and the output only
  ASSERT_TRUE((*filled)->SetInput(0, input).ok());
  ASSERT_TRUE((*filled)->Invoke().ok());
  EXPECT_EQ(calls, (std::vector<int>{0, 1}));
  const auto a = (*plain)->output(0), b = (*filled)->output(0);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

}  // namespace
}  // namespace etpu::runtime
