#include "kernels/shape_ops.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>

namespace etpu::kernels {
namespace {

Status CheckDims(const char* op, std::span<const int> dims) {
  if (dims.size() > static_cast<size_t>(kMaxDims)) {
    return UnimplementedError(std::string("failed to run ") + op + ": " +
                              std::to_string(dims.size()) + " dimensions (at most " +
                              std::to_string(kMaxDims) + ")");
  }
  for (int d : dims) {
    if (d < 0) return InvalidArgumentError(std::string("failed to run ") + op + ": negative dimension");
  }
  return OkStatus();
}

template <typename T>
void CopyRequantized(const T* in, int64_t n, QuantParams in_q, QuantParams out_q, T* out) {
  const float inverse_output_scale = 1.f / out_q.scale;
  const float scale = in_q.scale * inverse_output_scale;
  const float bias = -in_q.zero_point * scale;
  constexpr int32_t kMin = std::is_same_v<T, uint8_t> ? 0 : -128;
  constexpr int32_t kMax = std::is_same_v<T, uint8_t> ? 255 : 127;
  for (int64_t j = 0; j < n; ++j) {
    // Clamped to int32's range in float before the conversion (a value beyond it, or NaN from a
    // hostile scale, would make it undefined), then the zero point added in 64 bits: TFLite's
    // result wherever TFLite's is defined. NaN goes to the zero point.
    const float r = std::round(in[j] * scale + bias);
    const float f = std::isnan(r) ? 0.0f : std::clamp(r, -2147483648.0f, 2147483520.0f);
    const int64_t v = static_cast<int64_t>(f) + out_q.zero_point;
    out[j] = static_cast<T>(std::clamp<int64_t>(v, kMin, kMax));
  }
}

}  // namespace

int64_t DimProduct(std::span<const int> dims, int begin, int end) {
  int64_t p = 1;
  for (int i = begin; i < end; ++i) p *= dims[i];
  return p;
}

Status ConcatenationRaw(std::span<const ConcatInput> inputs, int64_t outer, int64_t inner,
                        size_t elem_size, void* output) {
  if (outer < 0 || inner < 0) return InvalidArgumentError("failed to run CONCATENATION: bad dims");
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConcatInput& in : inputs) {
      const size_t bytes = static_cast<size_t>(in.axis_size * inner) * elem_size;
      std::memcpy(out, static_cast<const uint8_t*>(in.data) + o * bytes, bytes);
      out += bytes;
    }
  }
  return OkStatus();
}

Status Concatenation(std::span<const ConcatInput> inputs, int64_t outer, int64_t inner, QType type,
                     QuantParams out_q, void* output) {
  if (outer < 0 || inner < 0) return InvalidArgumentError("failed to run CONCATENATION: bad dims");
  if (!(out_q.scale > 0)) return InvalidArgumentError("failed to run CONCATENATION: output scale");
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConcatInput& in : inputs) {
      const int64_t n = in.axis_size * inner;
      const auto* src = static_cast<const uint8_t*>(in.data) + o * n;
      if (in.q.zero_point == out_q.zero_point && in.q.scale == out_q.scale) {
        std::memcpy(out, src, static_cast<size_t>(n));
      } else if (type == QType::kUInt8) {
        CopyRequantized(src, n, in.q, out_q, out);
      } else {
        CopyRequantized(reinterpret_cast<const int8_t*>(src), n, in.q, out_q,
                        reinterpret_cast<int8_t*>(out));
      }
      out += n;
    }
  }
  return OkStatus();
}

Status Split(const void* input, int64_t outer, int64_t inner, size_t elem_size,
             std::span<const int64_t> sizes, std::span<void* const> outputs) {
  if (sizes.size() != outputs.size() || outer < 0 || inner < 0) {
    return InvalidArgumentError("failed to run SPLIT: " + std::to_string(sizes.size()) +
                                " sizes for " + std::to_string(outputs.size()) + " outputs");
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) return InvalidArgumentError("failed to run SPLIT: negative size");
    total += s;
  }
  const auto* in = static_cast<const uint8_t*>(input);
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      const size_t bytes = static_cast<size_t>(sizes[i] * inner) * elem_size;
      std::memcpy(static_cast<uint8_t*>(outputs[i]) + o * bytes, in, bytes);
      in += bytes;
    }
  }
  (void)total;
  return OkStatus();
}

