// Prepare-time packing of the fast CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED operands
// (packed.h); the layouts are built by the same functions the kernels use per call.
#include "kernels/packed.h"

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

namespace etpu::kernels {
namespace {

template <typename Params, typename T>
std::shared_ptr<const PackedLayer> PackGemm(const Params& p, int64_t rows, int64_t k, int oc_n,
                                            const T* weights, const int32_t* bias) {
  if (!FastKernelsActive() || weights == nullptr || rows <= 0 || k <= 0 || k > (1 << 20) ||
      oc_n <= 0) {
    return nullptr;
  }
  auto layer = std::make_shared<PackedLayer>();
  layer->isa = ActiveFastIsa();
  fast::RequantTable rq;
  if (!fast::BuildRequantTable(p.output_multiplier, p.output_shift, oc_n, p.output_offset,
                               p.act_min, p.act_max, &rq) ||
      !fast::BuildGemmPack(layer->isa, rows, static_cast<int>(k), oc_n, weights, bias,
                           p.input_offset, p.filter_offset, rq, &layer->gemm)) {
    return nullptr;
  }
  return layer;
}

template <typename T>
std::shared_ptr<const PackedLayer> PackConv(const ConvParams& p, Shape4 in, Shape4 filter,
                                            const T* weights, const int32_t* bias, Shape4 out) {
  return PackGemm(p, int64_t{out.n} * out.h * out.w, int64_t{filter.h} * filter.w * in.c, out.c,
                  weights, bias);
}

template <typename T>
std::shared_ptr<const PackedLayer> PackDepthwise(const ConvParams& p, Shape4 filter, Shape4 out,
                                                 const T* weights, const int32_t* bias) {
  if (!FastKernelsActive() || weights == nullptr) return nullptr;
  auto layer = std::make_shared<PackedLayer>();
  layer->isa = ActiveFastIsa();
  if (!fast::BuildDepthwisePack(p, filter, out, weights, bias, &layer->dw)) return nullptr;
  return layer;
}

}  // namespace

std::shared_ptr<const PackedLayer> PackConv2D(const ConvParams& p, Shape4 in, Shape4 filter,
                                              const uint8_t* weights, const int32_t* bias,
                                              Shape4 out) {
  return PackConv(p, in, filter, weights, bias, out);
}
std::shared_ptr<const PackedLayer> PackConv2D(const ConvParams& p, Shape4 in, Shape4 filter,
                                              const int8_t* weights, const int32_t* bias,
                                              Shape4 out) {
  return PackConv(p, in, filter, weights, bias, out);
}
std::shared_ptr<const PackedLayer> PackDepthwiseConv2D(const ConvParams& p, Shape4, Shape4 filter,
                                                       const uint8_t* weights,
                                                       const int32_t* bias, Shape4 out) {
  return PackDepthwise(p, filter, out, weights, bias);
}
std::shared_ptr<const PackedLayer> PackDepthwiseConv2D(const ConvParams& p, Shape4, Shape4 filter,
                                                       const int8_t* weights,
                                                       const int32_t* bias, Shape4 out) {
  return PackDepthwise(p, filter, out, weights, bias);
}
std::shared_ptr<const PackedLayer> PackFullyConnected(const FullyConnectedParams& p, FcDims d,
                                                      const uint8_t* weights,
                                                      const int32_t* bias) {
  return PackGemm(p, d.batches, d.accum_depth, d.out_depth, weights, bias);
}
std::shared_ptr<const PackedLayer> PackFullyConnected(const FullyConnectedParams& p, FcDims d,
                                                      const int8_t* weights,
                                                      const int32_t* bias) {
  return PackGemm(p, d.batches, d.accum_depth, d.out_depth, weights, bias);
}

}  // namespace etpu::kernels
