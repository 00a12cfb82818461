// The public API on the real files of ../shared: CPU models, Google's compiled models (refused),
// the runtime-version message.
#include "etpu/runtime.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "base/file_io.h"
#include "etpu/compiler.h"

#include "testutil/shared.h"

namespace etpu {
namespace {

TEST(RuntimeTest, RunsACpuModelWithoutEvents) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  auto m = (*rt)->LoadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->input(0).shape, (std::vector<int>{1, 128, 128, 3}));
  std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes), 128);
  ASSERT_TRUE(m->SetInput(0, in).ok());
  ASSERT_TRUE(m->Invoke().ok());
  EXPECT_EQ(m->GetOutput(0).size(), 1001u);
  EXPECT_TRUE(m->last_events().empty());
  EXPECT_TRUE(m->edgetpu_ops().empty());
  EXPECT_FALSE(m->SetInput(0, std::vector<uint8_t>(3)).ok());
}

// LoadModel reads the file in place: once every operator is prepared, the pages of the model's
// constants are given back (the fast kernels run on their packed copies; anything else reads
// them back from the page cache), and the outputs are those of a model read from a buffer.
TEST(RuntimeTest, LoadModelKeepsNoConstantPagesAfterPreparing) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  auto m = (*rt)->LoadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const int64_t resident = m->file_resident_bytes();
  if (resident < 0) GTEST_SKIP() << "/proc/self/smaps is not readable here";
  auto bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  int64_t constants = 0, slack = 0;
  for (int t = 0; t < m->num_tensors(); ++t) {
    if (!m->tensor(t).constant) continue;
    constants += static_cast<int64_t>(m->tensor_data(t).size());
    slack += 2 * 4096;  // a tensor's first and last page may stay with its neighbours
  }
  ASSERT_GT(constants, static_cast<int64_t>(bytes->size()) / 2);
  EXPECT_LE(resident, static_cast<int64_t>(bytes->size()) - constants + slack)
      << "file " << bytes->size() << " constants " << constants;
  auto copied = (*rt)->LoadModelFromBuffer(*bytes, "copied");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->file_resident_bytes(), -1);
  for (uint8_t fill : {uint8_t{128}, uint8_t{7}}) {
    std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes), fill);
    for (int k = 0; k < static_cast<int>(in.size()); k += 3) in[static_cast<size_t>(k)] = static_cast<uint8_t>(k * 7);
    ASSERT_TRUE(m->SetInput(0, in).ok() && copied->SetInput(0, in).ok());
    ASSERT_TRUE(m->Invoke().ok() && copied->Invoke().ok());
    const auto a = m->GetOutput(0), b = copied->GetOutput(0);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

TEST(RuntimeTest, RefusesGoogleCompiledModelsCleanly) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  for (const char* name : {"mobilenet_v1_0.25_128_quant_edgetpu", "mobilenet_v2_1.0_224_quant_edgetpu",
                           "deeplabv3_mnv2_dm05_pascal_quant_edgetpu", "keras_lstm_mnist_ptq_edgetpu",
                           "split_concat_edgetpu"}) {
    auto m = (*rt)->LoadModel(dir + "/" + name + ".tflite");
    ASSERT_FALSE(m.ok()) << name;
    EXPECT_NE(m.status().message().find("'beagle'"), std::string::npos) << m.status().ToString();
  }
}

TEST(RuntimeTest, TellsGoogleCompiledModelsFromOthers) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  auto google = base::ReadFile(dir + "/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  auto cpu = base::ReadFile(dir + "/mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(google.ok() && cpu.ok());
  EXPECT_TRUE(IsCompiledForRealEdgeTpu(*google));
  EXPECT_FALSE(IsCompiledForRealEdgeTpu(*cpu));
  EXPECT_FALSE(IsCompiledForRealEdgeTpu(std::vector<uint8_t>{1, 2, 3}));
  CompileOptions o;
  auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*cpu, "m.tflite")}, o);
  ASSERT_TRUE(compiled.ok() && compiled->ok);
  EXPECT_FALSE(IsCompiledForRealEdgeTpu(compiled->models.at(0).model));
}