void Reshape(const void* input, size_t bytes, void* output) {
  if (input != output) std::memmove(output, input, bytes);
}

Status Pad(std::span<const int> in_dims, std::span<const int> before, std::span<const int> after,
           size_t elem_size, const void* pad_value, const void* input, void* output) {
  ETPU_RETURN_IF_ERROR(CheckDims("PAD", in_dims));
  const int r = static_cast<int>(in_dims.size());
  if (before.size() != in_dims.size() || after.size() != in_dims.size()) {
    return InvalidArgumentError("failed to run PAD: paddings do not match rank " + std::to_string(r));
  }
  int out_dims[kMaxDims];
  for (int i = 0; i < r; ++i) {
    if (before[i] < 0 || after[i] < 0) return InvalidArgumentError("failed to run PAD: negative padding");
    out_dims[i] = in_dims[i] + before[i] + after[i];
  }
  const int64_t out_n = DimProduct({out_dims, static_cast<size_t>(r)}, 0, r);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t i = 0; i < out_n; ++i) std::memcpy(out + i * elem_size, pad_value, elem_size);
  if (r == 0) {
    std::memcpy(out, input, elem_size);
    return OkStatus();
  }
  const int64_t in_n = DimProduct(in_dims, 0, r);
  if (in_n == 0) return OkStatus();
  // Copy the input row by row (rows along the last dimension).
  const int64_t row = in_dims[r - 1];
  const auto* in = static_cast<const uint8_t*>(input);
  int idx[kMaxDims] = {0};
  for (int64_t start = 0; start < in_n; start += row) {
    int64_t o = 0;
    for (int d = 0; d < r; ++d) o = o * out_dims[d] + idx[d] + before[d];
    std::memcpy(out + o * elem_size, in + start * elem_size, static_cast<size_t>(row) * elem_size);
    for (int d = r - 2; d >= 0; --d) {
      if (++idx[d] < in_dims[d]) break;
      idx[d] = 0;
    }
  }
  return OkStatus();
}

Status Transpose(std::span<const int> in_dims, std::span<const int> perm, size_t elem_size,
                 const void* input, void* output) {
  ETPU_RETURN_IF_ERROR(CheckDims("TRANSPOSE", in_dims));
  const int r = static_cast<int>(in_dims.size());
  if (perm.size() != in_dims.size()) return InvalidArgumentError("failed to run TRANSPOSE: perm size");
  bool seen[kMaxDims] = {false};
  for (int p : perm) {
    if (p < 0 || p >= r || seen[p]) return InvalidArgumentError("failed to run TRANSPOSE: bad perm");
    seen[p] = true;
  }
  int64_t in_strides[kMaxDims];
  int64_t s = 1;
  for (int d = r - 1; d >= 0; --d) {
    in_strides[d] = s;
    s *= in_dims[d];
  }
  const int64_t n = s;
  int out_dims[kMaxDims];
  for (int d = 0; d < r; ++d) out_dims[d] = in_dims[perm[d]];
  int idx[kMaxDims] = {0};
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (int d = 0; d < r; ++d) src += idx[d] * in_strides[perm[d]];
    std::memcpy(out + o * elem_size, in + src * elem_size, elem_size);
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return OkStatus();
}

int SliceAxis::Count() const {
  if (stride > 0) return start < stop ? (stop - start + stride - 1) / stride : 0;
  return start > stop ? (start - stop - stride - 1) / (-stride) : 0;
}

