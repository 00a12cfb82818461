// Writes small test images in every format `etpu run --image` reads, with Debian's libpng and
// libjpeg (PNG, JPEG) and by hand (BMP), so CLI and library tests need no image files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace etpu::testing {

/// Interleaved pixels, rows top to bottom; channels 1 (grey), 2 (grey+alpha), 3 (RGB), 4 (RGBA).
struct TestImage {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// A deterministic pattern of `channels` channels (alpha, when present, varies too).
TestImage Pattern(int width, int height, int channels);

/// Uncompressed bottom-up BMP: 24-bit from RGB, 32-bit from RGBA (BGRA order).
std::vector<uint8_t> EncodeBmp(const TestImage& rgb_or_rgba);
/// 8-bit BMP: `indices` (width*height) with a palette of RGB triples.
std::vector<uint8_t> EncodeBmp8(int width, int height, const std::vector<uint8_t>& indices,
                                const std::vector<uint8_t>& palette_rgb);
std::vector<uint8_t> EncodePng(const TestImage& image);
std::vector<uint8_t> EncodeJpeg(const TestImage& grey_or_rgb, int quality);

}  // namespace etpu::testing