// A compiled model's tensor memory counts its Edge TPU region's tensors (the region holds every
// intermediate tensor of the CPU model), not the region's refilled weights.
TEST(RuntimeTest, TensorMemoryCountsTheEdgeTpuRegion) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto cpu = base::ReadFile(path);
  ASSERT_TRUE(cpu.ok());
  auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*cpu, "m.tflite")}, CompileOptions{});
  ASSERT_TRUE(compiled.ok() && compiled->ok);
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto plain = (*rt)->LoadModelFromBuffer(*cpu, "cpu");
  auto tpu = (*rt)->LoadModelFromBuffer(compiled->models.at(0).model, "tpu");
  ASSERT_TRUE(plain.ok() && tpu.ok());
  ASSERT_EQ(tpu->edgetpu_ops().size(), 1u);
  const TensorMemory a = plain->tensor_memory(), b = tpu->tensor_memory();
  int64_t weights = 0;
  for (int t = 0; t < plain->num_tensors(); ++t) weights += plain->tensor(t).constant ? plain->tensor(t).bytes : 0;
  EXPECT_GE(b.unshared_bytes, a.unshared_bytes);
  EXPECT_LT(b.unshared_bytes, a.unshared_bytes + weights / 2) << "the region's weights are counted as tensors";
  EXPECT_GE(b.own_bytes + b.arena_bytes, a.own_bytes + a.arena_bytes);
}

// A compiled model loaded from its file reads its package in place, without a copy of its own, and
// keeps none of the package's pages after a run: the cached parameters' pages are given back once
// uploaded to the SRAM, the rest once decoded at load (this model streams no parameters).
TEST(RuntimeTest, LoadModelGivesBackThePackagePages) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto cpu = base::ReadFile(path);
  ASSERT_TRUE(cpu.ok());
  auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*cpu, "m.tflite")}, CompileOptions{});
  ASSERT_TRUE(compiled.ok() && compiled->ok);
  const std::vector<uint8_t>& bytes = compiled->models.at(0).model;
  const std::string file = testing::TempDir() + "/runtime_test_package_pages_edgetpu.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(file, bytes).ok());
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModel(file);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->edgetpu_ops().size(), 1u);
  EXPECT_TRUE(m->edgetpu_ops()[0].package_in_place);
  auto from_buffer = (*rt)->LoadModelFromBuffer(bytes, "buffer");
  ASSERT_TRUE(from_buffer.ok());
  EXPECT_TRUE(from_buffer->edgetpu_ops().at(0).package_in_place) << "viewed in the model's copy of the buffer";
  ASSERT_EQ(m->edgetpu_ops()[0].streamed_bytes, 0);  // streamed pages stay resident (read every run)
  const int64_t package = m->edgetpu_ops()[0].cached_bytes;
  ASSERT_GT(package, static_cast<int64_t>(bytes.size()) / 2);
  std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes), 128);
  ASSERT_TRUE(m->SetInput(0, in).ok());
  ASSERT_TRUE(m->Invoke().ok());
  const int64_t resident = m->file_resident_bytes();
  std::remove(file.c_str());
  if (resident < 0) GTEST_SKIP() << "/proc/self/smaps is not readable here";
  EXPECT_LE(resident, static_cast<int64_t>(bytes.size()) - package + 2 * 4096) << "file " << bytes.size();
}

TEST(RuntimeTest, ExposesEveryTensorAndWritableViews) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_GT(m->num_tensors(), 2);
  const int in = m->input_tensor_index(0), out = m->output_tensor_index(0);
  EXPECT_EQ(m->tensor(in).index, in);
  EXPECT_EQ(m->tensor(in).shape, m->input(0).shape);
  EXPECT_EQ(m->tensor(in).shape_signature, m->input(0).shape);
  EXPECT_EQ(m->input_tensor_index(1), -1);
  EXPECT_EQ(m->tensor(m->num_tensors()).index, -1);
  // Writing the input through the view is what SetInput does.
  auto view = m->mutable_tensor_data(in);
  ASSERT_EQ(static_cast<int64_t>(view.size()), m->input(0).bytes);
  std::fill(view.begin(), view.end(), uint8_t{77});
  ASSERT_TRUE(m->Invoke().ok());
  const std::vector<uint8_t> via_view(m->GetOutput(0).begin(), m->GetOutput(0).end());
  ASSERT_TRUE(m->SetInput(0, std::vector<uint8_t>(view.size(), 77)).ok());
  ASSERT_TRUE(m->Invoke().ok());
  EXPECT_TRUE(std::equal(via_view.begin(), via_view.end(), m->GetOutput(0).begin()));
  EXPECT_EQ(m->tensor_data(out).data(), m->GetOutput(0).data());
  // Weights are readable, never writable.
  int constant = -1;
  for (int t = 0; t < m->num_tensors() && constant < 0; ++t) {
    if (m->tensor(t).constant) constant = t;
  }
  ASSERT_GE(constant, 0);
  EXPECT_FALSE(m->tensor_data(constant).empty());
  EXPECT_TRUE(m->mutable_tensor_data(constant).empty());
}

