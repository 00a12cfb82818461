#include "runtime/labels.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/shared.h"

namespace etpu::runtime {
namespace {

TEST(Labels, CoralIdLabelLines) {
  // As Coral's label files write them: id, whitespace (or ':'), label; ids need not be dense.
  const LabelMap m = ParseLabels("0  background\n283  tiger cat\n7:\tcock\r\n12 : hen \n");
  EXPECT_EQ(m, (LabelMap{{0, "background"}, {283, "tiger cat"}, {7, "cock"}, {12, "hen"}}));
}

TEST(Labels, PlainLinesAreLabelsOfTheirLineIndex) {
  const LabelMap m = ParseLabels("background\ntench, Tinca tinca\n\n3D printer\n42\n");
  EXPECT_EQ(m, (LabelMap{{0, "background"}, {1, "tench, Tinca tinca"}, {2, ""}, {3, "3D printer"}, {4, "42"}}));
}

TEST(Labels, FormsMixPerLineAsInPycoral) {
  const LabelMap m = ParseLabels("5 five\nzero-th line is not this one\n");
  EXPECT_EQ(m, (LabelMap{{5, "five"}, {1, "zero-th line is not this one"}}));
  EXPECT_TRUE(ParseLabels("").empty());
  EXPECT_EQ(ParseLabels("last line without newline"), (LabelMap{{0, "last line without newline"}}));
  // Too long to be an id: a plain label.
  EXPECT_EQ(ParseLabels("1234567890123456789 x"), (LabelMap{{0, "1234567890123456789 x"}}));
}

TEST(Labels, ReadsFilesAndNamesMissingOnes) {
  const std::string dir = testutil::MakeTempDir("labels");
  std::ofstream(dir + "/l.txt") << "1 one\n2 two\n";
  auto m = ReadLabelFile(dir + "/l.txt");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, (LabelMap{{1, "one"}, {2, "two"}}));
  auto missing = ReadLabelFile(dir + "/none.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().ToString().find("none.txt"), std::string::npos);
}

}  // namespace
}  // namespace etpu::runtime
