#include "kernels/pooling.h"

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

namespace etpu::kernels {
namespace {

Result<PoolParams> PrepareGeometry(const PoolOptions& o, Shape4 input) {
  if (!input.Valid()) return InvalidArgumentError("failed to prepare pooling: bad input shape");
  ETPU_ASSIGN_OR_RETURN(PaddedDim h, ComputePaddedDim(o.padding, input.h, o.filter_h, o.stride_h, 1));
  ETPU_ASSIGN_OR_RETURN(PaddedDim w, ComputePaddedDim(o.padding, input.w, o.filter_w, o.stride_w, 1));
  PoolParams p;
  p.stride_h = o.stride_h;
  p.stride_w = o.stride_w;
  p.filter_h = o.filter_h;
  p.filter_w = o.filter_w;
  p.pad_top = h.pad;
  p.pad_left = w.pad;
  p.out_h = h.out;
  p.out_w = w.out;
  return p;
}

Status CheckShapes(const char* op, const PoolParams& p, Shape4 in, Shape4 out) {
  if (!in.Valid() || out.n != in.n || out.c != in.c || out.h != p.out_h || out.w != p.out_w ||
      p.stride_h <= 0 || p.stride_w <= 0 || p.filter_h <= 0 || p.filter_w <= 0) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": output " + out.ToString() +
                                " does not match input " + in.ToString());
  }
  return OkStatus();
}

// Calls f(b, oy, ox, y0, y1, x0, x1) with the clipped window [y0, y1) x [x0, x1).
template <typename F>
void ForEachWindow(const PoolParams& p, Shape4 in, Shape4 out, F&& f) {
  for (int b = 0; b < out.n; ++b)
    for (int oy = 0; oy < out.h; ++oy) {
      const int iy = oy * p.stride_h - p.pad_top;
      const int y0 = std::max(0, iy), y1 = std::min(in.h, iy + p.filter_h);
      for (int ox = 0; ox < out.w; ++ox) {
        const int ix = ox * p.stride_w - p.pad_left;
        const int x0 = std::max(0, ix), x1 = std::min(in.w, ix + p.filter_w);
        f(b, oy, ox, y0, y1, x0, x1);
      }
    }
}

template <typename T>
Status AvgQuantized(const PoolParams& p, Shape4 in, const T* input, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("AVERAGE_POOL_2D", p, in, out));
  ForEachWindow(p, in, out, [&](int b, int oy, int ox, int y0, int y1, int x0, int x1) {
    const int32_t count = (y1 - y0) * (x1 - x0);
    for (int c = 0; c < in.c; ++c) {
      int32_t acc = 0;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) acc += input[Offset(in, b, y, x, c)];
      int32_t avg = 0;
      if (count > 0) {
        if constexpr (std::is_same_v<T, uint8_t>) {
          avg = (acc + count / 2) / count;
        } else {
          avg = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        }
      }
      output[Offset(out, b, oy, ox, c)] = static_cast<T>(Clamp(avg, p.act_min, p.act_max));
    }
  });
  return OkStatus();
}

template <typename T>
Status MaxQuantized(const PoolParams& p, Shape4 in, const T* input, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("MAX_POOL_2D", p, in, out));
  ForEachWindow(p, in, out, [&](int b, int oy, int ox, int y0, int y1, int x0, int x1) {
    for (int c = 0; c < in.c; ++c) {
      int32_t m = std::is_same_v<T, uint8_t> ? 0 : -128;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) m = std::max<int32_t>(m, input[Offset(in, b, y, x, c)]);
      output[Offset(out, b, oy, ox, c)] = static_cast<T>(Clamp(m, p.act_min, p.act_max));
    }
  });
  return OkStatus();
}

}  // namespace

Result<PoolParams> PreparePool(const PoolOptions& o, Shape4 input, QType type, QuantParams output) {
  ETPU_ASSIGN_OR_RETURN(PoolParams p, PrepareGeometry(o, input));
  ETPU_ASSIGN_OR_RETURN(ActivationRange r, CalculateActivationRangeQuantized(o.activation, type, output));
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

Result<PoolParams> PreparePoolFloat(const PoolOptions& o, Shape4 input) {
  ETPU_ASSIGN_OR_RETURN(PoolParams p, PrepareGeometry(o, input));
  ETPU_ASSIGN_OR_RETURN(FloatRange r, CalculateActivationRangeFloat(o.activation));
  p.float_min = r.min;
  p.float_max = r.max;
  return p;
}

Status AveragePool(const PoolParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output) {
  return AvgQuantized(p, in, input, out, output);
}
Status AveragePool(const PoolParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output) {
  return AvgQuantized(p, in, input, out, output);
}
Status MaxPool(const PoolParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output) {
  return MaxQuantized(p, in, input, out, output);
}
Status MaxPool(const PoolParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output) {
  return MaxQuantized(p, in, input, out, output);
}

Status AveragePool(const PoolParams& p, Shape4 in, const float* input, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("AVERAGE_POOL_2D", p, in, out));
  ForEachWindow(p, in, out, [&](int b, int oy, int ox, int y0, int y1, int x0, int x1) {
    const int count = (y1 - y0) * (x1 - x0);
    for (int c = 0; c < in.c; ++c) {
      float total = 0.0f;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) total += input[Offset(in, b, y, x, c)];
      const float avg = count > 0 ? total / static_cast<float>(count) : 0.0f;
      output[Offset(out, b, oy, ox, c)] = std::min(std::max(avg, p.float_min), p.float_max);
    }
  });
  return OkStatus();
}

Status MaxPool(const PoolParams& p, Shape4 in, const float* input, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(CheckShapes("MAX_POOL_2D", p, in, out));
  ForEachWindow(p, in, out, [&](int b, int oy, int ox, int y0, int y1, int x0, int x1) {
    for (int c = 0; c < in.c; ++c) {
      float m = std::numeric_limits<float>::lowest();
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) m = std::max(m, input[Offset(in, b, y, x, c)]);
      output[Offset(out, b, oy, ox, c)] = std::min(std::max(m, p.float_min), p.float_max);
    }
  });
  return OkStatus();
}

}  // namespace etpu::kernels
