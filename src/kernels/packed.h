// Prepare-time packing and the execution context of the fast CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED kernels (uint8 / int8).
//
// A layer's weights, bias and requantization never change between invocations, yet the fast
// paths need them in another layout (int16 or sign-flipped rows, broadcast-tile blocks,
// per-channel requantization vectors, bias plus the exact offset corrections). Pack*() builds
// that once; passing the result in an ExecContext makes each call skip it. A pack records the
// fast instruction set it was built for: when the active one differs (SetFastIsaCap,
// SetFastKernelsEnabled) the kernel ignores it and packs per call, as without one. The bytes
// computed are the same either way, and the same for any thread pool (each output byte is
// computed by one task from the same operands).
#pragma once

#include <cstdint>
#include <memory>

#include "kernels/conv.h"
#include "kernels/fully_connected.h"
#include "kernels/types.h"

namespace etpu::kernels {

class ThreadPool;
struct PackedLayer;  ///< Defined in fast_kernels.h (internal layout).

/// What a kernel call may use besides its operands. Both members are optional.
struct ExecContext {
  const PackedLayer* packed = nullptr;  ///< From the Pack*() of this layer's constant operands.
  ThreadPool* pool = nullptr;           ///< Splits the call's output rows over its threads.
};

/// The constant operands of a layer, packed for the fast path of the CPU's active instruction
/// set; nullptr when no fast path applies (the kernel then runs as without a pack). `weights`
/// and `bias` (may be null) must stay unchanged for as long as the pack is used with them.
std::shared_ptr<const PackedLayer> PackConv2D(const ConvParams& p, Shape4 in, Shape4 filter,
                                              const uint8_t* weights, const int32_t* bias,
                                              Shape4 out);
std::shared_ptr<const PackedLayer> PackConv2D(const ConvParams& p, Shape4 in, Shape4 filter,
                                              const int8_t* weights, const int32_t* bias,
                                              Shape4 out);
std::shared_ptr<const PackedLayer> PackDepthwiseConv2D(const ConvParams& p, Shape4 in,
                                                       Shape4 filter, const uint8_t* weights,
                                                       const int32_t* bias, Shape4 out);
std::shared_ptr<const PackedLayer> PackDepthwiseConv2D(const ConvParams& p, Shape4 in,
                                                       Shape4 filter, const int8_t* weights,
                                                       const int32_t* bias, Shape4 out);
std::shared_ptr<const PackedLayer> PackFullyConnected(const FullyConnectedParams& p, FcDims d,
                                                      const uint8_t* weights,
                                                      const int32_t* bias);
std::shared_ptr<const PackedLayer> PackFullyConnected(const FullyConnectedParams& p, FcDims d,
                                                      const int8_t* weights,
                                                      const int32_t* bias);

/// The kernels of conv.h / fully_connected.h with a context (same results, bit for bit).
Status Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
              const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
              const ExecContext& ctx);
Status Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
              const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
              const ExecContext& ctx);
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                       const ExecContext& ctx);
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                       const ExecContext& ctx);
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                      const uint8_t* weights, const int32_t* bias, uint8_t* output,
                      const ExecContext& ctx);
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                      const int8_t* weights, const int32_t* bias, int8_t* output,
                      const ExecContext& ctx);

}  // namespace etpu::kernels
