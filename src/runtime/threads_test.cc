// RuntimeOptions::num_threads (and LoadModel's per-model count): every tensor of a real model holds the same bytes for 1, 2 and 3
// threads, and the same as the reference kernels (fast paths off, so nothing packed); a pack
// built at load time for one instruction set still gives those bytes when the active one changes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "etpu/runtime.h"
#include "kernels/dispatch.h"
#include "testutil/shared.h"

namespace etpu {
namespace {

using Tensors = std::vector<std::vector<uint8_t>>;

// Loads `path` with `threads`, runs it on a seeded pseudo-random input and returns every tensor.
// With `per_model`, the runtime keeps its default and the model is loaded with `threads`.
Tensors RunAll(const std::string& path, int threads, kernels::FastIsa run_isa = kernels::DetectedFastIsa(),
               bool per_model = false) {
  RuntimeOptions o;
  if (!per_model) o.num_threads = threads;
  auto rt = Runtime::Create(o);
  EXPECT_TRUE(rt.ok()) << rt.status().ToString();
  if (!rt.ok()) return {};
  // Every tensor its own storage, so that the intermediates are compared too.
  auto bytes = base::ReadFile(path);
  EXPECT_TRUE(bytes.ok());
  if (!bytes.ok()) return {};
  auto m = (*rt)->LoadModelFromBuffer(*bytes, path, 0,
                                      ModelOptions{.num_threads = per_model ? threads : 0, .preserve_all_tensors = true});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return {};
  std::mt19937 rng(5);
  std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes));
  for (auto& b : in) b = static_cast<uint8_t>(rng());
  EXPECT_TRUE(m->SetInput(0, in).ok());
  const kernels::FastIsa before = kernels::SetFastIsaCap(run_isa);
  EXPECT_TRUE(m->Invoke().ok());
  kernels::SetFastIsaCap(before);
  Tensors all;
  for (int t = 0; t < m->num_tensors(); ++t) {
    auto d = m->tensor_data(t);
    all.emplace_back(d.begin(), d.end());
  }
  return all;
}

TEST(RuntimeThreads, EveryTensorIsTheSameForAnyThreadCountAndAsTheReference) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  for (const char* name : {"mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant"}) {
    SCOPED_TRACE(name);
    const std::string path = dir + "/" + name + ".tflite";
    const bool before = kernels::SetFastKernelsEnabled(false);
    const Tensors reference = RunAll(path, 1);
    kernels::SetFastKernelsEnabled(before);
    ASSERT_FALSE(reference.empty());
    for (int threads : {1, 2, 3}) {
      const Tensors got = RunAll(path, threads);
      ASSERT_EQ(got.size(), reference.size());
      for (size_t t = 0; t < got.size(); ++t) ASSERT_EQ(got[t], reference[t]) << "tensor " << t << ", " << threads << " threads";
    }
    if (kernels::DetectedFastIsa() == kernels::FastIsa::kAvx512Vnni) {
      // Packed for AVX512-VNNI at load time, run on the AVX2 paths: the packs are not used.
      EXPECT_EQ(RunAll(path, 2, kernels::FastIsa::kAvx2), reference);
    }
  }
}

// LoadModel's own thread count (TFLite's interpreters take theirs per model) overrides the
// runtime's, with the same bytes.
TEST(RuntimeThreads, APerModelCountGivesTheSameBytes) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  const std::string path = dir + "/mobilenet_v1_0.25_128_quant.tflite";
  const Tensors one = RunAll(path, 1);
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(RunAll(path, 3, kernels::DetectedFastIsa(), /*per_model=*/true), one);
  auto rt = Runtime::Create();
  ASSERT_TRUE(rt.ok());
  for (int threads : {-1, 257}) {
    auto m = (*rt)->LoadModel(path, 0, threads);
    ASSERT_FALSE(m.ok()) << threads;
    EXPECT_NE(m.status().ToString().find("num_threads"), std::string::npos) << m.status().ToString();
  }
}

TEST(RuntimeThreads, OutOfRangeCountsAreRefused) {
  for (int threads : {0, -1, 257}) {
    RuntimeOptions o;
    o.num_threads = threads;
    auto rt = Runtime::Create(o);
    ASSERT_FALSE(rt.ok()) << threads;
    EXPECT_NE(rt.status().ToString().find("num_threads"), std::string::npos) << rt.status().ToString();
  }
}

}  // namespace
}  // namespace etpu