Result<std::vector<SliceAxis>> ResolveStridedSlice(std::span<const int> in_dims,
                                                   std::span<const int> begin,
                                                   std::span<const int> end,
                                                   std::span<const int> strides, int begin_mask,
                                                   int end_mask, int shrink_axis_mask) {
  ETPU_RETURN_IF_ERROR(CheckDims("STRIDED_SLICE", in_dims));
  const size_t r = in_dims.size();
  if (begin.size() != r || end.size() != r || strides.size() != r) {
    return InvalidArgumentError("failed to resolve STRIDED_SLICE: begin/end/strides sizes differ from rank " +
                                std::to_string(r));
  }
  std::vector<SliceAxis> axes(r);
  for (size_t a = 0; a < r; ++a) {
    const int size = in_dims[a];
    const int stride = strides[a];
    if (stride == 0) return InvalidArgumentError("failed to resolve STRIDED_SLICE: zero stride");
    int64_t start = begin[a];
    if (begin_mask & (1 << a)) start = stride > 0 ? INT_MIN : INT_MAX;
    if (start < 0) start += size;
    start = stride > 0 ? std::clamp<int64_t>(start, 0, size) : std::clamp<int64_t>(start, -1, size - 1);
    int64_t stop = end[a];
    const bool shrink = shrink_axis_mask & (1 << a);
    if (shrink) {
      stop = start + 1;
    } else {
      if (end_mask & (1 << a)) stop = stride > 0 ? INT_MAX : INT_MIN;
      if (stop < 0) stop += size;
      stop = stride > 0 ? std::clamp<int64_t>(stop, 0, size) : std::clamp<int64_t>(stop, -1, size - 1);
    }
    axes[a] = SliceAxis{static_cast<int>(start), static_cast<int>(stop), shrink ? 1 : stride};
    if (shrink && (start < 0 || start >= size)) {
      return InvalidArgumentError("failed to resolve STRIDED_SLICE: shrunk axis " + std::to_string(a) +
                                  " index out of range");
    }
  }
  return axes;
}

Status StridedSlice(std::span<const int> in_dims, std::span<const SliceAxis> axes,
                    size_t elem_size, const void* input, void* output) {
  ETPU_RETURN_IF_ERROR(CheckDims("STRIDED_SLICE", in_dims));
  const int r = static_cast<int>(in_dims.size());
  if (axes.size() != in_dims.size()) return InvalidArgumentError("failed to run STRIDED_SLICE: rank");
  int64_t strides[kMaxDims];
  int64_t s = 1;
  int64_t total = 1;
  for (int d = r - 1; d >= 0; --d) {
    strides[d] = s;
    s *= in_dims[d];
    const SliceAxis& a = axes[d];
    const int n = a.Count();
    if (n > 0 && (a.start < 0 || a.start >= in_dims[d] || a.start + int64_t{n - 1} * a.stride < 0 ||
                  a.start + int64_t{n - 1} * a.stride >= in_dims[d])) {
      return InvalidArgumentError("failed to run STRIDED_SLICE: axis " + std::to_string(d) + " out of range");
    }
    total *= n;
  }
  if (total == 0) return OkStatus();
  int idx[kMaxDims] = {0};
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < total; ++o) {
    int64_t src = 0;
    for (int d = 0; d < r; ++d) src += (axes[d].start + int64_t{idx[d]} * axes[d].stride) * strides[d];
    std::memcpy(out + o * elem_size, in + src * elem_size, elem_size);
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < axes[d].Count()) break;
      idx[d] = 0;
    }
  }
  return OkStatus();
}

Result<std::vector<SliceAxis>> ResolveSlice(std::span<const int> in_dims, std::span<const int64_t> begin,
                                            std::span<const int64_t> size) {
  if (begin.size() != in_dims.size() || size.size() != in_dims.size()) {
    return InvalidArgumentError("failed to prepare SLICE: begin and size must have one entry per dimension");
  }
  std::vector<SliceAxis> axes;
  for (size_t d = 0; d < in_dims.size(); ++d) {
    const int64_t b = begin[d];
    const int64_t n = size[d] == -1 ? in_dims[d] - b : size[d];
    if (b < 0 || n < 0 || b + n > in_dims[d]) {
      return InvalidArgumentError("failed to prepare SLICE: slice [" + std::to_string(b) + ", +" + std::to_string(n) +
                                  ") out of range for dimension " + std::to_string(d) + " of size " +
                                  std::to_string(in_dims[d]));
    }
    axes.push_back({static_cast<int>(b), static_cast<int>(b + n), 1});
  }
  return axes;
}

