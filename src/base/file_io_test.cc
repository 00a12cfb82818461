#include "base/file_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

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

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(FileIoTest, WriteFilesAtomicWritesAll) {
  std::string dir = testutil::MakeTempDir("fileio_all");
  const std::string a = "aaa", b = "bb";
  std::vector<FileToWrite> files = {{dir + "/a.tflite", {reinterpret_cast<const uint8_t*>(a.data()), a.size()}},
                                    {dir + "/a.log", {reinterpret_cast<const uint8_t*>(b.data()), b.size()}}};
  ASSERT_TRUE(WriteFilesAtomic(files).ok());
  EXPECT_EQ(Entries(dir), (std::vector<std::string>{"a.log", "a.tflite"}));
  auto back = ReadFile(dir + "/a.log");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string(back->begin(), back->end()), "bb");
}

TEST(FileIoTest, WriteFilesAtomicLeavesNothingWhenOneCannotBeWritten) {
  std::string dir = testutil::MakeTempDir("fileio_none");
  // An older output that must survive, and a directory where the second file should go.
  ASSERT_TRUE(WriteFileAtomic(dir + "/m.tflite", std::string_view("old")).ok());
  std::filesystem::create_directory(dir + "/m.log");
  const std::string a = "new", b = "log";
  std::vector<FileToWrite> files = {{dir + "/m.tflite", {reinterpret_cast<const uint8_t*>(a.data()), a.size()}},
                                    {dir + "/m.log", {reinterpret_cast<const uint8_t*>(b.data()), b.size()}},
                                    {dir + "/n.tflite", {reinterpret_cast<const uint8_t*>(a.data()), a.size()}}};
  Status s = WriteFilesAtomic(files);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("m.log"), std::string::npos) << s.message();
  EXPECT_EQ(Entries(dir), (std::vector<std::string>{"m.log", "m.tflite"}));
  auto old = ReadFile(dir + "/m.tflite");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(std::string(old->begin(), old->end()), "old");
  // A missing folder for the last file: the first two are not written either.
  std::vector<FileToWrite> bad = {files[0], {dir + "/no/such/x.log", files[1].bytes}};
  EXPECT_FALSE(WriteFilesAtomic(bad).ok());
  EXPECT_EQ(Entries(dir), (std::vector<std::string>{"m.log", "m.tflite"}));
}

}  // namespace
}  // namespace etpu::base
