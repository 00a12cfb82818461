// Image files for model inputs: BMP (uncompressed 8, 24 or 32 bits per pixel), PNG (libpng) and
// JPEG (libjpeg-turbo), recognised by their contents, not their names; and the explicit channel
// conversions between what a file holds and what a model's input needs.
//
// The BMP pixels are DecodeBmp's (image_prep.h), so a 24-bit BMP gives exactly the bytes the
// oracle tests compare with prep.mjs. An 8-bit BMP whose palette is the grey ramp (entry i is
// (i, i, i)) stays one grey channel, as DecodeBmp returns it; any other palette is looked up (RGB).
// Every file is untrusted: sizes are bounded (kMaxImageSide, kMaxImagePixels) before any pixel
// buffer is allocated, and decoder errors come back as Status naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "etpu/status.h"
#include "runtime/image_prep.h"

namespace etpu::runtime {

/// Largest width x height ReadImage decodes (compressed formats could otherwise ask for gigabytes).
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

/// The formats ReadImage accepts, for messages.
inline constexpr const char* kImageFormats = "BMP (uncompressed, 8/24/32-bit), PNG, JPEG";

/// A decoded file: channels 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).
struct DecodedImage {
  Image image;
  std::string format;  ///< "24-bit BMP", "PNG (RGBA)", "JPEG (grey)", ...
};

/// Decodes `bytes` by their signature; `name` is used in messages.
Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const std::string& name);
/// Reads and decodes an image file.
Result<DecodedImage> ReadImage(const std::string& path);

/// An image converted to a model's channel count.
struct ConvertedImage {
  Image image;
  std::string conversion;  ///< What was done ("RGBA -> RGB (alpha dropped)"); empty when nothing.
};

/// Converts to `channels` (1 = grey or 3 = RGB; any count equal to the image's is kept as it is):
/// alpha is dropped, grey is copied to R, G and B, and RGB becomes grey with the ITU-R BT.601 luma
/// weights (0.299 R + 0.587 G + 0.114 B, rounded, as PIL's convert('L')).
Result<ConvertedImage> ConvertChannels(const Image& image, int channels);

}  // namespace etpu::runtime
