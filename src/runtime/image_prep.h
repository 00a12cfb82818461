// Image inputs, prepared exactly as the public Coral test suite (and ../shared/oracle/prep.mjs)
// does: uncompressed BMP (8, 24 or 32 bits per pixel, bottom-up or top-down rows), BGR(A) ->
// RGB(A), optional grayscale (C = 1: integer mean of R, G, B), then TFLite's float
// RESIZE_BILINEAR formula (align_corners = false, half_pixel_centers = true) evaluated in
// float32, and truncation to uint8. 8-bit BMPs give their palette indices (no palette lookup).
// Every BMP is untrusted: headers and pixel offsets are checked against the file size.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::runtime {

/// An interleaved 8-bit image, rows top to bottom, channels RGB(A) after decoding.
struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  ///< height * width * channels bytes.
};

/// Largest width or height DecodeBmp accepts.
inline constexpr int kMaxImageSide = 1 << 15;

/// Decodes an uncompressed BMP; `name` is used in messages.
Result<Image> DecodeBmp(std::span<const uint8_t> bytes, const std::string& name);
/// Reads and decodes a BMP file.
Result<Image> ReadBmp(const std::string& path);

/// Converts `image` to a height x width x channels uint8 tensor as prep.mjs does. channels must
/// equal the image's (or be 1 for a 3- or 4-channel image: grayscale).
Result<std::vector<uint8_t>> PrepareImage(const Image& image, int height, int width, int channels);

}  // namespace etpu::runtime
