#include "params/conv_layout.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/units.h"
#include "params/byte_io.h"

namespace etpu::params {
namespace {

using internal::BitsFloat;
using internal::FloatBits;
using internal::GetU32;
using internal::PutU32;

using base::RoundUp;

// Biggest dimension accepted; keeps every size product far inside int64.
constexpr int64_t kMaxDim = 1 << 20;
constexpr int32_t kPerChannelWord = 0x80;

uint8_t Store(const ConvGeometry& g, uint8_t raw) { return g.int8 ? static_cast<uint8_t>(raw ^ 0x80) : raw; }
uint8_t Unstore(const ConvGeometry& g, uint8_t stored) { return Store(g, stored); }
uint8_t PadByte(const ConvGeometry& g) { return Store(g, static_cast<uint8_t>(g.weight_zero_point & 0xff)); }
bool BiasWords(const ConvGeometry& g) { return g.has_bias; }
bool MultiplierWords(const ConvGeometry& g) { return g.per_channel && g.multiplier_words; }
bool FourChannelGroup(const ConvGeometry& g) { return g.four_channel_group && !g.depthwise && g.out_channels <= 4; }
int64_t HeaderBytesPerChannel(const ConvGeometry& g) {
  return (MultiplierWords(g) ? 4 : 0) + (g.per_channel ? 4 : 0) + (BiasWords(g) ? 4 : 0);
}
// A four-channel-group record is zero-padded to a multiple of this many bytes.
constexpr int64_t kRecordAlign = 64;


// The header float of per-channel channel c (real or padding), as Google's files hold it:
// lanes O..ceil4(O) repeat channel 0's multiplier, channels ceil4(O)..ceil16(O) hold 0.0f and
// channels from ceil16(O) on (only in layers padded to 64) hold 1.0f.
float HeaderMultiplier(const ConvGeometry& g, int64_t c, std::span<const float> multipliers) {
  if (c < g.out_channels) return multipliers[static_cast<size_t>(c)];
  if (c < RoundUp(g.out_channels, 4)) return multipliers[0];
  return c < RoundUp(g.out_channels, 16) ? 0.0f : 1.0f;
}

// Channel header for channels [c0, c0+n).
void PutHeader(const ConvGeometry& g, int64_t c0, int64_t n, std::span<const int32_t> bias,
               std::span<const float> multipliers, std::vector<uint8_t>& out) {
  const int64_t o4 = RoundUp(g.out_channels, 4);
  if (MultiplierWords(g)) {
    for (int64_t c = c0; c < c0 + n; ++c) PutU32(out, FloatBits(HeaderMultiplier(g, c, multipliers)));
  }
  for (int64_t c = c0; c < c0 + n && BiasWords(g); ++c) {
    PutU32(out, c < g.out_channels && !bias.empty() ? static_cast<uint32_t>(bias[static_cast<size_t>(c)]) : 0u);
  }
  if (g.per_channel) {
    for (int64_t c = c0; c < c0 + n; ++c) PutU32(out, c < o4 ? static_cast<uint32_t>(kPerChannelWord) : 0u);
  }
}

// Reads a channel header back; checks the padding channels' fields.
Status GetHeader(const ConvGeometry& g, std::span<const uint8_t> b, int64_t pos, int64_t c0, int64_t n,
                 DecodedConv& d, const std::string& what) {
  const int64_t o4 = RoundUp(g.out_channels, 4);
  auto bad = [&](const char* field, int64_t c) {
    return DataLossError(fmt::format("failed to decode parameters of {}: {} of padding channel {} is not the "
                                     "expected value (byte {})", what, field, c, pos));
  };
  if (MultiplierWords(g)) {
    for (int64_t c = c0; c < c0 + n; ++c, pos += 4) {
      const uint32_t v = GetU32(b, pos);
      if (c < g.out_channels) d.multipliers[static_cast<size_t>(c)] = BitsFloat(v);
      else if (v != FloatBits(HeaderMultiplier(g, c, d.multipliers))) return bad("multiplier", c);
    }
  }
  for (int64_t c = c0; c < c0 + n && BiasWords(g); ++c, pos += 4) {
    const uint32_t v = GetU32(b, pos);
    if (c < g.out_channels) d.bias[static_cast<size_t>(c)] = static_cast<int32_t>(v);
    else if (v != 0) return bad("bias", c);
  }
  if (g.per_channel) {
    for (int64_t c = c0; c < c0 + n; ++c, pos += 4) {
      if (GetU32(b, pos) != (c < o4 ? static_cast<uint32_t>(kPerChannelWord) : 0u)) return bad("per-channel word", c);
    }
  }
  return OkStatus();
}

}  // namespace

Status ValidateGeometry(const ConvGeometry& g, const std::string& what) {
  auto in_range = [](int64_t v) { return v >= 1 && v <= kMaxDim; };
  if (!in_range(g.out_channels) || !in_range(g.kernel_h) || !in_range(g.kernel_w) ||
      (!g.depthwise && !in_range(g.in_channels))) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: bad shape O={} kh={} kw={} C={} "
                                            "(expected 1..{} each)", what, g.out_channels, g.kernel_h, g.kernel_w,
                                            g.in_channels, kMaxDim));
  }
  const int64_t taps = int64_t{g.kernel_h} * g.kernel_w;
  const int64_t reduction = g.depthwise ? taps : taps * g.in_channels;
  if (reduction > kMaxDim * 16 || reduction * g.out_channels > (int64_t{1} << 34)) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: layer too large ({} x {} weights)",
                                            what, g.out_channels, reduction));
  }
  if (g.int8 ? (g.weight_zero_point < -128 || g.weight_zero_point > 127)
             : (g.weight_zero_point < 0 || g.weight_zero_point > 255)) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: weight zero point {} out of range "
                                            "for {}", what, g.weight_zero_point, g.int8 ? "int8" : "uint8"));
  }
  if (g.per_channel && !g.int8) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: per-channel layout needs int8 "
                                            "weights", what));
  }
  return OkStatus();
}

