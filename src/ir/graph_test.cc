#include "ir/graph.h"

#include <gtest/gtest.h>

namespace etpu::ir {
namespace {

TEST(GraphTest, NamesAndSizes) {
  EXPECT_EQ(BuiltinName(BuiltinOperator::CONV_2D), "CONV_2D");
  EXPECT_EQ(BuiltinName(BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM), "UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(BuiltinName(BuiltinOperator::CUSTOM), "CUSTOM");
  EXPECT_EQ(ElementSize(TensorType::INT16), 2);
  EXPECT_EQ(ElementSize(TensorType::STRING), 0);
  Tensor t;
  t.type = TensorType::INT32;
  t.shape = {2, 3, 4};
  EXPECT_EQ(t.num_elements(), 24);
  EXPECT_EQ(t.size_bytes(), 96);
  t.shape_signature = {-1, 3, 4};
  EXPECT_TRUE(t.is_dynamic());
}

TEST(GraphTest, ValuesOutsideTheEnumsHaveNoName) {
  EXPECT_STREQ(EnumName(static_cast<BuiltinOperator>(300)), "");
  EXPECT_EQ(BuiltinName(static_cast<BuiltinOperator>(300)), "BUILTIN_300");
  EXPECT_STREQ(TensorTypeName(static_cast<TensorType>(99)), "UNKNOWN");
  EXPECT_STREQ(EnumName(ActivationFunctionType::RELU6), "RELU6");
  EXPECT_EQ(AllBuiltinOperators().size(), 162u);
}

}  // namespace
}  // namespace etpu::ir
