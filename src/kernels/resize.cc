#include "kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

namespace etpu::kernels {
namespace {

Status CheckShapes(const char* op, const ResizeParams& p, Shape4 in, Shape4 out) {
  if (!in.Valid() || !out.Valid() || in.n != out.n || in.c != out.c) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": output " + out.ToString() +
                                " does not match input " + in.ToString());
  }
  if (p.align_corners && p.half_pixel_centers) {
    return InvalidArgumentError(std::string("failed to run ") + op +
                                ": align_corners and half_pixel_centers are both set");
  }
  if (int64_t{in.h} * 1024 > INT32_MAX / 2 || int64_t{in.w} * 1024 > INT32_MAX / 2 ||
      int64_t{out.h} * in.h > INT32_MAX / 4 || int64_t{out.w} * in.w > INT32_MAX / 4) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": sizes too large");
  }
  return OkStatus();
}

int32_t Scale10(int in, int out, bool align_corners) {
  if (align_corners && out > 1) return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

struct Interp {
  int32_t pos;     // source position in 1/1024 units
  int32_t lo, hi;  // neighbouring source indices
};

Interp InterpInteger(int32_t value, int32_t scale_10, bool half_pixel, int32_t in_size) {
  Interp r;
  r.pos = half_pixel ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
  r.lo = std::max(r.pos / (1 << 10), 0);
  r.hi = std::min((r.pos + (1 << 10) - 1) / (1 << 10), in_size - 1);
  return r;
}

template <typename T>
Status BilinearInteger(const ResizeParams& p, Shape4 in, const T* input, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("RESIZE_BILINEAR", p, in, out));
  const int32_t sh = Scale10(in.h, out.h, p.align_corners);
  const int32_t sw = Scale10(in.w, out.w, p.align_corners);
  std::vector<Interp> xs(out.w);
  for (int x = 0; x < out.w; ++x) xs[x] = InterpInteger(x, sw, p.half_pixel_centers, in.w);
  for (int b = 0; b < out.n; ++b) {
    for (int y = 0; y < out.h; ++y) {
      const Interp iy = InterpInteger(y, sh, p.half_pixel_centers, in.h);
      const int64_t dy = iy.pos - (1 << 10) * iy.lo;
      for (int x = 0; x < out.w; ++x) {
        const Interp& ix = xs[x];
        const int64_t dx = ix.pos - (1 << 10) * ix.lo;
        const T* ll = input + Offset(in, b, iy.lo, ix.lo, 0);
        const T* lu = input + Offset(in, b, iy.hi, ix.lo, 0);
        const T* rl = input + Offset(in, b, iy.lo, ix.hi, 0);
        const T* ru = input + Offset(in, b, iy.hi, ix.hi, 0);
        T* o = output + Offset(out, b, y, x, 0);
        for (int c = 0; c < in.c; ++c) {
          const int64_t v = int64_t{ll[c]} * ((1 << 10) - dy) * ((1 << 10) - dx) +
                            int64_t{lu[c]} * dy * ((1 << 10) - dx) +
                            int64_t{rl[c]} * ((1 << 10) - dy) * dx + int64_t{ru[c]} * dy * dx;
          const int64_t round = v > 0 ? (1 << 19) : -(1 << 19);
          o[c] = static_cast<T>((v + round) / (1 << 20));
        }
      }
    }
  }
  return OkStatus();
}

int32_t NearestIndex(int value, int in_size, int out_size, bool align_corners, bool half_pixel) {
  const float scale = (align_corners && out_size > 1)
                          ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
                          : static_cast<float>(in_size) / static_cast<float>(out_size);
  const float offset = half_pixel ? 0.5f : 0.0f;
  const float pos = (static_cast<float>(value) + offset) * scale;
  int32_t r = std::min(align_corners ? static_cast<int32_t>(std::round(pos))
                                     : static_cast<int32_t>(std::floor(pos)),
                       in_size - 1);
  if (half_pixel) r = std::max(0, r);
  return r;
}

template <typename T>
Status Nearest(const ResizeParams& p, Shape4 in, const T* input, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("RESIZE_NEAREST_NEIGHBOR", p, in, out));
  std::vector<int32_t> xs(out.w);
  for (int x = 0; x < out.w; ++x) {
    xs[x] = NearestIndex(x, in.w, out.w, p.align_corners, p.half_pixel_centers);
  }
  for (int b = 0; b < out.n; ++b)
    for (int y = 0; y < out.h; ++y) {
      const int32_t iy = NearestIndex(y, in.h, out.h, p.align_corners, p.half_pixel_centers);
      for (int x = 0; x < out.w; ++x) {
        std::copy_n(input + Offset(in, b, iy, xs[x], 0), in.c, output + Offset(out, b, y, x, 0));
      }
    }
  return OkStatus();
}

