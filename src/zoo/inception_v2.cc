// Inception v2 as TF-slim defines it (tensorflow/models:research/slim/nets/inception_v2.py), 224x224,
// ReLU, SAME padding everywhere, 1001 classes. Its first layer, Conv2d_1a_7x7, is a separable
// convolution: a 7x7 stride-2 depthwise convolution with depth multiplier min(64 / 3, 8) = 8
// (3 -> 24 channels, linear; TFLite writes it as DEPTHWISE_CONV_2D) and a 1x1 convolution to 64.
// Mixed_3b..5c are four-branch modules (the "5x5" branch is two 3x3 convolutions); Mixed_4a and
// Mixed_5a are the stride-2 reductions; Mixed_5c's pool branch is a max pool, the others average.
#include <string>

#include "zoo/inception_blocks.h"
#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

constexpr const char* kScope = "InceptionV2/";

struct Module {
  const char* name;
  int b0, b1_reduce, b1, b2_reduce, b2, b3;
  bool max_pool = false;  ///< Branch 3 pools with MAX_POOL_2D instead of AVERAGE_POOL_2D.
};

int InceptionModule(NetBuilder& b, int x, const Module& m) {
  const std::string n = std::string(kScope) + m.name;
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", m.b0, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", m.b1_reduce, 1, 1}, {"Conv2d_0b_3x3", m.b1, 3, 3}});
  const int b2 = ConvChain(b, x, n + "/Branch_2",
                           {{"Conv2d_0a_1x1", m.b2_reduce, 1, 1},
                            {"Conv2d_0b_3x3", m.b2, 3, 3},
                            {"Conv2d_0c_3x3", m.b2, 3, 3}});
  const int b3 = PoolProjection(b, x, n + "/Branch_3", m.b3, m.max_pool);
  return b.Concat({b0, b1, b2, b3}, 3, n + "/concat");
}

}  // namespace

Status BuildInceptionV2(NetBuilder& b) {
  const std::string s = kScope;
  const int in = b.Input("input", {1, 224, 224, 3});
  int x = b.Depthwise(in, 7, 2, Act::kNone, s + "Conv2d_1a_7x7/depthwise", /*multiplier=*/8);
  x = b.Conv(x, 64, 1, 1, Act::kRelu, s + "Conv2d_1a_7x7/pointwise");
  x = b.MaxPool(x, 3, 3, 2, Padding::SAME, s + "MaxPool_2a_3x3");
  x = b.Conv(x, 64, 1, 1, Act::kRelu, s + "Conv2d_2b_1x1");
  x = b.Conv(x, 192, 3, 1, Act::kRelu, s + "Conv2d_2c_3x3");
  x = b.MaxPool(x, 3, 3, 2, Padding::SAME, s + "MaxPool_3a_3x3");
  x = InceptionModule(b, x, {"Mixed_3b", 64, 64, 64, 64, 96, 32});
  x = InceptionModule(b, x, {"Mixed_3c", 64, 64, 96, 64, 96, 64});
  x = ReductionModule(b, x, s + "Mixed_4a",
                      {{{"Conv2d_0a_1x1", 128, 1, 1}, {"Conv2d_1a_3x3", 160, 3, 3, 2}},
                       {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_0b_3x3", 96, 3, 3}, {"Conv2d_1a_3x3", 96, 3, 3, 2}}},
                      Padding::SAME);
  x = InceptionModule(b, x, {"Mixed_4b", 224, 64, 96, 96, 128, 128});
  x = InceptionModule(b, x, {"Mixed_4c", 192, 96, 128, 96, 128, 128});
  x = InceptionModule(b, x, {"Mixed_4d", 160, 128, 160, 128, 160, 96});
  x = InceptionModule(b, x, {"Mixed_4e", 96, 128, 192, 160, 192, 96});
  x = ReductionModule(b, x, s + "Mixed_5a",
                      {{{"Conv2d_0a_1x1", 128, 1, 1}, {"Conv2d_1a_3x3", 192, 3, 3, 2}},
                       {{"Conv2d_0a_1x1", 192, 1, 1}, {"Conv2d_0b_3x3", 256, 3, 3}, {"Conv2d_1a_3x3", 256, 3, 3, 2}}},
                      Padding::SAME);
  x = InceptionModule(b, x, {"Mixed_5b", 352, 192, 320, 160, 224, 128});
  x = InceptionModule(b, x, {"Mixed_5c", 352, 192, 320, 192, 224, 128, /*max_pool=*/true});
  const int out = ConvLogitsHead(b, x, 1001, s + "Logits/AvgPool_1a_7x7", s + "Logits/Conv2d_1c_1x1",
                                 s + "Logits/SpatialSqueeze", s + "Predictions/Softmax");
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

}  // namespace etpu::zoo
