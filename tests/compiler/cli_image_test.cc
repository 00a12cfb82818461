// Image inputs: runtime::DecodeImage / ConvertChannels (BMP 8/24/32-bit, PNG, JPEG, explicit
// channel conversions) and `etpu run --image` with every format, on images written here.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/cli_image_files.h"
#include "compiler/cli_tool.h"
#include "runtime/image_io.h"
#include "runtime/image_prep.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TestImage DropAlpha(const TestImage& t) {
  TestImage o{t.width, t.height, t.channels - 1, {}};
  for (size_t i = 0; i < t.pixels.size(); ++i) {
    if (static_cast<int>(i % static_cast<size_t>(t.channels)) != t.channels - 1) o.pixels.push_back(t.pixels[i]);
  }
  return o;
}

TEST(ImageIo, PngOfEveryChannelCountDecodesExactly) {
  for (int ch = 1; ch <= 4; ++ch) {
    TestImage t = Pattern(13, 7, ch);
    auto d = runtime::DecodeImage(EncodePng(t), "p.png");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->image.channels, ch);
    EXPECT_EQ(d->image.width, 13);
    EXPECT_EQ(d->image.height, 7);
    EXPECT_EQ(d->image.pixels, t.pixels) << ch;
    EXPECT_TRUE(Has(d->format, "PNG")) << d->format;
  }
}

TEST(ImageIo, BmpPathIsDecodeBmpBitForBit) {
  for (int ch : {3, 4}) {
    TestImage t = Pattern(9, 5, ch);
    const auto bytes = EncodeBmp(t);
    auto d = runtime::DecodeImage(bytes, "b.bmp");
    auto plain = runtime::DecodeBmp(bytes, "b.bmp");
    ASSERT_TRUE(d.ok() && plain.ok());
    EXPECT_EQ(d->image.pixels, plain->pixels);
    EXPECT_EQ(d->image.pixels, t.pixels);
    EXPECT_EQ(d->format, std::to_string(8 * ch) + "-bit BMP");
  }
}

TEST(ImageIo, EightBitBmpGreyRampStaysGreyColourPaletteIsLookedUp) {
  const int w = 6, h = 4;
  std::vector<uint8_t> idx(w * h);
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<uint8_t>(i * 9);
  std::vector<uint8_t> ramp(256 * 3);
  for (int i = 0; i < 256; ++i) ramp[3 * i] = ramp[3 * i + 1] = ramp[3 * i + 2] = static_cast<uint8_t>(i);
  auto grey = runtime::DecodeImage(EncodeBmp8(w, h, idx, ramp), "g.bmp");
  ASSERT_TRUE(grey.ok()) << grey.status().ToString();
  EXPECT_EQ(grey->image.channels, 1);
  EXPECT_EQ(grey->image.pixels, idx);

  std::vector<uint8_t> colours(256 * 3);
  for (size_t i = 0; i < colours.size(); ++i) colours[i] = static_cast<uint8_t>(i * 7 + 3);
  auto colour = runtime::DecodeImage(EncodeBmp8(w, h, idx, colours), "c.bmp");
  ASSERT_TRUE(colour.ok()) << colour.status().ToString();
  ASSERT_EQ(colour->image.channels, 3);
  for (size_t i = 0; i < idx.size(); ++i) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(colour->image.pixels[3 * i + c], colours[3 * idx[i] + c]);
  }
  std::vector<uint8_t> small_palette(4 * 3, 0);  // Index 9 and up lie beyond 4 entries.
  EXPECT_FALSE(runtime::DecodeImage(EncodeBmp8(w, h, idx, small_palette), "short.bmp").ok());
}

TEST(ImageIo, JpegDecodesCloseToTheSource) {
  for (int ch : {1, 3}) {
    TestImage t{16, 16, ch, {}};
    for (int i = 0; i < 16 * 16 * ch; ++i) t.pixels.push_back(static_cast<uint8_t>(40 + (i / ch) % 16 * 8));
    auto d = runtime::DecodeImage(EncodeJpeg(t, 100), "j.jpg");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_EQ(d->image.channels, ch);
    ASSERT_EQ(d->image.pixels.size(), t.pixels.size());
    int worst = 0;
    for (size_t i = 0; i < t.pixels.size(); ++i) worst = std::max(worst, std::abs(d->image.pixels[i] - t.pixels[i]));
    EXPECT_LE(worst, 4);
  }
}