int64_t PaddedOutputChannels(int64_t out_channels) {
  return out_channels <= 64 ? RoundUp(out_channels, 16) : RoundUp(out_channels, 64);
}

int64_t PaddedOutputChannels(const ConvGeometry& g) {
  return FourChannelGroup(g) ? 4 : PaddedOutputChannels(g.out_channels);
}

int64_t ConvParamBytes(const ConvGeometry& g) {
  if (!ValidateGeometry(g, "").ok()) return 0;
  const int64_t taps = int64_t{g.kernel_h} * g.kernel_w;
  if (g.depthwise) return RoundUp(g.out_channels, 4) * (HeaderBytesPerChannel(g) + 4 * taps);
  const int64_t bytes = PaddedOutputChannels(g) * (HeaderBytesPerChannel(g) + taps * RoundUp(g.in_channels, 4));
  return FourChannelGroup(g) ? RoundUp(bytes, kRecordAlign) : bytes;
}

Result<std::vector<uint8_t>> EncodeConv(const ConvGeometry& g, std::span<const uint8_t> weights,
                                        std::span<const int32_t> bias, std::span<const float> multipliers,
                                        const std::string& what) {
  ETPU_RETURN_IF_ERROR(ValidateGeometry(g, what));
  const int64_t taps = int64_t{g.kernel_h} * g.kernel_w;
  const int64_t o = g.out_channels;
  const int64_t expected_weights = g.depthwise ? taps * o : o * taps * g.in_channels;
  if (static_cast<int64_t>(weights.size()) != expected_weights) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: {} weight bytes (expected {})",
                                            what, weights.size(), expected_weights));
  }
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != o) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: {} biases (expected {})", what,
                                            bias.size(), o));
  }
  if (!BiasWords(g) && std::any_of(bias.begin(), bias.end(), [](int32_t v) { return v != 0; })) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: a non-zero bias in a layout "
                                            "without bias words", what));
  }
  if (g.per_channel && static_cast<int64_t>(multipliers.size()) != o) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: {} per-channel multipliers "
                                            "(expected {})", what, multipliers.size(), o));
  }
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(ConvParamBytes(g)));
  const uint8_t pad = PadByte(g);
  if (g.depthwise) {
    const int64_t o4 = RoundUp(o, 4);
    for (int64_t c0 = 0; c0 < o4; c0 += 4) {
      PutHeader(g, c0, 4, bias, multipliers, out);
      for (int64_t t = 0; t < taps; ++t) {
        for (int64_t c = c0; c < c0 + 4; ++c) {
          for (int64_t j = 0; j < 4; ++j) {
            const bool diag = (j == c - c0) && c < o;
            out.push_back(diag ? Store(g, weights[static_cast<size_t>(t * o + c)]) : pad);
          }
        }
      }
    }
    return out;
  }
  const int64_t cin = g.in_channels;
  const int64_t c4 = RoundUp(cin, 4);
  const int64_t k = taps * c4;
  const int64_t o4 = RoundUp(o, 4);
  const int64_t opad = PaddedOutputChannels(g);
  const uint8_t flip = g.int8 ? 0x80 : 0x00;  // Store() as a mask, for the hot loop
  for (int64_t g0 = 0; g0 < opad; g0 += 64) {
    const int64_t n = std::min<int64_t>(64, opad - g0);
    PutHeader(g, g0, n, bias, multipliers, out);
    // Rows of 4 input values x the group's n channels: byte (row, oc, j) at (row * n + oc) * 4 + j,
    // where the weight index kk = tap * c4 + c gives row = kk / 4 and j = kk % 4. Fill with the pad
    // byte (0 for channels past ceil4(O)), then scatter each channel's contiguous weights.
    const size_t base = out.size();
    out.resize(base + static_cast<size_t>(k * n), pad);
    uint8_t* dst = out.data() + base;
    if (g0 + n > o4) {
      for (int64_t row = 0; row < k / 4; ++row) {
        for (int64_t oc = std::max(g0, o4); oc < g0 + n; ++oc) std::memset(dst + (row * n + (oc - g0)) * 4, 0, 4);
      }
    }
    const int64_t real_end = std::min(g0 + n, o);
    if (cin == c4) {
      // No input padding: the 4 weights of (oc, row) are contiguous in the source (OHWI).
      const uint32_t flip4 = flip * 0x01010101u;
      for (int64_t row = 0; row < k / 4; ++row) {
        uint8_t* row_dst = dst + row * n * 4;
        for (int64_t oc = g0; oc < real_end; ++oc) {
          uint32_t w;
          std::memcpy(&w, weights.data() + oc * k + row * 4, 4);
          w ^= flip4;
          std::memcpy(row_dst + (oc - g0) * 4, &w, 4);
        }
      }
      continue;
    }
    for (int64_t oc = g0; oc < real_end; ++oc) {
      uint8_t* col = dst + (oc - g0) * 4;
      for (int64_t tap = 0; tap < taps; ++tap) {
        const uint8_t* src = weights.data() + (oc * taps + tap) * cin;
        for (int64_t c = 0; c < cin; ++c) {
          const int64_t kk = tap * c4 + c;
          col[(kk >> 2) * n * 4 + (kk & 3)] = static_cast<uint8_t>(src[c] ^ flip);
        }
      }
    }
  }
  out.resize(static_cast<size_t>(ConvParamBytes(g)), 0);  // a four-channel group's zero tail
  return out;
}

