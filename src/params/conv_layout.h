// The Edge TPU byte layout of one convolution-like layer (package-format.md §3.1), both ways.
//
// Regular conv / FC (kConv, kConvPerChannel), weights OHWI (O, kh, kw, C):
//   O_pad = ceil16(O) when O <= 64, else ceil64(O); output channels in groups of 64 (the last
//   group holds O_pad mod 64 channels when O <= 64). Each group of G channels is
//     per-tensor:   [G x int32 bias]
//     per-channel:  [G x float32 multiplier][G x int32 bias][G x int32 0x80 word]
//                   (multiplier = the channel's requantisation multiplier, computed by the
//                   caller: params/param_layout.h RequantMultipliers)
//                   (no bias words when the layer has no bias or an all-zero one: has_bias)
//     then K/4 rows of G x 4 bytes, K = kh*kw*ceil4(C): the weight of channel o at reduction
//     index k (= tap*ceil4(C) + c) sits at row k/4, column o, byte k%4.
//   Stored weight byte: uint8 unchanged, int8 as w ^ 0x80 ("Store").
//   Padding [certain, byte-checked on the real blobs]: input channels C..ceil4(C) hold
//   Store(weight zero point); output channels O..ceil4(O) hold Store(zero point) weights and a
//   0 bias; output channels ceil4(O)..O_pad hold 0x00 weight bytes and a 0 bias.
//   Per-channel padding channels: word 0x80 below ceil4(O), else 0; multiplier = channel 0's
//   below ceil4(O), 0.0f up to ceil16(O), 1.0f beyond (layers padded to 64) [certain for the
//   PoseNet layers with O = 17, 24, 34, 96; whether the 1.0f starts at ceil16(O) or at ceil4(O)
//   when O > 64 is open: no file has O > 64 with O % 16 != 0].
//
// Depthwise (kDepthwise, kDepthwisePerChannel), weights [1, kh, kw, O] (O = C * multiplier):
//   chunks of 4 output channels: header (as above with G = 4), then per tap a 4x4 block where
//   channel c's weight is byte (c%4) of word (c%4); every other byte is Store(zero point).
//   Padded channels: bias 0, weights Store(zero point).
//
// Decode inverts Encode exactly and checks every padding byte, so a corrupted or foreign blob
// is a DataLoss error rather than silently wrong weights.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::params {

/// Shape and numerics of one conv-like layer, as the layout needs them.
struct ConvGeometry {
  bool depthwise = false;
  bool per_channel = false;        ///< int8 per-channel weights (12-byte channel header).
  /// Per-channel only: false when the layer has no bias or an all-zero one; its channel header
  /// then has no bias words (8 bytes). [C for FULLY_CONNECTED without a bias: Google's dense_256
  /// and dense_1024 (2021-07) are O x (8 + C) bytes; issue 11 reports it for zero-bias depthwise.]
  bool has_bias = true;
  /// Per-channel only: false when every channel has the same weight scale; the channel header
  /// then has no multiplier floats. [W: gabor_64x64 (8 equal scales, header = 0x80 words only)
  /// against dense_256/1024 and PoseNet (scales differ, floats present).]
  bool multiplier_words = true;
  /// A CONV_2D (not FULLY_CONNECTED) with O <= 4: one group of 4 output channels (rows of 16
  /// bytes) and the record zero-padded to a multiple of 64 bytes. [C for O = 1: looming_64x64
  /// (3x3x1 -> 1: 192 B), color_red_64x64 (1x1x3 -> 1: 64 B), bodypix's 1x1x384 -> 1 (1 600 B,
  /// issue 11); O = 2..4 assumed alike. A one-output FULLY_CONNECTED pads to 16 (bright_16x16).]
  bool four_channel_group = false;
  bool int8 = false;               ///< int8 weights (stored XOR 0x80); else uint8 (unchanged).
  int out_channels = 0;            ///< O (for depthwise: C * depth multiplier).
  int kernel_h = 1;
  int kernel_w = 1;
  int in_channels = 0;             ///< C (ignored for depthwise).
  int32_t weight_zero_point = 0;   ///< uint8: 0..255; int8: -128..127 (0 for TFLite's int8).
};

/// The layer's weights in TFLite's own layout (OHWI, or [1,kh,kw,O] for depthwise) and byte
/// encoding (int8 values as their two's-complement bytes), int32 biases (O), and the per-channel
/// header floats (O requantisation multipliers; empty for per-tensor layers).
struct DecodedConv {
  std::vector<uint8_t> weights;
  std::vector<int32_t> bias;
  std::vector<float> multipliers;
};

/// Checks that a geometry is usable (positive sizes, in-range zero point); `what` names the layer.
Status ValidateGeometry(const ConvGeometry& g, const std::string& what);
/// Padded output-channel count of a regular conv (ceil16 if O <= 64, else ceil64).
int64_t PaddedOutputChannels(int64_t out_channels);
/// Padded output-channel count of `g` (4 for a four_channel_group layer, else as above).
int64_t PaddedOutputChannels(const ConvGeometry& g);
/// Exact size in bytes of the encoded layer (0 for an invalid geometry).
int64_t ConvParamBytes(const ConvGeometry& g);

/// Encodes one layer. `weights` has O*kh*kw*C bytes (depthwise: kh*kw*O), `bias` O values or is
/// empty (= all zero), `multipliers` O header floats when per_channel (ignored otherwise).
Result<std::vector<uint8_t>> EncodeConv(const ConvGeometry& g, std::span<const uint8_t> weights,
                                        std::span<const int32_t> bias, std::span<const float> multipliers,
                                        const std::string& what = "layer");

/// Inverse of EncodeConv: `bytes` must be exactly ConvParamBytes(g) long with the padding that
/// EncodeConv writes. With `weights_out` (exactly the weights' size) the weights are written
/// there and DecodedConv::weights stays empty (no second copy of a large layer); on an error its
/// contents are unspecified.
Result<DecodedConv> DecodeConv(std::span<const uint8_t> bytes, const ConvGeometry& g,
                               const std::string& what = "layer", std::span<uint8_t> weights_out = {});

}  // namespace etpu::params
