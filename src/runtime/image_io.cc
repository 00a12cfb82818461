#include "runtime/image_io.h"

#include <csetjmp>
#include <cstdio>
#include <memory>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>
#include <png.h>

#include <fmt/format.h>

#include "base/file_io.h"

namespace etpu::runtime {
namespace {

Status Bad(const std::string& format, const std::string& name, const std::string& what) {
  return InvalidArgumentError(fmt::format("failed to read {} '{}': {}", format, name, what));
}

Status CheckSize(const std::string& format, const std::string& name, int64_t w, int64_t h) {
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide || w * h > kMaxImagePixels) {
    return Bad(format, name, fmt::format("size {}x{} out of range (at most {} pixels a side, {} in all)", w, h,
                                         kMaxImageSide, kMaxImagePixels));
  }
  return Status();
}

const char* ChannelName(int c) {
  switch (c) {
    case 1: return "grey";
    case 2: return "grey+alpha";
    case 3: return "RGB";
    case 4: return "RGBA";
    default: return "?";
  }
}

uint32_t U32(std::span<const uint8_t> b, size_t o) {
  return uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 | uint32_t{b[o + 3]} << 24;
}

// --- BMP ------------------------------------------------------------------------------------

Result<DecodedImage> DecodeBmpFile(std::span<const uint8_t> b, const std::string& name) {
  ETPU_ASSIGN_OR_RETURN(Image img, DecodeBmp(b, name));
  DecodedImage out;
  out.format = fmt::format("{}-bit BMP", img.channels * 8);
  if (img.channels != 1) {
    out.image = std::move(img);
    return out;
  }
  // 8 bits per pixel: DecodeBmp checked the header (54 bytes at least) and returned the indices.
  const uint64_t palette_at = 14 + uint64_t{U32(b, 14)};
  uint64_t entries = U32(b, 46);
  if (entries == 0) entries = 256;
  const uint64_t pixels_at = U32(b, 10);
  if (entries > 256 || palette_at + 4 * entries > pixels_at || pixels_at > b.size()) {
    return Bad("BMP", name, fmt::format("8-bit palette of {} entries at byte {} does not fit before the pixels at "
                                        "byte {}", entries, palette_at, pixels_at));
  }
  auto entry = [&](size_t i, int c) { return b[palette_at + 4 * i + static_cast<size_t>(2 - c)]; };  // BGRX
  bool grey_ramp = true;
  for (uint8_t v : img.pixels) {
    if (v >= entries) return Bad("BMP", name, fmt::format("pixel index {} beyond the {}-entry palette", v, entries));
    grey_ramp = grey_ramp && entry(v, 0) == v && entry(v, 1) == v && entry(v, 2) == v;
  }
  if (grey_ramp) {
    out.format += " (grey palette)";
    out.image = std::move(img);
    return out;
  }
  out.format += " (colour palette)";
  out.image.height = img.height;
  out.image.width = img.width;
  out.image.channels = 3;
  out.image.pixels.resize(img.pixels.size() * 3);
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    for (int c = 0; c < 3; ++c) out.image.pixels[i * 3 + static_cast<size_t>(c)] = entry(img.pixels[i], c);
  }
  return out;
}

// --- PNG (libpng's simplified API: palette, 16-bit and tRNS handled by libpng) ---------------

Result<DecodedImage> DecodePng(std::span<const uint8_t> b, const std::string& name) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, b.data(), b.size()) == 0) {
    return Bad("PNG", name, png.message);
  }
  // From here every return frees the png_image (finish_read frees it itself).
  if (Status s = CheckSize("PNG", name, png.width, png.height); !s.ok()) {
    png_image_free(&png);
    return s;
  }
  const bool colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  const bool alpha = (png.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  png.format = colour ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
  DecodedImage out;
  out.image.width = static_cast<int>(png.width);
  out.image.height = static_cast<int>(png.height);
  out.image.channels = static_cast<int>(PNG_IMAGE_PIXEL_CHANNELS(png.format));
  out.image.pixels.resize(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, out.image.pixels.data(), 0, nullptr) == 0) {
    return Bad("PNG", name, png.message);
  }
  out.format = fmt::format("PNG ({})", ChannelName(out.image.channels));
  return out;
}

// --- JPEG (libjpeg-turbo; errors longjmp back here instead of exiting) -----------------------

