// png_stats FILE.png: reads a PNG (libpng) and prints its size and pixel statistics; exits 1 when
// the image looks blank (almost every pixel the same colour), 2 when it cannot be read. Used by
// scripts/report_screenshots.sh to check that a browser really drew the report.
#include <png.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: png_stats FILE.png\n");
    return 2;
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, argv[1])) {
    std::fprintf(stderr, "png_stats: %s: %s\n", argv[1], image.message);
    return 2;
  }
  image.format = PNG_FORMAT_GRAY;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  if (pixels.empty() || !png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
    std::fprintf(stderr, "png_stats: %s: %s\n", argv[1], image.message);
    return 2;
  }
  // Mean and standard deviation of the grey levels, and the share of pixels that differ from the
  // most common level (the background).
  std::vector<size_t> histogram(256, 0);
  double sum = 0, sum2 = 0;
  for (png_byte p : pixels) {
    ++histogram[p];
    sum += p;
    sum2 += static_cast<double>(p) * p;
  }
  const double n = static_cast<double>(pixels.size());
  const double mean = sum / n;
  const double stddev = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
  size_t background = 0;
  for (size_t i = 0; i < histogram.size(); ++i) background = histogram[i] > histogram[background] ? i : background;
  const double drawn = 1.0 - static_cast<double>(histogram[background]) / n;
  std::printf("%s: %ux%u mean %.1f stddev %.1f drawn %.3f\n", argv[1], image.width, image.height, mean, stddev, drawn);
  return drawn < 0.02 || stddev < 5.0 ? 1 : 0;
}
