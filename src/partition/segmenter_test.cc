#include "partition/segmenter.h"

#include <gtest/gtest.h>

#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::partition {
namespace {

ir::Model Chain(int n) {
  tflite::ModelBuilder b;
  std::vector<int> t;
  for (int i = 0; i <= n; ++i) {
    t.push_back(b.AddTensor("t" + std::to_string(i), ir::TensorType::UINT8, {1, 4}, tflite::Quant(1.0f, 0)));
  }
  for (int i = 0; i < n; ++i) b.AddOperator(ir::BuiltinOperator::RELU, {t[i]}, {t[i + 1]});
  b.SetInputs({t[0]});
  b.SetOutputs({t[n]});
  auto bytes = b.Serialize();
  return std::move(tflite::ReadModelFromBuffer(bytes, "chain.tflite")).value();
}

TEST(SegmenterTest, BalancesParameterBytes) {
  ir::Model m = Chain(6);
  auto s = SegmentByParameters(m, {100, 100, 100, 100, 100, 100}, 2);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0], (std::vector<int>{0, 1, 2}));
  EXPECT_EQ((*s)[1], (std::vector<int>{3, 4, 5}));
  s = SegmentByParameters(m, {500, 10, 10, 10, 10, 500}, 3);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0], std::vector<int>{0});
  EXPECT_EQ((*s)[1], (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ((*s)[2], std::vector<int>{5});
}

TEST(SegmenterTest, EverySegmentKeepsAnOperatorAndAllOperatorsAreCovered) {
  ir::Model m = Chain(5);
  for (int n = 1; n <= 5; ++n) {
    auto s = SegmentByParameters(m, {0, 0, 0, 0, 1000}, n);
    ASSERT_TRUE(s.ok()) << n;
    ASSERT_EQ(static_cast<int>(s->size()), n);
    int covered = 0;
    for (const auto& seg : *s) {
      EXPECT_FALSE(seg.empty());
      covered += static_cast<int>(seg.size());
    }
    EXPECT_EQ(covered, 5);
  }
  EXPECT_FALSE(SegmentByParameters(m, {1, 1, 1, 1, 1}, 6).ok());
  EXPECT_FALSE(SegmentByParameters(m, {1, 1, 1, 1, 1}, 0).ok());
}

}  // namespace
}  // namespace etpu::partition