void InterpFloat(int value, float scale, bool half_pixel, int in_size, float* pos, int* lo, int* hi) {
  *pos = half_pixel ? (static_cast<float>(value) + 0.5f) * scale - 0.5f : static_cast<float>(value) * scale;
  *lo = std::max(static_cast<int>(std::floor(*pos)), 0);
  *hi = std::min(static_cast<int>(std::ceil(*pos)), in_size - 1);
}

}  // namespace

Status ResizeBilinear(const ResizeParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output) {
  // TFLite 2.9's builtin uint8 kernel interpolates in float (four products summed in the order
  // y0x0, y0x1, y1x0, y1x1) and rounds to nearest; checked against the 2.9 library.
  ETPU_RETURN_IF_ERROR(CheckShapes("RESIZE_BILINEAR", p, in, out));
  auto scale = [&](int i, int o) {
    return (p.align_corners && o > 1) ? static_cast<float>(i - 1) / static_cast<float>(o - 1)
                                      : static_cast<float>(i) / static_cast<float>(o);
  };
  const float sh = scale(in.h, out.h), sw = scale(in.w, out.w);
  const bool simd = FastKernelsActive();
  for (int b = 0; b < out.n; ++b)
    for (int y = 0; y < out.h; ++y) {
      float iy;
      int y0, y1;
      InterpFloat(y, sh, p.half_pixel_centers, in.h, &iy, &y0, &y1);
      for (int x = 0; x < out.w; ++x) {
        float ix;
        int x0, x1;
        InterpFloat(x, sw, p.half_pixel_centers, in.w, &ix, &x0, &x1);
        const float dy = iy - static_cast<float>(y0), dx = ix - static_cast<float>(x0);
        const float s[4] = {(1 - dy) * (1 - dx), (1 - dy) * dx, dy * (1 - dx), dy * dx};
        // Channel loop: fast_resize.cc (the same float expression, SIMD when available).
        fast::BilinearPixelU8(input + Offset(in, b, y0, x0, 0), input + Offset(in, b, y0, x1, 0),
                              input + Offset(in, b, y1, x0, 0), input + Offset(in, b, y1, x1, 0), s,
                              in.c, simd, output + Offset(out, b, y, x, 0));
      }
    }
  return OkStatus();
}
Status ResizeBilinear(const ResizeParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output) {
  return BilinearInteger(p, in, input, out, output);
}

Status ResizeBilinear(const ResizeParams& p, Shape4 in, const float* input, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("RESIZE_BILINEAR", p, in, out));
  auto scale = [&](int i, int o) {
    return (p.align_corners && o > 1) ? static_cast<float>(i - 1) / static_cast<float>(o - 1)
                                      : static_cast<float>(i) / static_cast<float>(o);
  };
  const float sh = scale(in.h, out.h), sw = scale(in.w, out.w);
  for (int b = 0; b < out.n; ++b)
    for (int y = 0; y < out.h; ++y) {
      float iy;
      int y0, y1;
      InterpFloat(y, sh, p.half_pixel_centers, in.h, &iy, &y0, &y1);
      for (int x = 0; x < out.w; ++x) {
        float ix;
        int x0, x1;
        InterpFloat(x, sw, p.half_pixel_centers, in.w, &ix, &x0, &x1);
        for (int c = 0; c < in.c; ++c) {
          const float v = input[Offset(in, b, y0, x0, c)] * (1 - (iy - y0)) * (1 - (ix - x0)) +
                          input[Offset(in, b, y1, x0, c)] * (iy - y0) * (1 - (ix - x0)) +
                          input[Offset(in, b, y0, x1, c)] * (1 - (iy - y0)) * (ix - x0) +
                          input[Offset(in, b, y1, x1, c)] * (iy - y0) * (ix - x0);
          output[Offset(out, b, y, x, c)] = v;
        }
      }
    }
  return OkStatus();
}

Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output) {
  return Nearest(p, in, input, out, output);
}
Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output) {
  return Nearest(p, in, input, out, output);
}
Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const float* input, Shape4 out, float* output) {
  return Nearest(p, in, input, out, output);
}

}  // namespace etpu::kernels
