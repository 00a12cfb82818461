#include "base/hash.h"

#include <gtest/gtest.h>

namespace etpu::base {
namespace {

TEST(HasherTest, DeterministicAndSensitive) {
  uint64_t a = Hasher().Add("model").Add(uint64_t{1}).Digest();
  uint64_t b = Hasher().Add("model").Add(uint64_t{1}).Digest();
  uint64_t c = Hasher().Add("model").Add(uint64_t{2}).Digest();
  uint64_t d = Hasher().Add("modem").Add(uint64_t{1}).Digest();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_NE(Hasher().Digest(), 0u);
}

}  // namespace
}  // namespace etpu::base