// Each signature entry: the signature's name -> the name, shape and type of the tensor it points at.
std::map<std::string, std::string> SignatureTensors(const LoadedModel& m, const SignatureInfo& s) {
  std::map<std::string, std::string> out;
  for (const auto* list : {&s.inputs, &s.outputs}) {
    for (const auto& e : *list) {
      const TensorInfo t = m.tensor(e.tensor_index);
      out[(list == &s.inputs ? "in:" : "out:") + e.name] = fmt::format("{} {} [{}]", t.name, t.type, fmt::join(t.shape, ","));
    }
  }
  return out;
}

// The signatures of a CPU model, and of etpu's compilation of it: the compiler renumbers the
// tensors, the signatures still name the same tensors; running the compiled model gives the
// CPU model's outputs under each signature output.
TEST(RuntimeTest, SignaturesOfCpuAndCompiledModels) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  for (const char* name : {"small/dense_256.tflite", "models/keras_lstm_mnist_ptq.tflite"}) {
    auto bytes = base::ReadFile(dir + "/" + name);
    ASSERT_TRUE(bytes.ok());
    auto cpu = (*rt)->LoadModelFromBuffer(*bytes, name);
    ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
    const auto sigs = cpu->signatures();
    ASSERT_EQ(sigs.size(), 1u) << name;
    EXPECT_EQ(sigs[0].key, "serving_default");
    EXPECT_EQ(sigs[0].inputs.size(), static_cast<size_t>(cpu->num_inputs()));
    EXPECT_EQ(sigs[0].outputs.size(), static_cast<size_t>(cpu->num_outputs()));

    auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*bytes, name)}, CompileOptions{});
    ASSERT_TRUE(compiled.ok() && compiled->ok) << name;
    auto tpu = (*rt)->LoadModelFromBuffer(compiled->models.at(0).model, name);
    ASSERT_TRUE(tpu.ok()) << tpu.status().ToString();
    ASSERT_FALSE(tpu->edgetpu_ops().empty()) << name;
    const auto tpu_sigs = tpu->signatures();
    ASSERT_EQ(tpu_sigs.size(), 1u) << name;
    EXPECT_EQ(tpu_sigs[0].key, sigs[0].key);
    EXPECT_EQ(SignatureTensors(*tpu, tpu_sigs[0]), SignatureTensors(*cpu, sigs[0])) << name;

    for (size_t i = 0; i < sigs[0].inputs.size(); ++i) {
      auto a = cpu->mutable_tensor_data(sigs[0].inputs[i].tensor_index);
      auto b = tpu->mutable_tensor_data(tpu_sigs[0].inputs[i].tensor_index);
      ASSERT_EQ(a.size(), b.size());
      for (size_t k = 0; k < a.size(); ++k) a[k] = b[k] = static_cast<uint8_t>(k * 37 + i);
    }
    ASSERT_TRUE(cpu->Invoke().ok());
    ASSERT_TRUE(tpu->Invoke().ok());
    for (size_t i = 0; i < sigs[0].outputs.size(); ++i) {
      auto a = cpu->tensor_data(sigs[0].outputs[i].tensor_index);
      auto b = tpu->tensor_data(tpu_sigs[0].outputs[i].tensor_index);
      EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << name << " output " << sigs[0].outputs[i].name;
    }
  }
  // A model without SignatureDefs has none.
  auto plain = (*rt)->LoadModel(dir + "/models/mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->signatures().empty());
}

TEST(RuntimeTest, RuntimeVersionMessageIsTheRealOne) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  RuntimeOptions o;
  o.runtime_version = 10;
  auto rt = Runtime::Create(o);
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModel(path);
  ASSERT_FALSE(m.ok());
  const std::string s = m.status().ToString();
  EXPECT_EQ(s.rfind("Failed precondition: Package requires runtime version (", 0), 0u) << s;
  EXPECT_NE(s.find("), which is newer than this runtime version (10)."), std::string::npos) << s;
}

