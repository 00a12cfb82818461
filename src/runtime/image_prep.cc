#include "runtime/image_prep.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "base/file_io.h"

namespace etpu::runtime {
namespace {

uint32_t U32(std::span<const uint8_t> b, size_t o) {
  return uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 | uint32_t{b[o + 3]} << 24;
}
uint16_t U16(std::span<const uint8_t> b, size_t o) { return static_cast<uint16_t>(b[o] | b[o + 1] << 8); }

}  // namespace

Result<Image> DecodeBmp(std::span<const uint8_t> b, const std::string& name) {
  auto bad = [&](const std::string& m) { return InvalidArgumentError(fmt::format("failed to read BMP '{}': {}", name, m)); };
  if (b.size() < 54) return bad(fmt::format("file has {} bytes (expected at least 54)", b.size()));
  if (b[0] != 'B' || b[1] != 'M') return bad("missing 'BM' signature");
  const uint32_t off = U32(b, 10);
  const int32_t w = static_cast<int32_t>(U32(b, 18));
  int32_t h = static_cast<int32_t>(U32(b, 22));
  const int bpp = U16(b, 28);
  if (U32(b, 30) != 0) return bad(fmt::format("compression {} is not supported (expected 0)", U32(b, 30)));
  if (bpp != 8 && bpp != 24 && bpp != 32) return bad(fmt::format("{} bits per pixel (expected 8, 24 or 32)", bpp));
  const bool top_down = h < 0;
  if (top_down) h = h == INT32_MIN ? 0 : -h;
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide) {
    return bad(fmt::format("size {}x{} out of range", w, h));
  }
  const int ch = bpp / 8;
  const uint64_t stride = (uint64_t{8} * ch * w + 31) / 32 * 4;
  // The last row read needs only its pixels, not its padding.
  const uint64_t need = uint64_t{off} + stride * (h - 1) + uint64_t{static_cast<uint32_t>(w)} * ch;
  if (need > b.size()) return bad(fmt::format("pixel data needs {} bytes but the file has {}", need, b.size()));
  Image img;
  img.height = h;
  img.width = w;
  img.channels = ch;
  img.pixels.resize(static_cast<size_t>(w) * h * ch);
  for (int i = 0; i < h; ++i) {
    const int row = top_down ? i : h - 1 - i;
    const uint8_t* src = b.data() + off + stride * i;
    uint8_t* dst = img.pixels.data() + static_cast<size_t>(row) * w * ch;
    for (int j = 0; j < w; ++j) {
      for (int c = 0; c < ch; ++c) {
        const int cc = (ch >= 3 && c < 3) ? 2 - c : c;
        dst[j * ch + c] = src[j * ch + cc];
      }
    }
  }
  return img;
}

Result<Image> ReadBmp(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(path));
  return DecodeBmp(bytes, path);
}

Result<std::vector<uint8_t>> PrepareImage(const Image& image, int oh, int ow, int oc) {
  if (image.pixels.size() != static_cast<size_t>(image.height) * image.width * image.channels || image.height <= 0 ||
      image.width <= 0) {
    return InvalidArgumentError("PrepareImage: inconsistent image");
  }
  if (oh <= 0 || ow <= 0 || oh > kMaxImageSide || ow > kMaxImageSide) {
    return InvalidArgumentError(fmt::format("PrepareImage: target size {}x{} out of range", oh, ow));
  }
  const int h = image.height, w = image.width;
  std::vector<uint8_t> gray;
  const uint8_t* src = image.pixels.data();
  int sc = image.channels;
  if (oc == 1 && sc >= 3) {
    gray.resize(static_cast<size_t>(w) * h);
    for (size_t i = 0; i < gray.size(); ++i) {
      gray[i] = static_cast<uint8_t>((src[i * sc] + src[i * sc + 1] + src[i * sc + 2]) / 3);
    }
    src = gray.data();
    sc = 1;
  }
  if (oc != sc) {
    return InvalidArgumentError(fmt::format("PrepareImage: the image has {} channels but the input needs {}", sc, oc));
  }
  std::vector<uint8_t> dst(static_cast<size_t>(oh) * ow * oc);
  if (oh == h && ow == w) {
    std::memcpy(dst.data(), src, dst.size());
    return dst;
  }
  // Every operation rounds to float32, as Math.fround does after each step in prep.mjs.
  const float hs = static_cast<float>(h) / static_cast<float>(oh);
  const float ws = static_cast<float>(w) / static_cast<float>(ow);
  struct Interp {
    float x;
    int lo, hi;
  };
  auto iv = [](int v, float s, int n) {
    volatile float t = (static_cast<float>(v) + 0.5f) * s;
    const float x = t - 0.5f;
    const float fl = std::floor(x);
    return Interp{x, static_cast<int>(std::max(fl, 0.0f)), static_cast<int>(std::min(std::ceil(x), float(n - 1)))};
  };
  for (int y = 0; y < oh; ++y) {
    const Interp iy = iv(y, hs, h);
    for (int x = 0; x < ow; ++x) {
      const Interp ix = iv(x, ws, w);
      const float dy = iy.x - static_cast<float>(iy.lo), dx = ix.x - static_cast<float>(ix.lo);
      const float ody = 1.0f - dy, odx = 1.0f - dx;
      for (int c = 0; c < oc; ++c) {
        auto p = [&](int yy, int xx) { return static_cast<float>(src[(static_cast<size_t>(yy) * w + xx) * oc + c]); };
        volatile float a = p(iy.lo, ix.lo) * ody;
        volatile float a2 = a * odx;
        volatile float b = p(iy.hi, ix.lo) * dy;
        volatile float b2 = b * odx;
        volatile float ab = a2 + b2;
        volatile float c1 = p(iy.lo, ix.hi) * ody;
        volatile float c2 = c1 * dx;
        volatile float abc = ab + c2;
        volatile float d1 = p(iy.hi, ix.hi) * dy;
        volatile float d2 = d1 * dx;
        const float v = abc + d2;
        dst[(static_cast<size_t>(y) * ow + x) * oc + c] = static_cast<uint8_t>(std::trunc(v));
      }
    }
  }
  return dst;
}

}  // namespace etpu::runtime
