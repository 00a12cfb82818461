#include "base/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testutil/shared.h"

namespace etpu::base {
namespace {

TEST(FileIoTest, RoundTripAndErrors) {
  std::string dir = testutil::MakeTempDir("fileio");
  ASSERT_FALSE(dir.empty());
  std::string path = dir + "/x.bin";
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("hello")).ok());
  auto data = ReadFile(path);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(std::string(data->begin(), data->end()), "hello");
  // No temporary file remains beside the output.
  int count = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) { (void)e; ++count; }
  EXPECT_EQ(count, 1);

  auto missing = ReadFile(dir + "/nope.tflite");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.tflite"), std::string::npos);
  auto is_dir = ReadFile(dir);
  EXPECT_FALSE(is_dir.ok());
  EXPECT_NE(is_dir.status().message().find("is a directory"), std::string::npos);
  Status bad = WriteFileAtomic(dir + "/no/such/dir/out.tflite", std::string_view("x"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("Error opening file for writing"), std::string::npos);
}

}  // namespace
}  // namespace etpu::base
