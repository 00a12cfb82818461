#include "package/custom_op_data.h"

#include <gtest/gtest.h>

#include <flatbuffers/flexbuffers.h>

namespace etpu::package {
namespace {

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

TEST(CustomOpData, RoundTripAllKeys) {
  CustomOpData d;
  d.version = 0;
  d.package = Bytes(10000, 3);
  d.execution_preference = 1;
  d.chip_ids = std::vector<int64_t>{18, kVirtualChipId};
  d.extra_packages = {Bytes(77, 9)};
  d.legacy_chip_name = "beagle";
  d.legacy_parameter_caching_executable = Bytes(33, 1);
  auto bytes = EncodeCustomOpData(d);
  auto r = DecodeCustomOpData(bytes, "op");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->package, d.package);
  EXPECT_TRUE(r->has_execution_preference);
  EXPECT_EQ(r->execution_preference, 1);
  EXPECT_EQ(r->chip_ids, d.chip_ids);
  EXPECT_EQ(r->extra_packages, d.extra_packages);
  EXPECT_EQ(r->legacy_chip_name, d.legacy_chip_name);
  EXPECT_EQ(r->legacy_parameter_caching_executable, d.legacy_parameter_caching_executable);
}

TEST(CustomOpData, EtpuDefaultsMatchTheRuntimeContract) {
  auto bytes = EncodeEtpuCustomOpData(Bytes(64, 0));
  // Read with the plain FlexBuffer API, as a runtime would.
  auto map = flexbuffers::GetRoot(bytes).AsMap();
  EXPECT_EQ(map["1"].AsInt64(), 0);
  EXPECT_TRUE(map["4"].IsString());
  EXPECT_EQ(map["4"].AsString().length(), 64u);
  EXPECT_EQ(map["5"].AsInt64(), -1);
  ASSERT_TRUE(map["6"].IsUntypedVector());
  ASSERT_EQ(map["6"].AsVector().size(), 1u);
  EXPECT_EQ(map["6"].AsVector()[0].AsInt64(), kVirtualChipId);
  EXPECT_EQ(map["7"].AsVector().size(), 0u);
  EXPECT_TRUE(map["3"].IsNull());
  EXPECT_TRUE(map["2"].IsNull());
}

TEST(CustomOpData, WrittenPackageEncodesAsItsBytesDo) {
  PackageSpec spec;
  spec.compiler_version = "etpu test";
  ExecutableSpec e;
  e.name = "model";
  e.parameters = Bytes(10000, 7);
  e.dma_hints = StandardDmaHints(e);
  spec.executables = {e};
  auto buffer = WritePackageBuffer(spec);
  ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
  const auto bytes = EncodeEtpuCustomOpData(*buffer);
  EXPECT_EQ(bytes, EncodeEtpuCustomOpData(buffer->bytes()));
  auto decoded = DecodeCustomOpData(bytes, "op");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->package, std::vector<uint8_t>(buffer->bytes().begin(), buffer->bytes().end()));
}

TEST(CustomOpData, MissingPackageIsAnError) {
  flexbuffers::Builder fbb;
  fbb.Map([&] { fbb.Int("1", 0); });
  fbb.Finish();
  auto r = DecodeCustomOpData(fbb.GetBuffer(), "op #3");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("key \"4\""), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("op #3"), std::string::npos);
}

TEST(CustomOpData, WrongTypesAreErrors) {
  {
    flexbuffers::Builder fbb;
    fbb.Map([&] { fbb.Int("4", 5); });
    fbb.Finish();
    EXPECT_FALSE(DecodeCustomOpData(fbb.GetBuffer(), "op").ok());
  }
  {
    flexbuffers::Builder fbb;
    fbb.Map([&] {
      fbb.String("4", "abc");
      fbb.String("1", "zero");
    });
    fbb.Finish();
    EXPECT_FALSE(DecodeCustomOpData(fbb.GetBuffer(), "op").ok());
  }
  {
    flexbuffers::Builder fbb;  // Chip ids that do not match the package count.
    fbb.Map([&] {
      fbb.String("4", "abc");
      fbb.Vector("6", [&] { fbb.Int(1); fbb.Int(2); });
    });
    fbb.Finish();
    EXPECT_FALSE(DecodeCustomOpData(fbb.GetBuffer(), "op").ok());
  }
  {
    flexbuffers::Builder fbb;  // Not a map.
    fbb.Vector([&] { fbb.Int(1); });
    fbb.Finish();
    EXPECT_FALSE(DecodeCustomOpData(fbb.GetBuffer(), "op").ok());
  }
}

TEST(CustomOpData, GarbageAndTruncationAreErrorsNotCrashes) {
  EXPECT_FALSE(DecodeCustomOpData({}, "op").ok());
  std::vector<uint8_t> junk = Bytes(100, 42);
  EXPECT_FALSE(DecodeCustomOpData(junk, "op").ok());
  auto good = EncodeEtpuCustomOpData(Bytes(300, 5));
  int ok_count = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = DecodeCustomOpData(std::span<const uint8_t>(good.data(), n), "op");
    ok_count += r.ok();
  }
  EXPECT_EQ(ok_count, 0) << "a truncated options map decoded successfully";
  // Every single-byte corruption: decodes or fails, never crashes; when it decodes, the package
  // has a sane size.
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xff}) {
      auto bad = good;
      bad[i] ^= x;
      auto r = DecodeCustomOpData(bad, "op");
      if (r.ok()) {
        EXPECT_LE(r->package.size(), bad.size());
      }
    }
  }
}

}  // namespace
}  // namespace etpu::package