TEST(ImageIo, BrokenAndUnknownFilesAreErrorsNamingTheFile) {
  auto png = EncodePng(Pattern(8, 8, 3));
  png.resize(png.size() / 2);
  auto p = runtime::DecodeImage(png, "half.png");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(Has(p.status().ToString(), "half.png"));
  auto jpg = EncodeJpeg(Pattern(8, 8, 3), 90);
  jpg.resize(jpg.size() / 2);
  auto j = runtime::DecodeImage(jpg, "half.jpg");
  // A truncated JPEG may decode with grey filling (libjpeg warns), but must not crash or print.
  if (!j.ok()) {
    EXPECT_TRUE(Has(j.status().ToString(), "half.jpg"));
  }
  std::vector<uint8_t> jpg_header = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16};
  EXPECT_FALSE(runtime::DecodeImage(jpg_header, "tiny.jpg").ok());
  const std::string gif = "GIF89a....";
  auto g = runtime::DecodeImage(std::vector<uint8_t>(gif.begin(), gif.end()), "anim.gif");
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(Has(g.status().ToString(), "anim.gif"));
  EXPECT_TRUE(Has(g.status().ToString(), "PNG")) << g.status().ToString();
  EXPECT_TRUE(Has(g.status().ToString(), "JPEG"));
  EXPECT_TRUE(Has(g.status().ToString(), "BMP"));
}

TEST(ImageIo, ChannelConversionsAreExplicit) {
  const TestImage rgba = Pattern(5, 3, 4);
  runtime::Image in{rgba.height, rgba.width, 4, rgba.pixels};
  auto rgb = runtime::ConvertChannels(in, 3);
  ASSERT_TRUE(rgb.ok());
  EXPECT_EQ(rgb->image.pixels, DropAlpha(rgba).pixels);
  EXPECT_TRUE(Has(rgb->conversion, "alpha dropped")) << rgb->conversion;

  auto grey = runtime::ConvertChannels(in, 1);
  ASSERT_TRUE(grey.ok());
  EXPECT_TRUE(Has(grey->conversion, "0.299 R + 0.587 G + 0.114 B")) << grey->conversion;
  for (size_t i = 0; i < grey->image.pixels.size(); ++i) {
    const double y = 0.299 * rgba.pixels[4 * i] + 0.587 * rgba.pixels[4 * i + 1] + 0.114 * rgba.pixels[4 * i + 2];
    if (std::abs(y - std::floor(y) - 0.5) < 0.01) continue;  // Too close to a tie to tell.
    EXPECT_EQ(grey->image.pixels[i], static_cast<uint8_t>(std::lround(y))) << i;
  }

  runtime::Image g{2, 2, 1, {0, 50, 100, 255}};
  auto expanded = runtime::ConvertChannels(g, 3);
  ASSERT_TRUE(expanded.ok());
  EXPECT_EQ(expanded->image.pixels, (std::vector<uint8_t>{0, 0, 0, 50, 50, 50, 100, 100, 100, 255, 255, 255}));
  EXPECT_TRUE(Has(expanded->conversion, "grey copied to R, G and B")) << expanded->conversion;
  auto same = runtime::ConvertChannels(g, 1);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->conversion, "");
  EXPECT_FALSE(runtime::ConvertChannels(g, 2).ok());
}

// --- etpu run --image ---------------------------------------------------------------------

class EtpuRunImage : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testutil::MakeTempDir("etpu-image"); }
  std::string Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    WriteBytes(dir_ + "/" + name, std::vector<unsigned char>(bytes.begin(), bytes.end()));
    return dir_ + "/" + name;
  }
  // Runs `model` on `image`; returns the dumped output bytes (empty on failure) and stderr.
  std::string Output(const std::string& model, const std::string& image, std::string* err) {
    const std::string out = dir_ + "/out-" + std::to_string(runs_++);
    ToolRun r = RunEtpu({"run", model, "--image", image, "--dump", out});
    *err = r.err;
    EXPECT_EQ(r.exit_code, 0) << image << ": " << r.err;
    return ReadText(out + "/out0.bin");
  }
  std::string dir_;
  int runs_ = 0;
};