Status GatherNd(std::span<const int> params_dims, size_t elem_size, const void* params, const int32_t* indices,
                int64_t count, int k, void* output) {
  ETPU_RETURN_IF_ERROR(CheckDims("GATHER_ND", params_dims));
  if (k < 1 || k > static_cast<int>(params_dims.size()) || count < 0) {
    return InvalidArgumentError("failed to run GATHER_ND: index depth " + std::to_string(k) + " for rank " +
                                std::to_string(params_dims.size()));
  }
  const int64_t slice = DimProduct(params_dims, k, static_cast<int>(params_dims.size())) * static_cast<int64_t>(elem_size);
  const auto* p = static_cast<const uint8_t*>(params);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t i = 0; i < count; ++i) {
    int64_t off = 0;
    for (int d = 0; d < k; ++d) {
      const int32_t v = indices[i * k + d];
      const int dim = params_dims[static_cast<size_t>(d)];
      if (v < 0 || v >= dim) {
        return InvalidArgumentError("failed to run GATHER_ND: index " + std::to_string(v) + " out of range [0, " +
                                    std::to_string(dim) + ")");
      }
      off = off * dim + v;
    }
    std::memcpy(out + i * slice, p + off * slice, static_cast<size_t>(slice));
  }
  return OkStatus();
}

Status SpaceToDepth(int block, Shape4 in, size_t elem_size, const void* input, Shape4 out, void* output) {
  if (block < 1 || !in.Valid() || in.h % block != 0 || in.w % block != 0 ||
      !(out == Shape4{in.n, in.h / block, in.w / block, in.c * block * block})) {
    return InvalidArgumentError("failed to run SPACE_TO_DEPTH: block size " + std::to_string(block) +
                                " does not fit input " + in.ToString() + " / output " + out.ToString());
  }
  const auto* src_base = static_cast<const uint8_t*>(input);
  auto* dst_base = static_cast<uint8_t*>(output);
  const int64_t es = static_cast<int64_t>(elem_size);
  for (int b = 0; b < out.n; ++b)
    for (int y = 0; y < out.h; ++y)
      for (int x = 0; x < out.w; ++x)
        for (int by = 0; by < block; ++by)
          for (int bx = 0; bx < block; ++bx) {
            const int64_t src = Offset(in, b, y * block + by, x * block + bx, 0);
            const int64_t dst = Offset(out, b, y, x, (by * block + bx) * in.c);
            std::memcpy(dst_base + dst * es, src_base + src * es, static_cast<size_t>(in.c) * elem_size);
          }
  return OkStatus();
}

namespace {

/// Tiles the block of input axes [d, rank) at `in` into `out`; returns the bytes written. Each
/// sub-block of axis d is tiled first, then the row of them is repeated multiples[d] times.
int64_t TileAxis(std::span<const int> in_dims, std::span<const int64_t> multiples, int d, size_t elem_size,
                 const uint8_t* in, uint8_t* out) {
  const int rank = static_cast<int>(in_dims.size());
  int64_t row = 0;
  if (d == rank - 1) {
    row = static_cast<int64_t>(in_dims[static_cast<size_t>(d)]) * static_cast<int64_t>(elem_size);
    if (row > 0) std::memcpy(out, in, static_cast<size_t>(row));
  } else {
    const int64_t in_block = DimProduct(in_dims, d + 1, rank) * static_cast<int64_t>(elem_size);
    for (int i = 0; i < in_dims[static_cast<size_t>(d)]; ++i) {
      row += TileAxis(in_dims, multiples, d + 1, elem_size, in + i * in_block, out + row);
    }
  }
  for (int64_t m = 1; m < multiples[static_cast<size_t>(d)]; ++m) {
    std::memcpy(out + m * row, out, static_cast<size_t>(row));
  }
  return row * multiples[static_cast<size_t>(d)];
}

}  // namespace

Status Tile(std::span<const int> in_dims, std::span<const int64_t> multiples, size_t elem_size, const void* input,
            void* output) {
  ETPU_RETURN_IF_ERROR(CheckDims("TILE", in_dims));
  if (multiples.size() != in_dims.size()) {
    return InvalidArgumentError("failed to run TILE: " + std::to_string(multiples.size()) + " multiples for " +
                                std::to_string(in_dims.size()) + " dimensions");
  }
  for (int64_t m : multiples) {
    if (m < 0 || m > INT_MAX) return InvalidArgumentError("failed to run TILE: multiple " + std::to_string(m));
  }
  if (in_dims.empty()) {
    std::memcpy(output, input, elem_size);
    return OkStatus();
  }
  for (size_t d = 0; d < in_dims.size(); ++d) {
    if (in_dims[d] == 0 || multiples[d] == 0) return OkStatus();  // empty output
  }
  TileAxis(in_dims, multiples, 0, elem_size, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
  return OkStatus();
}

}  // namespace etpu::kernels