Result<DecodedConv> DecodeConv(std::span<const uint8_t> bytes, const ConvGeometry& g, const std::string& what,
                               std::span<uint8_t> weights_out) {
  ETPU_RETURN_IF_ERROR(ValidateGeometry(g, what));
  const int64_t expected = ConvParamBytes(g);
  if (static_cast<int64_t>(bytes.size()) != expected) {
    return DataLossError(fmt::format("failed to decode parameters of {}: {} bytes (expected {})", what, bytes.size(),
                                     expected));
  }
  const int64_t taps = int64_t{g.kernel_h} * g.kernel_w;
  const int64_t o = g.out_channels;
  const int64_t weight_count = g.depthwise ? taps * o : o * taps * g.in_channels;
  if (!weights_out.empty() && static_cast<int64_t>(weights_out.size()) != weight_count) {
    return DataLossError(fmt::format("failed to decode parameters of {}: its weights are {} bytes, their tensor "
                                     "holds {}", what, weight_count, weights_out.size()));
  }
  DecodedConv d;
  // The weights go to the caller's buffer when it gives one (no second copy of a large layer).
  if (weights_out.empty()) d.weights.resize(static_cast<size_t>(weight_count));
  const std::span<uint8_t> w = weights_out.empty() ? std::span<uint8_t>(d.weights) : weights_out;
  std::fill(w.begin(), w.end(), uint8_t{0});
  d.bias.assign(static_cast<size_t>(o), 0);
  if (MultiplierWords(g)) d.multipliers.assign(static_cast<size_t>(o), 0.0f);
  const uint8_t pad = PadByte(g);
  const int64_t hdr = HeaderBytesPerChannel(g);
  auto bad_pad = [&](int64_t pos, int expected_byte) {
    return DataLossError(fmt::format("failed to decode parameters of {}: padding byte {} is 0x{:02x} (expected "
                                     "0x{:02x})", what, pos, bytes[static_cast<size_t>(pos)], expected_byte));
  };
  int64_t pos = 0;
  if (g.depthwise) {
    for (int64_t c0 = 0; c0 < RoundUp(o, 4); c0 += 4) {
      ETPU_RETURN_IF_ERROR(GetHeader(g, bytes, pos, c0, 4, d, what));
      pos += 4 * hdr;
      for (int64_t t = 0; t < taps; ++t) {
        for (int64_t c = c0; c < c0 + 4; ++c) {
          for (int64_t j = 0; j < 4; ++j, ++pos) {
            const uint8_t b = bytes[static_cast<size_t>(pos)];
            if ((j == c - c0) && c < o) w[static_cast<size_t>(t * o + c)] = Unstore(g, b);
            else if (b != pad) return bad_pad(pos, pad);
          }
        }
      }
    }
    return d;
  }
  const int64_t cin = g.in_channels;
  const int64_t c4 = RoundUp(cin, 4);
  const int64_t k = taps * c4;
  const int64_t o4 = RoundUp(o, 4);
  const int64_t opad = PaddedOutputChannels(g);
  for (int64_t g0 = 0; g0 < opad; g0 += 64) {
    const int64_t n = std::min<int64_t>(64, opad - g0);
    ETPU_RETURN_IF_ERROR(GetHeader(g, bytes, pos, g0, n, d, what));
    pos += n * hdr;
    for (int64_t row = 0; row < k / 4; ++row) {
      for (int64_t oc = g0; oc < g0 + n; ++oc) {
        for (int64_t j = 0; j < 4; ++j, ++pos) {
          const uint8_t b = bytes[static_cast<size_t>(pos)];
          const int64_t kk = row * 4 + j;
          const int64_t tap = kk / c4;
          const int64_t c = kk % c4;
          if (oc >= o4) {
            if (b != 0) return bad_pad(pos, 0);
          } else if (oc >= o || c >= cin) {
            if (b != pad) return bad_pad(pos, pad);
          } else {
            w[static_cast<size_t>((oc * taps + tap) * cin + c)] = Unstore(g, b);
          }
        }
      }
    }
  }
  for (; pos < expected; ++pos) {  // a four-channel group's zero tail
    if (bytes[static_cast<size_t>(pos)] != 0) return bad_pad(pos, 0);
  }
  return d;
}

}  // namespace etpu::params
