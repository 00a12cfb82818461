// Property tests of the conv / depthwise layout: Decode inverts Encode exactly, sizes follow the
// published formula, and every padding byte is checked by Decode.
#include "params/conv_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "base/units.h"

namespace etpu::params {
namespace {

using base::RoundUp;

struct Case {
  ConvGeometry g;
  std::vector<uint8_t> weights;
  std::vector<int32_t> bias;
  std::vector<float> scales;
};

Case RandomCase(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Case c;
  c.g.depthwise = pick(0, 2) == 0;
  c.g.int8 = pick(0, 1) == 1;
  c.g.per_channel = c.g.int8 && pick(0, 1) == 1;
  // Output counts around the 4/16/64 boundaries are the interesting ones.
  const int o_choices[] = {1, 2, 3, 4, 5, 15, 16, 17, 31, 63, 64, 65, 96, 127, 128, 130, 200};
  c.g.out_channels = o_choices[pick(0, 16)];
  c.g.kernel_h = pick(1, 4);
  c.g.kernel_w = pick(1, 4);
  c.g.in_channels = pick(1, 21);
  c.g.weight_zero_point = c.g.int8 ? (c.g.per_channel ? 0 : pick(-128, 127)) : pick(0, 255);
  const int64_t taps = int64_t{c.g.kernel_h} * c.g.kernel_w;
  const int64_t n = c.g.depthwise ? taps * c.g.out_channels : taps * c.g.out_channels * c.g.in_channels;
  for (int64_t i = 0; i < n; ++i) c.weights.push_back(static_cast<uint8_t>(pick(0, 255)));
  if (pick(0, 3) != 0) {
    for (int i = 0; i < c.g.out_channels; ++i) c.bias.push_back(static_cast<int32_t>(rng()));
  }
  // A per-channel layer without a bias (or an all-zero one) has no bias words.
  c.g.has_bias = !c.g.per_channel || !c.bias.empty();
  if (c.g.per_channel) {
    for (int i = 0; i < c.g.out_channels; ++i) c.scales.push_back(std::uniform_real_distribution<float>(1e-5f, 1.0f)(rng));
  }
  return c;
}

// Channel header: per-tensor 4 (bias); per-channel 12 (scale, bias, 0x80 word), 8 without bias words.
int64_t FormulaBytes(const ConvGeometry& g) {
  const int64_t pc = g.per_channel ? 1 : 0;
  const int64_t header = 4 * (1 + 2 * pc) - (g.per_channel && !g.has_bias ? 4 : 0);
  const int64_t taps = int64_t{g.kernel_h} * g.kernel_w;
  if (g.depthwise) return RoundUp(g.out_channels, 4) * (header + 4 * taps);
  const int64_t opad = g.out_channels <= 64 ? RoundUp(g.out_channels, 16) : RoundUp(g.out_channels, 64);
  return opad * (header + taps * RoundUp(g.in_channels, 4));
}

TEST(ConvLayoutTest, DecodeInvertsEncodeOnRandomLayers) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 400; ++iter) {
    Case c = RandomCase(rng);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " dw=" << c.g.depthwise << " int8=" << c.g.int8
                                      << " pc=" << c.g.per_channel << " O=" << c.g.out_channels << " k="
                                      << c.g.kernel_h << "x" << c.g.kernel_w << " C=" << c.g.in_channels);
    Result<std::vector<uint8_t>> enc = EncodeConv(c.g, c.weights, c.bias, c.scales);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    EXPECT_EQ(static_cast<int64_t>(enc->size()), FormulaBytes(c.g));
    EXPECT_EQ(static_cast<int64_t>(enc->size()), ConvParamBytes(c.g));
    Result<DecodedConv> dec = DecodeConv(*enc, c.g);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_EQ(dec->weights, c.weights);
    std::vector<int32_t> want_bias = c.bias.empty() ? std::vector<int32_t>(c.g.out_channels, 0) : c.bias;
    EXPECT_EQ(dec->bias, want_bias);
    EXPECT_EQ(dec->multipliers, c.scales);

