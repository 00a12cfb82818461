#include "device/device_catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/file_io.h"

namespace etpu::device {
namespace {

using Json = nlohmann::json;

Json BuiltinJson() { return Json::parse(BuiltinDeviceCatalogJson()); }

Status ParseMutated(const Json& j) { return ParseDeviceCatalog(j.dump(), "test.json").status(); }

void ExpectError(const Status& s, std::initializer_list<const char*> fragments) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  for (const char* f : fragments) EXPECT_NE(s.message().find(f), std::string::npos) << s.message() << " lacks " << f;
}

TEST(DeviceCatalogTest, BuiltinParsesWithDocumentedChip) {
  Result<DeviceCatalog> c = BuiltinDeviceCatalog();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<DeviceSpec> chip = c->Chip("edgetpu");
  ASSERT_TRUE(chip.ok());
  EXPECT_EQ(chip->sram_bytes, 8 * 1024 * 1024);
  EXPECT_EQ(chip->tiles, 16);
  EXPECT_EQ(chip->narrow_memory_bytes_per_tile, 192 * 1024);
  EXPECT_EQ(chip->max_clock_hz, 500e6);
  EXPECT_EQ(chip->std_clock_hz, 250e6);
  EXPECT_LT(chip->executable_reserve_bytes + chip->activation_staging_bytes, chip->sram_bytes);
  EXPECT_EQ(&c->DefaultChip(), c->FindChip("edgetpu"));
}

TEST(DeviceCatalogTest, BuiltinHasEveryRequestedHostProfile) {
  Result<DeviceCatalog> c = BuiltinDeviceCatalog();
  ASSERT_TRUE(c.ok());
  const struct {
    const char* name;
    LinkKind link;
  } expected[] = {{"usb3", LinkKind::kUsb3},          {"usb2", LinkKind::kUsb2},
                  {"pcie", LinkKind::kPcie},          {"jetson-nano-usb3", LinkKind::kUsb3},
                  {"rpi4-usb3", LinkKind::kUsb3},     {"rpi3-usb2", LinkKind::kUsb2}};
  for (const auto& e : expected) {
    const HostProfile* h = c->FindHost(e.name);
    ASSERT_NE(h, nullptr) << e.name;
    EXPECT_EQ(h->link, e.link) << e.name;
    EXPECT_GT(h->h2d_bytes_per_s, 0);
    EXPECT_GT(h->d2h_bytes_per_s, 0);
  }
  EXPECT_EQ(c->FindHost("jetson-nano-usb3")->default_clock, Clock::kStd);  // the seed used libedgetpu1-std
  // A slower link is slower: USB 2 well below USB 3, RPi4's bridged USB 3 below a desktop's.
  EXPECT_LT(c->FindHost("usb2")->h2d_bytes_per_s, c->FindHost("usb3")->h2d_bytes_per_s / 5);
  EXPECT_LT(c->FindHost("rpi4-usb3")->h2d_bytes_per_s, c->FindHost("usb3")->h2d_bytes_per_s);
  Result<HostProfile> missing = c->Host("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("rpi3-usb2"), std::string::npos);  // lists the known names
}

TEST(DeviceCatalogTest, EveryConstantHasASource) {
  Result<DeviceCatalog> c = BuiltinDeviceCatalog();
  ASSERT_TRUE(c.ok());
  for (const DeviceSpec& chip : c->chips) {
    EXPECT_EQ(chip.sources.size(), 16u);
    for (const auto& [key, src] : chip.sources) EXPECT_GT(src.source.size(), 10u) << key;
    EXPECT_EQ(chip.sources.at("eta").basis, Basis::kFitted);
    EXPECT_EQ(chip.sources.at("tiles").basis, Basis::kPublished);
  }
  for (const HostProfile& h : c->hosts) {
    EXPECT_EQ(h.sources.size(), 5u) << h.name;
    for (const auto& [key, src] : h.sources) EXPECT_FALSE(src.source.empty()) << h.name << " " << key;
  }
}

TEST(DeviceCatalogTest, BuiltinCopyEqualsTheSourceFile) {
  const std::string path = std::string(ETPU_SOURCE_DIR) + "/devices/devices.json";
  Result<std::vector<uint8_t>> bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), std::string(BuiltinDeviceCatalogJson()));
  Result<DeviceCatalog> loaded = LoadDeviceCatalog(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->hosts.size(), 6u);
}

