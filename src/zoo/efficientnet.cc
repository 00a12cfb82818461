// EfficientNet-EdgeTPU S/M/L (tensorflow/tpu efficientnet_edgetpu_builder.py block strings):
// fused blocks (KxK expansion at stride 1, the stride on the 1x1 projection) in the first three
// stages, regular MBConv blocks after; ReLU; no squeeze-and-excite; 1001 classes.
#include <cmath>
#include <string>
#include <vector>

#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

struct BlockArgs {
  int repeats, kernel, stride, expand, in, out;
  bool fused;
  bool skip;
};

// r1_k3_s11_e4_i24_o24_c1_noskip, r2_k3_s22_e8_i24_o32_c1, r4_k3_s22_e8_i32_o48_c1,
// r5_k5_s22_e8_i48_o96, r4_k5_s11_e8_i96_o144, r2_k5_s22_e8_i144_o192.
const std::vector<BlockArgs>& EdgeTpuBlocks() {
  static const std::vector<BlockArgs> kBlocks = {
      {1, 3, 1, 4, 24, 24, true, false}, {2, 3, 2, 8, 24, 32, true, true},    {4, 3, 2, 8, 32, 48, true, true},
      {5, 5, 2, 8, 48, 96, false, true}, {4, 5, 1, 8, 96, 144, false, true}, {2, 5, 2, 8, 144, 192, false, true}};
  return kBlocks;
}

/// round_filters: channels times the width, rounded to a multiple of 8 (never 10% below).
int RoundFilters(int filters, double width) {
  const double scaled = filters * width;
  int rounded = std::max(8, static_cast<int>((scaled + 4) / 8) * 8);
  if (rounded < 0.9 * scaled) rounded += 8;
  return rounded;
}

}  // namespace

Status BuildEfficientNetEdgeTpu(NetBuilder& b, char variant) {
  double width = 1.0, depth = 1.0;
  int size = 224;
  switch (variant) {
    case 'S': break;
    case 'M': depth = 1.1; size = 240; break;
    case 'L': width = 1.2; depth = 1.4; size = 300; break;
    default: return InvalidArgumentError(std::string("zoo: unknown EfficientNet-EdgeTPU variant '") + variant +
                                         "' (expected S, M or L)");
  }
  const int in = b.Input("images", {1, size, size, 3});
  int x = b.Conv(in, RoundFilters(32, width), 3, 2, Act::kRelu, "efficientnet-edgetpu/stem/conv2d");
  int index = 0;
  for (const BlockArgs& a : EdgeTpuBlocks()) {
    const int repeats = static_cast<int>(std::ceil(depth * a.repeats));
    int in_filters = RoundFilters(a.in, width);
    const int out_filters = RoundFilters(a.out, width);
    for (int r = 0; r < repeats; ++r) {
      const std::string n = "efficientnet-edgetpu/blocks_" + std::to_string(index++);
      const int stride = r == 0 ? a.stride : 1;
      const int expanded = in_filters * a.expand;
      int y = x;
      if (a.fused) {
        y = b.Conv(y, expanded, a.kernel, 1, Act::kRelu, n + "/conv2d");
        y = b.Conv(y, out_filters, 1, 1, stride, Act::kNone, n + "/conv2d_1", Padding::SAME);
      } else {
        y = b.Conv(y, expanded, 1, 1, Act::kRelu, n + "/conv2d");
        y = b.Depthwise(y, a.kernel, stride, Act::kRelu, n + "/depthwise_conv2d");
        y = b.Conv(y, out_filters, 1, 1, Act::kNone, n + "/conv2d_1");
      }
      if (a.skip && stride == 1 && in_filters == out_filters) y = b.Add(y, x, n + "/add");
      x = y;
      in_filters = out_filters;
    }
  }
  x = b.Conv(x, RoundFilters(1280, width), 1, 1, Act::kRelu, "efficientnet-edgetpu/head/conv2d");
  const auto& s = b.Shape(x);
  x = b.AvgPool(x, s[1], s[2], 1, Padding::VALID, "efficientnet-edgetpu/head/global_average_pooling2d");
  x = b.FullyConnected(x, 1001, "efficientnet-edgetpu/head/dense");
  const int out = b.Softmax(x, "Softmax");
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

}  // namespace etpu::zoo