TEST_F(EtpuRunImage, EveryFormatOfTheSameRgbImageGivesTheSameOutput) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/color_red_64x64.tflite");  // 1x64x64x3 uint8.
  const TestImage rgba = Pattern(80, 48, 4);  // Not 64x64: the resize runs too.
  const TestImage rgb = DropAlpha(rgba);
  std::string err;
  const std::string reference = Output(model, Write("rgb24.bmp", EncodeBmp(rgb)), &err);
  ASSERT_FALSE(reference.empty());
  EXPECT_EQ(err, "");  // Nothing converted.
  EXPECT_EQ(Output(model, Write("rgb.png", EncodePng(rgb)), &err), reference);
  EXPECT_EQ(err, "");
  EXPECT_EQ(Output(model, Write("rgba.png", EncodePng(rgba)), &err), reference);
  EXPECT_TRUE(Has(err, "RGBA -> RGB (alpha dropped)")) << err;
  EXPECT_EQ(Output(model, Write("rgba32.bmp", EncodeBmp(rgba)), &err), reference);
  EXPECT_TRUE(Has(err, "32-bit BMP")) << err;
  EXPECT_TRUE(Has(err, "alpha dropped")) << err;
  // An 8-bit BMP with a colour palette: the same colours through the palette.
  std::vector<uint8_t> palette(256 * 3), indices(80 * 48);
  for (size_t i = 0; i < palette.size(); ++i) palette[i] = static_cast<uint8_t>(i * 13 + 5);
  TestImage looked_up{80, 48, 3, {}};
  for (size_t i = 0; i < indices.size(); ++i) {
    indices[i] = static_cast<uint8_t>(i * 7 % 256);
    for (int c = 0; c < 3; ++c) looked_up.pixels.push_back(palette[3 * indices[i] + c]);
  }
  const std::string pal_ref = Output(model, Write("lookup24.bmp", EncodeBmp(looked_up)), &err);
  EXPECT_EQ(Output(model, Write("pal8.bmp", EncodeBmp8(80, 48, indices, palette)), &err), pal_ref);
  EXPECT_EQ(err, "");
  // JPEG: lossy, so only that it runs.
  EXPECT_FALSE(Output(model, Write("rgb.jpg", EncodeJpeg(rgb, 95)), &err).empty());
}

TEST_F(EtpuRunImage, GreyImagesAreExpandedForRgbModels) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/color_red_64x64.tflite");
  const TestImage grey = Pattern(64, 64, 1);
  TestImage rgb{64, 64, 3, {}};
  for (uint8_t v : grey.pixels) rgb.pixels.insert(rgb.pixels.end(), {v, v, v});
  std::string err;
  const std::string reference = Output(model, Write("rgb.bmp", EncodeBmp(rgb)), &err);
  EXPECT_EQ(Output(model, Write("grey.png", EncodePng(grey)), &err), reference);
  EXPECT_TRUE(Has(err, "grey -> RGB (grey copied to R, G and B)")) << err;
}

TEST_F(EtpuRunImage, RgbImagesBecomeGreyForOneChannelModelsAndSaySo) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/gabor_64x64_p4.tflite");  // 1x64x64x1 uint8.
  const TestImage rgb = Pattern(64, 64, 3);
  runtime::Image in{64, 64, 3, rgb.pixels};
  auto grey = runtime::ConvertChannels(in, 1);
  ASSERT_TRUE(grey.ok());
  std::string err;
  const std::string reference =
      Output(model, Write("grey.png", EncodePng(TestImage{64, 64, 1, grey->image.pixels})), &err);
  EXPECT_EQ(err, "");
  EXPECT_EQ(Output(model, Write("rgb.png", EncodePng(rgb)), &err), reference);
  EXPECT_TRUE(Has(err, "RGB -> grey")) << err;
  EXPECT_TRUE(Has(err, "BT.601")) << err;
}

TEST_F(EtpuRunImage, UnknownFormatNamesTheFileAndTheFormats) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/color_red_64x64.tflite");
  const std::string gif = Write("anim.gif", std::vector<uint8_t>{'G', 'I', 'F', '8', '9', 'a', 0, 0});
  ToolRun r = RunEtpu({"run", model, "--image", gif});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "anim.gif")) << r.err;
  EXPECT_TRUE(Has(r.err, "BMP")) << r.err;
  EXPECT_TRUE(Has(r.err, "PNG")) << r.err;
  EXPECT_TRUE(Has(r.err, "JPEG")) << r.err;
}

}  // namespace
}  // namespace etpu::testing
