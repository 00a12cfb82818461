// include/etpu/zoo.h: the public zoo gives every model as TFLite bytes, deterministically.
#include <gtest/gtest.h>

#include <set>

#include "etpu/zoo.h"

namespace etpu {
namespace {

TEST(ZooApiTest, NamesAreDistinctAndModelsAreDeterministicTflite) {
  const std::vector<std::string> names = ZooModelNames();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  auto a = GenerateZooModel(names.front());
  auto b = GenerateZooModel(names.front());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_GT(a->size(), 8u);
  EXPECT_EQ(std::string(a->begin() + 4, a->begin() + 8), "TFL3");  // the TFLite file identifier
  EXPECT_EQ(*a, *b);
}

TEST(ZooApiTest, UnknownNameIsNotFound) {
  auto r = GenerateZooModel("no_such_net");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace etpu
