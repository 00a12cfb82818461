#include "cache/caching_token.h"

#include <gtest/gtest.h>

#include "cache/capacity_model.h"
#include "cache/test_models.h"

namespace etpu::cache {
namespace {

PlanModel Built(const ir::Model& m) {
  auto pm = testing::PlanModelOf(m, m.path, {}, testing::BuiltinCapacity());
  EXPECT_TRUE(pm.ok()) << pm.status().ToString();
  return *pm;
}

TEST(CachingToken, DependsOnContentAndOrderNotOnNames) {
  const ir::Model a = testing::ConvChain("a.tflite", 8, 8, 16, {32, 32});
  const ir::Model a_renamed = testing::ConvChain("elsewhere/a_copy.tflite", 8, 8, 16, {32, 32});
  const ir::Model b = testing::ConvChain("b.tflite", 8, 8, 16, {32, 48});
  const PlanModel pa = Built(a), pa2 = Built(a_renamed), pb = Built(b);
  EXPECT_EQ(pa.content_digest, pa2.content_digest);
  EXPECT_NE(pa.content_digest, pb.content_digest);

  const PlanModel ab[] = {pa, pb}, ba[] = {pb, pa}, a2b[] = {pa2, pb};
  const uint64_t t_ab = MakeCachingToken(ab, "greedy-in-order");
  EXPECT_NE(t_ab, 0u);
  EXPECT_EQ(t_ab, MakeCachingToken(a2b, "greedy-in-order"));
  EXPECT_NE(t_ab, MakeCachingToken(ba, "greedy-in-order")) << "set order is part of the token";
  EXPECT_NE(t_ab, MakeCachingToken(ab, "other-policy"));
  const PlanModel just_a[] = {pa};
  EXPECT_NE(t_ab, MakeCachingToken(just_a, "greedy-in-order"));
}

TEST(CachingToken, ConstantBytesChangeTheDigest) {
  ir::Model a = testing::ConvChain("a.tflite", 8, 8, 16, {32});
  const uint64_t before = ModelContentDigest(a);
  // Same structure, one weight byte different.
  // The bytes live in the model's own (opaque) flatbuffer tree; the test changes one in place.
  const ir::Tensor& weights = a.tensors[static_cast<size_t>(a.ops[0].inputs[1])];
  const_cast<uint8_t*>(weights.data.data())[5] ^= 1;
  EXPECT_NE(before, ModelContentDigest(a));
}

TEST(CachingToken, RandomOptionGivesNonZeroVaryingTokens) {
  const PlanModel empty[] = {PlanModel{}};
  TokenOptions opts;
  opts.random = true;
  const uint64_t t1 = MakeCachingToken(empty, "greedy-in-order", opts);
  const uint64_t t2 = MakeCachingToken(empty, "greedy-in-order", opts);
  EXPECT_NE(t1, 0u);
  EXPECT_NE(t2, 0u);
  EXPECT_NE(t1, t2);
}

}  // namespace
}  // namespace etpu::cache
