// Data-movement kernels: CONCATENATION (with 8-bit requantization of inputs whose quantization
// differs from the output's), SPLIT / SPLIT_V, RESHAPE (copy), PAD / PADV2, TRANSPOSE,
// STRIDED_SLICE, SLICE, GATHER_ND, SPACE_TO_DEPTH, TILE. Shapes are N-D (at most kMaxDims), row-major; copy-only kernels work on raw
// bytes of `elem_size` bytes each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

inline constexpr int kMaxDims = 6;

/// Product of dims[begin, end).
int64_t DimProduct(std::span<const int> dims, int begin, int end);

/// One input of a concatenation: its data, its extent along the axis, its quantization.
struct ConcatInput {
  const void* data = nullptr;
  int64_t axis_size = 0;
  QuantParams q;
};

/// Concatenation of inputs laid out as [outer, axis_size_i, inner]. 8-bit: inputs whose scale
/// or zero point differ from `out_q` are requantized as TFLite's ConcatenationWithScaling does
/// (float: round(x * (s_i / s_out) - zp_i * (s_i / s_out)) + zp_out, clamped).
Status Concatenation(std::span<const ConcatInput> inputs, int64_t outer, int64_t inner, QType type,
                     QuantParams out_q, void* output);
/// Plain concatenation (any element type, no requantization).
Status ConcatenationRaw(std::span<const ConcatInput> inputs, int64_t outer, int64_t inner,
                        size_t elem_size, void* output);

/// Splits [outer, sum(sizes), inner] into outputs of [outer, sizes[i], inner].
Status Split(const void* input, int64_t outer, int64_t inner, size_t elem_size,
             std::span<const int64_t> sizes, std::span<void* const> outputs);

/// RESHAPE: copies `bytes` bytes (no-op when input == output).
void Reshape(const void* input, size_t bytes, void* output);

/// PAD: output dims = in_dims + before + after, filled with *pad_value (elem_size bytes).
Status Pad(std::span<const int> in_dims, std::span<const int> before, std::span<const int> after,
           size_t elem_size, const void* pad_value, const void* input, void* output);

/// TRANSPOSE: output dim i = input dim perm[i].
Status Transpose(std::span<const int> in_dims, std::span<const int> perm, size_t elem_size,
                 const void* input, void* output);

/// Resolved per-axis slice: start, stop (exclusive), stride (non-zero).
struct SliceAxis {
  int start = 0, stop = 0, stride = 1;
  int Count() const;
};
/// Resolves STRIDED_SLICE begin/end/strides and masks as TFLite does (ellipsis and new-axis
/// masks are not supported). Shrunk axes keep extent 1 in the resolved form.
Result<std::vector<SliceAxis>> ResolveStridedSlice(std::span<const int> in_dims,
                                                   std::span<const int> begin,
                                                   std::span<const int> end,
                                                   std::span<const int> strides, int begin_mask,
                                                   int end_mask, int shrink_axis_mask);
/// STRIDED_SLICE with resolved axes; output holds the product of counts elements.
Status StridedSlice(std::span<const int> in_dims, std::span<const SliceAxis> axes,
                    size_t elem_size, const void* input, void* output);

/// SLICE: begin / size per dimension (size -1 = to the end) as stride-1 axes for StridedSlice;
/// an error when a slice leaves its dimension.
Result<std::vector<SliceAxis>> ResolveSlice(std::span<const int> in_dims, std::span<const int64_t> begin,
                                            std::span<const int64_t> size);

/// GATHER_ND: `count` index tuples of depth k (indices[i * k + d]) each select the slice
/// params[i_0, ..., i_{k-1}, ...] (the product of params_dims[k:] elements) into output i.
/// An index outside its dimension is an error.
Status GatherNd(std::span<const int> params_dims, size_t elem_size, const void* params, const int32_t* indices,
                int64_t count, int k, void* output);

/// SPACE_TO_DEPTH (NHWC): each block x block tile of pixels becomes block * block * C channels,
/// row-major within the tile; `out` must be [n, h / block, w / block, c * block^2].
Status SpaceToDepth(int block, Shape4 in, size_t elem_size, const void* input, Shape4 out, void* output);

/// TILE: output dim d = in_dims[d] * multiples[d]; output index i reads input index i mod in_dims
/// on every axis (TFLite's TILE; any element type, raw bytes). Negative multiples are an error;
/// a zero multiple gives an empty output.
Status Tile(std::span<const int> in_dims, std::span<const int64_t> multiples, size_t elem_size, const void* input,
            void* output);

}  // namespace etpu::kernels