    // Changing any single byte either is rejected or changes what decodes (never silently equal).
    std::vector<uint8_t> bad = *enc;
    const size_t pos = std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng);
    bad[pos] ^= static_cast<uint8_t>(1 + rng() % 255);
    Result<DecodedConv> dec_bad = DecodeConv(bad, c.g);
    if (dec_bad.ok()) {
      const bool same = dec_bad->weights == dec->weights && dec_bad->bias == dec->bias &&
                        (dec_bad->multipliers == dec->multipliers);
      // A flipped scale can still compare equal only for NaN payloads; weights/bias never.
      EXPECT_FALSE(same) << "byte " << pos << " changed but decoded identically";
    }
  }
}

// Decoding into the caller's buffer (the runtime's weight tensor) gives the same weights, every
// byte of the buffer overwritten, and leaves DecodedConv::weights empty; a buffer of another size
// is refused with the sizes.
TEST(ConvLayoutTest, DecodeIntoTheCallersBufferGivesTheSameWeights) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 100; ++iter) {
    Case c = RandomCase(rng);
    Result<std::vector<uint8_t>> enc = EncodeConv(c.g, c.weights, c.bias, c.scales);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    std::vector<uint8_t> out(c.weights.size(), 0xA5);  // stale bytes must all be overwritten
    Result<DecodedConv> dec = DecodeConv(*enc, c.g, "layer", out);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_TRUE(dec->weights.empty());
    EXPECT_EQ(out, c.weights) << "iter " << iter;
    EXPECT_EQ(dec->bias, c.bias.empty() ? std::vector<int32_t>(c.g.out_channels, 0) : c.bias);
    std::vector<uint8_t> short_buffer(c.weights.size() + 1);
    Result<DecodedConv> bad = DecodeConv(*enc, c.g, "layer", short_buffer);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find(std::to_string(c.weights.size() + 1)), std::string::npos)
        << bad.status().ToString();
  }
}

TEST(ConvLayoutTest, PerChannelWithoutBiasHasNoBiasWords) {
  // A fully connected 256 -> 256 per-channel layer without a bias: O x (8 + C) bytes, as Google's
  // dense_256 (67,584 bytes); with a bias 12 bytes a channel.
  ConvGeometry g;
  g.int8 = true;
  g.per_channel = true;
  g.out_channels = 256;
  g.in_channels = 256;
  g.has_bias = false;
  EXPECT_EQ(ConvParamBytes(g), 256 * (8 + 256));
  std::vector<uint8_t> w(256 * 256, 7);
  std::vector<float> scales(256, 0.5f);
  auto enc = EncodeConv(g, w, {}, scales);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->size(), 67584u);
  // The first group's header: 64 scales, then straight the 0x80 words (no bias words).
  EXPECT_EQ((*enc)[64 * 4], 0x80);
  std::vector<int32_t> nonzero(256, 1);
  EXPECT_FALSE(EncodeConv(g, w, nonzero, scales).ok()) << "a bias cannot be dropped silently";
  g.has_bias = true;
  EXPECT_EQ(ConvParamBytes(g), 256 * (12 + 256));
}

// The header floats of per-channel padding channels, as Google's PoseNet file holds them
// (O = 17, 34 heads; O = 96 layers padded to 128): lanes O..ceil4(O) repeat channel 0's
// multiplier, channels up to ceil16(O) hold 0.0f, channels beyond (groups of 64) hold 1.0f.
TEST(ConvLayoutTest, PerChannelPaddingMultipliers) {
  auto header_float = [](const std::vector<uint8_t>& b, size_t pos) {
    float f;
    std::memcpy(&f, b.data() + pos, 4);
    return f;
  };
  for (const int o : {17, 34, 96}) {
    SCOPED_TRACE(o);
    ConvGeometry g;
    g.int8 = true;
    g.per_channel = true;
    g.out_channels = o;
    g.in_channels = 4;
    std::vector<uint8_t> w(static_cast<size_t>(o) * 4, 3);
    std::vector<int32_t> bias(static_cast<size_t>(o), 5);
    std::vector<float> m;
    for (int c = 0; c < o; ++c) m.push_back(0.25f + 0.01f * static_cast<float>(c));
    auto enc = EncodeConv(g, w, bias, m);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    const int64_t opad = PaddedOutputChannels(o);
    for (int64_t c = 0; c < opad; ++c) {
      // Groups before the channel's are full (64 channels of 12 header + 4 weight bytes).
      const int64_t g0 = c / 64 * 64;
      const size_t pos = static_cast<size_t>(g0 * (12 + 4) + (c - g0) * 4);
      const float want = c < o                 ? m[static_cast<size_t>(c)]
                         : c < RoundUp(o, 4)  ? m[0]
                         : c < RoundUp(o, 16) ? 0.0f
                                              : 1.0f;
      EXPECT_EQ(header_float(*enc, pos), want) << "channel " << c;
    }
    Result<DecodedConv> dec = DecodeConv(*enc, g);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_EQ(dec->multipliers, m);
  }
}