TEST(DeviceCatalogTest, MissingFileIsAnError) {
  EXPECT_FALSE(LoadDeviceCatalog("/nonexistent/devices.json").ok());
  EXPECT_FALSE(LoadDeviceCatalogOrBuiltin("/nonexistent/devices.json").ok());
  EXPECT_TRUE(LoadDeviceCatalogOrBuiltin("").ok());
}

TEST(DeviceCatalogTest, ParseClock) {
  EXPECT_EQ(*ParseClock("max"), Clock::kMax);
  EXPECT_EQ(*ParseClock("std"), Clock::kStd);
  Result<Clock> bad = ParseClock("turbo");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("turbo"), std::string::npos);
}

TEST(DeviceCatalogTest, MissingConstantNamesTheField) {
  Json j = BuiltinJson();
  j["chips"][0]["constants"].erase("eta");
  ExpectError(ParseMutated(j), {"test.json", "chips[0] 'edgetpu'", "missing constant 'eta'"});
}

TEST(DeviceCatalogTest, MissingValueNamesTheField) {
  Json j = BuiltinJson();
  j["hosts"][2]["constants"]["fixed_ms"].erase("value");
  ExpectError(ParseMutated(j), {"hosts[2] 'pcie'", "constant 'fixed_ms'", "missing field 'value'"});
}

TEST(DeviceCatalogTest, BadNumbersNameTheField) {
  Json j = BuiltinJson();
  j["chips"][0]["constants"]["eta"]["value"] = "abc";
  ExpectError(ParseMutated(j), {"constant 'eta'", "must be a number", "\"abc\""});
  j = BuiltinJson();
  j["chips"][0]["constants"]["eta"]["value"] = 1.5;  // utilisation above 1
  ExpectError(ParseMutated(j), {"constant 'eta'", "out of range"});
  j = BuiltinJson();
  j["hosts"][0]["constants"]["h2d_bytes_per_s"]["value"] = -5;
  ExpectError(ParseMutated(j), {"hosts[0] 'usb3'", "h2d_bytes_per_s", "out of range"});
  j = BuiltinJson();
  j["chips"][0]["constants"]["tiles"]["value"] = 16.5;
  ExpectError(ParseMutated(j), {"constant 'tiles'", "must be an integer"});
}

TEST(DeviceCatalogTest, StructuralErrors) {
  Json j = BuiltinJson();
  j["chips"][0]["constants"]["etta"] = j["chips"][0]["constants"]["eta"];
  ExpectError(ParseMutated(j), {"unknown constant 'etta'"});
  j = BuiltinJson();
  j["hosts"][1]["link"] = "thunderbolt";
  ExpectError(ParseMutated(j), {"hosts[1] 'usb2'", "'link'", "thunderbolt"});
  j = BuiltinJson();
  j["hosts"][1]["default_clock"] = "turbo";
  ExpectError(ParseMutated(j), {"'default_clock'", "turbo"});
  j = BuiltinJson();
  j["hosts"][0]["constants"]["d2h_bytes_per_s"]["basis"] = "guessed";
  ExpectError(ParseMutated(j), {"constant 'd2h_bytes_per_s'", "'basis'", "guessed"});
  j = BuiltinJson();
  j["hosts"][0]["constants"]["d2h_bytes_per_s"].erase("source");
  ExpectError(ParseMutated(j), {"constant 'd2h_bytes_per_s'", "missing field 'source'"});
  j = BuiltinJson();
  j["hosts"][3]["name"] = "usb3";
  ExpectError(ParseMutated(j), {"hosts[3]", "duplicate name 'usb3'"});
  j = BuiltinJson();
  j["chips"][0]["constants"]["std_clock_hz"]["value"] = 6e8;
  ExpectError(ParseMutated(j), {"std_clock_hz", "exceeds max_clock_hz"});
  j = BuiltinJson();
  j.erase("hosts");
  ExpectError(ParseMutated(j), {"missing field 'hosts'"});
  j = BuiltinJson();
  j["version"] = 2;
  ExpectError(ParseMutated(j), {"'version'"});
  ExpectError(ParseDeviceCatalog("{\"format\": ", "cut.json").status(), {"cut.json", "not valid JSON"});
  ExpectError(ParseDeviceCatalog("[]", "arr.json").status(), {"top level"});
}

}  // namespace
}  // namespace etpu::device
