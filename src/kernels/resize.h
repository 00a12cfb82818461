// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (uint8, int8, float), NHWC, current TFLite
// semantics (TF 2.9 reference): align_corners / half_pixel_centers.
//
// Bilinear int8 uses the integer path: scale_10 = round(2^10 * in / out) (or
// (in-1)/(out-1) with align_corners), source position in 1/1024 units, four weights in Q10
// each, products summed in int64 and rounded by 2^20 half away from zero.
// Bilinear uint8 is what the TFLite 2.9 library's builtin kernel computes (checked bit for bit
// against it): float positions and weights, products summed in float (y0x0, y0x1, y1x0, y1x1),
// rounded to nearest. Float bilinear and nearest neighbour follow the float formulas.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Options shared by both resize ops.
struct ResizeParams {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

Status ResizeBilinear(const ResizeParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output);
Status ResizeBilinear(const ResizeParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output);
Status ResizeBilinear(const ResizeParams& p, Shape4 in, const float* input, Shape4 out, float* output);
Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output);
Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output);
Status ResizeNearestNeighbor(const ResizeParams& p, Shape4 in, const float* input, Shape4 out, float* output);

}  // namespace etpu::kernels
