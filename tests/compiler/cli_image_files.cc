#include "compiler/cli_image_files.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>

namespace etpu::testing {
namespace {

void Put32(std::vector<uint8_t>& b, size_t o, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[o + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> BmpHeader(int w, int h, int bpp, uint32_t palette_entries, size_t pixel_bytes) {
  const uint32_t off = 54 + 4 * palette_entries;
  std::vector<uint8_t> b(off + pixel_bytes, 0);
  b[0] = 'B';
  b[1] = 'M';
  Put32(b, 2, static_cast<uint32_t>(b.size()));
  Put32(b, 10, off);
  Put32(b, 14, 40);
  Put32(b, 18, static_cast<uint32_t>(w));
  Put32(b, 22, static_cast<uint32_t>(h));
  b[26] = 1;
  b[28] = static_cast<uint8_t>(bpp);
  Put32(b, 46, palette_entries);
  return b;
}

}  // namespace

TestImage Pattern(int width, int height, int channels) {
  TestImage t{width, height, channels, std::vector<uint8_t>(static_cast<size_t>(width) * height * channels)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        t.pixels[(static_cast<size_t>(y) * width + x) * channels + c] =
            static_cast<uint8_t>((x * 37 + y * 11 + c * 71 + x * y) & 0xFF);
      }
    }
  }
  return t;
}

std::vector<uint8_t> EncodeBmp(const TestImage& t) {
  const int ch = t.channels;
  if (ch != 3 && ch != 4) throw std::invalid_argument("EncodeBmp: 3 or 4 channels");
  const size_t stride = (static_cast<size_t>(t.width) * ch + 3) / 4 * 4;
  std::vector<uint8_t> b = BmpHeader(t.width, t.height, 8 * ch, 0, stride * t.height);
  for (int y = 0; y < t.height; ++y) {
    uint8_t* row = b.data() + 54 + stride * static_cast<size_t>(t.height - 1 - y);
    for (int x = 0; x < t.width; ++x) {
      const uint8_t* p = &t.pixels[(static_cast<size_t>(y) * t.width + x) * ch];
      row[x * ch + 0] = p[2];
      row[x * ch + 1] = p[1];
      row[x * ch + 2] = p[0];
      if (ch == 4) row[x * ch + 3] = p[3];
    }
  }
  return b;
}

std::vector<uint8_t> EncodeBmp8(int w, int h, const std::vector<uint8_t>& indices,
                                const std::vector<uint8_t>& palette_rgb) {
  const uint32_t entries = static_cast<uint32_t>(palette_rgb.size() / 3);
  const size_t stride = (static_cast<size_t>(w) + 3) / 4 * 4;
  std::vector<uint8_t> b = BmpHeader(w, h, 8, entries, stride * h);
  for (uint32_t i = 0; i < entries; ++i) {
    b[54 + 4 * i + 0] = palette_rgb[3 * i + 2];
    b[54 + 4 * i + 1] = palette_rgb[3 * i + 1];
    b[54 + 4 * i + 2] = palette_rgb[3 * i + 0];
  }
  const size_t off = 54 + 4 * entries;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) b[off + stride * static_cast<size_t>(h - 1 - y) + x] = indices[static_cast<size_t>(y) * w + x];
  }
  return b;
}

std::vector<uint8_t> EncodePng(const TestImage& t) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(t.width);
  png.height = static_cast<png_uint_32>(t.height);
  png.format = t.channels == 1 ? PNG_FORMAT_GRAY : t.channels == 2 ? PNG_FORMAT_GA : t.channels == 3 ? PNG_FORMAT_RGB
                                                                                                     : PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, t.pixels.data(), 0, nullptr)) {
    throw std::runtime_error(png.message);
  }
  std::vector<uint8_t> out(size);
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, t.pixels.data(), 0, nullptr)) {
    throw std::runtime_error(png.message);
  }
  out.resize(size);
  return out;
}

std::vector<uint8_t> EncodeJpeg(const TestImage& t, int quality) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);  // Test data only: libjpeg's default (exit) on error is acceptable here.
  jpeg_create_compress(&cinfo);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &mem, &size);
  cinfo.image_width = static_cast<JDIMENSION>(t.width);
  cinfo.image_height = static_cast<JDIMENSION>(t.height);
  cinfo.input_components = t.channels;
  cinfo.in_color_space = t.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(&t.pixels[static_cast<size_t>(cinfo.next_scanline) * t.width * t.channels]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(mem, mem + size);
  std::free(mem);
  return out;
}

}  // namespace etpu::testing