struct JpegState {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  std::jmp_buf jump{};
  char message[JMSG_LENGTH_MAX] = {};
  std::vector<uint8_t> pixels;
  bool created = false;
  ~JpegState() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

void JpegErrorExit(j_common_ptr c) {
  auto* st = reinterpret_cast<JpegState*>(c->client_data);
  (*c->err->format_message)(c, st->message);
  std::longjmp(st->jump, 1);
}
void JpegQuiet(j_common_ptr) {}  // The library never prints; warnings are not errors.

// Only `st` (created before setjmp and never reassigned) is used after a longjmp.
bool RunJpeg(JpegState* st, std::span<const uint8_t> b, int* channels) {
  if (setjmp(st->jump) != 0) return false;
  st->cinfo.err = jpeg_std_error(&st->err);
  st->err.error_exit = JpegErrorExit;
  st->err.output_message = JpegQuiet;
  st->cinfo.client_data = st;
  jpeg_create_decompress(&st->cinfo);
  st->created = true;
  jpeg_mem_src(&st->cinfo, b.data(), static_cast<unsigned long>(b.size()));
  jpeg_read_header(&st->cinfo, TRUE);
  const J_COLOR_SPACE in = st->cinfo.jpeg_color_space;
  if (in == JCS_CMYK || in == JCS_YCCK) {
    std::snprintf(st->message, sizeof st->message, "CMYK JPEGs are not supported (expected grey or colour)");
    return false;
  }
  st->cinfo.out_color_space = in == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_calc_output_dimensions(&st->cinfo);
  const int64_t w = st->cinfo.output_width, h = st->cinfo.output_height;
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide || w * h > kMaxImagePixels) {
    std::snprintf(st->message, sizeof st->message, "size %lldx%lld out of range", static_cast<long long>(w),
                  static_cast<long long>(h));
    return false;
  }
  *channels = st->cinfo.output_components;
  st->pixels.resize(static_cast<size_t>(w * h * *channels));
  jpeg_start_decompress(&st->cinfo);
  const size_t stride = static_cast<size_t>(w * *channels);
  while (st->cinfo.output_scanline < st->cinfo.output_height) {
    JSAMPROW row = st->pixels.data() + stride * st->cinfo.output_scanline;
    jpeg_read_scanlines(&st->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&st->cinfo);
  return true;
}

Result<DecodedImage> DecodeJpeg(std::span<const uint8_t> b, const std::string& name) {
  auto st = std::make_unique<JpegState>();
  int channels = 0;
  if (!RunJpeg(st.get(), b, &channels)) return Bad("JPEG", name, st->message);
  DecodedImage out;
  out.image.width = static_cast<int>(st->cinfo.output_width);
  out.image.height = static_cast<int>(st->cinfo.output_height);
  out.image.channels = channels;
  out.image.pixels = std::move(st->pixels);
  out.format = fmt::format("JPEG ({})", ChannelName(channels));
  return out;
}

}  // namespace

Result<DecodedImage> DecodeImage(std::span<const uint8_t> b, const std::string& name) {
  auto starts = [&](std::initializer_list<uint8_t> sig) {
    return b.size() >= sig.size() && std::equal(sig.begin(), sig.end(), b.begin());
  };
  if (starts({'B', 'M'})) return DecodeBmpFile(b, name);
  if (starts({0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) return DecodePng(b, name);
  if (starts({0xFF, 0xD8, 0xFF})) return DecodeJpeg(b, name);
  return InvalidArgumentError(
      fmt::format("'{}' is not an image file etpu reads (expected {})", name, kImageFormats));
}

Result<DecodedImage> ReadImage(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(path));
  return DecodeImage(bytes, path);
}

Result<ConvertedImage> ConvertChannels(const Image& image, int channels) {
  const int sc = image.channels;
  if (sc < 1 || sc > 4 || image.pixels.size() != static_cast<size_t>(image.height) * image.width * sc) {
    return InvalidArgumentError("ConvertChannels: inconsistent image");
  }
  ConvertedImage out;
  if (channels == sc) {
    out.image = image;
    return out;
  }
  if (channels != 1 && channels != 3) {
    return InvalidArgumentError(fmt::format("the image has {} channels ({}) but the input needs {}; etpu converts "
                                            "images to 1 (grey) or 3 (RGB) channels only",
                                            sc, ChannelName(sc), channels));
  }
  const bool has_alpha = sc == 2 || sc == 4;
  const bool colour = sc >= 3;
  const size_t n = static_cast<size_t>(image.height) * image.width;
  out.image.height = image.height;
  out.image.width = image.width;
  out.image.channels = channels;
  out.image.pixels.resize(n * static_cast<size_t>(channels));
  const uint8_t* src = image.pixels.data();
  uint8_t* dst = out.image.pixels.data();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = src + i * static_cast<size_t>(sc);
    if (channels == 3) {
      for (int c = 0; c < 3; ++c) dst[i * 3 + static_cast<size_t>(c)] = colour ? p[c] : p[0];
    } else if (colour) {
      // BT.601 weights in 16-bit fixed point (they sum to 65536), rounded.
      dst[i] = static_cast<uint8_t>((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
    } else {
      dst[i] = p[0];
    }
  }
  std::string what;
  if (has_alpha) what = "alpha dropped";
  if (channels == 3 && !colour) what += std::string(what.empty() ? "" : ", ") + "grey copied to R, G and B";
  if (channels == 1 && colour) {
    what += std::string(what.empty() ? "" : ", ") + "RGB to grey by ITU-R BT.601 weights 0.299 R + 0.587 G + 0.114 B";
  }
  out.conversion = fmt::format("{} -> {} ({})", ChannelName(sc), ChannelName(channels), what);
  return out;
}

}  // namespace etpu::runtime