TEST(RuntimeTest, RejectsBadOptionsAndDevices) {
  EXPECT_FALSE(Runtime::Create({.num_devices = 0}).ok());
  EXPECT_FALSE(Runtime::Create({.host = "no-such-host"}).ok());
  auto rt = Runtime::Create({.num_devices = 2});
  ASSERT_TRUE(rt.ok());
  EXPECT_EQ((*rt)->num_devices(), 2);
  EXPECT_FALSE((*rt)->LoadModel("/nonexistent.tflite", 2).ok());
  EXPECT_EQ((*rt)->device_state(1).sram_bytes, 8 * 1024 * 1024);
}

}  // namespace
}  // namespace etpu

namespace etpu {
namespace {

// ModelOptions::max_tensor_bytes caps the tensors' memory before anything is allocated: a model
// loads with a cap of exactly what its tensors need, and is refused (ResourceExhausted, naming the
// option) one byte below; a negative cap is an argument error.
TEST(RuntimeTest, MaxTensorBytesRefusesAModelNeedingMore) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto rt = Runtime::Create();
  ASSERT_TRUE(rt.ok());
  auto bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  auto plain = (*rt)->LoadModelFromBuffer(*bytes, "m", 0, ModelOptions{});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  const int64_t need = plain->tensor_memory().own_bytes + plain->tensor_memory().arena_bytes;
  ASSERT_GT(need, 0);
  EXPECT_TRUE((*rt)->LoadModelFromBuffer(*bytes, "m", 0, ModelOptions{.max_tensor_bytes = need}).ok());
  auto refused = (*rt)->LoadModelFromBuffer(*bytes, "m", 0, ModelOptions{.max_tensor_bytes = need - 1});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("max_tensor_bytes"), std::string::npos) << refused.status().message();
  auto negative = (*rt)->LoadModelFromBuffer(*bytes, "m", 0, ModelOptions{.max_tensor_bytes = -1});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
}

// The intermediates share one arena (runtime/arena_plan.h): far less than a buffer each, with the
// same outputs as with every tensor kept (ModelOptions::preserve_all_tensors), on every shared CPU
// model with a random input. Whole-model oracle runs check the arena's outputs bit for bit too.
TEST(TensorArenaTest, IntermediatesShareBytesWithTheSameOutputs) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  auto rt = Runtime::Create();
  ASSERT_TRUE(rt.ok());
  int models = 0;
  for (const char* name : {"mobilenet_v2_1.0_224_quant", "deeplabv3_mnv2_dm05_pascal_quant", "mobilenet_v1_0.25_128_quant"}) {
    SCOPED_TRACE(name);
    auto bytes = base::ReadFile(dir + "/" + name + ".tflite");
    ASSERT_TRUE(bytes.ok());
    auto shared = (*rt)->LoadModelFromBuffer(*bytes, name, 0, ModelOptions{});
    auto apart = (*rt)->LoadModelFromBuffer(*bytes, name, 0, ModelOptions{.preserve_all_tensors = true});
    ASSERT_TRUE(shared.ok() && apart.ok());
    const TensorMemory s = shared->tensor_memory(), a = apart->tensor_memory();
    EXPECT_EQ(s.unshared_bytes, a.unshared_bytes);
    EXPECT_EQ(a.arena_bytes, 0);
    EXPECT_EQ(a.own_bytes, a.unshared_bytes);
    EXPECT_LT(s.own_bytes + s.arena_bytes, s.unshared_bytes / 3) << "the arena hardly shares";
    std::vector<uint8_t> in(static_cast<size_t>(shared->input(0).bytes));
    uint32_t x = 7;
    for (auto& b : in) b = static_cast<uint8_t>((x = x * 1103515245u + 12345u) >> 24);
    for (LoadedModel* m : {&*shared, &*apart}) {
      ASSERT_TRUE(m->SetInput(0, in).ok());
      ASSERT_TRUE(m->Invoke().ok());
    }
    for (int o = 0; o < shared->num_outputs(); ++o) {
      const auto p = shared->GetOutput(o), q = apart->GetOutput(o);
      EXPECT_TRUE(std::equal(p.begin(), p.end(), q.begin(), q.end())) << "output " << o;
    }
    ++models;
  }
  EXPECT_EQ(models, 3);
}

}  // namespace
}  // namespace etpu