TEST(ConvLayoutTest, SmallConvMatchesHandLayout) {
  // O=2, 1x1, C=3, uint8 zp 7: one group of 16 channels; K = 4 -> one row.
  ConvGeometry g;
  g.out_channels = 2;
  g.in_channels = 3;
  g.weight_zero_point = 7;
  const std::vector<uint8_t> w = {1, 2, 3, 4, 5, 6};
  const std::vector<int32_t> b = {-1, 0x01020304};
  Result<std::vector<uint8_t>> enc = EncodeConv(g, w, b, {});
  ASSERT_TRUE(enc.ok());
  ASSERT_EQ(enc->size(), 16u * 4 + 16u * 4);
  std::vector<uint8_t> want(128, 0);
  for (int i = 0; i < 4; ++i) want[static_cast<size_t>(i)] = 0xff;
  want[4] = 4; want[5] = 3; want[6] = 2; want[7] = 1;
  const uint8_t row[16] = {1, 2, 3, 7, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7};  // channels 2,3 pad with zp
  for (int i = 0; i < 16; ++i) want[static_cast<size_t>(64 + i)] = row[i];
  EXPECT_EQ(*enc, want);
}

TEST(ConvLayoutTest, DepthwiseDiagonalBlocks) {
  ConvGeometry g;
  g.depthwise = true;
  g.int8 = true;
  g.out_channels = 2;
  g.kernel_h = 1;
  g.kernel_w = 1;
  const std::vector<uint8_t> w = {0x01, 0xff};  // int8 1 and -1
  Result<std::vector<uint8_t>> enc = EncodeConv(g, w, {}, {});
  ASSERT_TRUE(enc.ok());
  ASSERT_EQ(enc->size(), 32u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ((*enc)[static_cast<size_t>(i)], 0) << i;
  EXPECT_EQ((*enc)[16], 0x81);
  EXPECT_EQ((*enc)[21], 0x7f);
  EXPECT_EQ((*enc)[17], 0x80);
  EXPECT_EQ((*enc)[31], 0x80);
}

TEST(ConvLayoutTest, RejectsBadInput) {
  ConvGeometry g;
  g.out_channels = 4;
  g.in_channels = 4;
  EXPECT_FALSE(EncodeConv(g, std::vector<uint8_t>(15), {}, {}).ok());
  EXPECT_FALSE(EncodeConv(g, std::vector<uint8_t>(16), std::vector<int32_t>(3), {}).ok());
  g.per_channel = true;
  g.int8 = true;
  EXPECT_FALSE(EncodeConv(g, std::vector<uint8_t>(16), {}, std::vector<float>(2)).ok());
  g.per_channel = false;
  g.int8 = false;
  g.weight_zero_point = 300;
  EXPECT_FALSE(EncodeConv(g, std::vector<uint8_t>(16), {}, {}).ok());
  g.weight_zero_point = 0;
  g.out_channels = 0;
  EXPECT_FALSE(EncodeConv(g, {}, {}, {}).ok());
  EXPECT_EQ(ConvParamBytes(g), 0);
  g.out_channels = 4;
  EXPECT_FALSE(DecodeConv(std::vector<uint8_t>(10), g).ok());
}

}  // namespace
}  // namespace etpu::params
