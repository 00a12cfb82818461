// Inception v1 (TF-slim inception_v1: the "5x5" branch uses a 3x3 convolution), 224x224,
// ReLU, SAME padding, 1001 classes, logits as a 1x1 convolution.
#include <string>
#include <vector>

#include "zoo/inception_blocks.h"
#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

struct Mixed {
  const char* name;
  int b0, b1_reduce, b1, b2_reduce, b2, b3;
};

int InceptionModule(NetBuilder& b, int x, const Mixed& m) {
  const std::string n = std::string("InceptionV1/") + m.name;
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", m.b0, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", m.b1_reduce, 1, 1}, {"Conv2d_0b_3x3", m.b1, 3, 3}});
  const int b2 = ConvChain(b, x, n + "/Branch_2", {{"Conv2d_0a_1x1", m.b2_reduce, 1, 1}, {"Conv2d_0b_3x3", m.b2, 3, 3}});
  const int b3 = PoolProjection(b, x, n + "/Branch_3", m.b3, /*max_pool=*/true);
  return b.Concat({b0, b1, b2, b3}, 3, n + "/concat");
}

}  // namespace

Status BuildInceptionV1(NetBuilder& b) {
  const int in = b.Input("input", {1, 224, 224, 3});
  int x = b.Conv(in, 64, 7, 2, Act::kRelu, "InceptionV1/Conv2d_1a_7x7");
  x = b.MaxPool(x, 3, 3, 2, Padding::SAME, "InceptionV1/MaxPool_2a_3x3");
  x = b.Conv(x, 64, 1, 1, Act::kRelu, "InceptionV1/Conv2d_2b_1x1");
  x = b.Conv(x, 192, 3, 1, Act::kRelu, "InceptionV1/Conv2d_2c_3x3");
  x = b.MaxPool(x, 3, 3, 2, Padding::SAME, "InceptionV1/MaxPool_3a_3x3");
  x = InceptionModule(b, x, {"Mixed_3b", 64, 96, 128, 16, 32, 32});
  x = InceptionModule(b, x, {"Mixed_3c", 128, 128, 192, 32, 96, 64});
  x = b.MaxPool(x, 3, 3, 2, Padding::SAME, "InceptionV1/MaxPool_4a_3x3");
  x = InceptionModule(b, x, {"Mixed_4b", 192, 96, 208, 16, 48, 64});
  x = InceptionModule(b, x, {"Mixed_4c", 160, 112, 224, 24, 64, 64});
  x = InceptionModule(b, x, {"Mixed_4d", 128, 128, 256, 24, 64, 64});
  x = InceptionModule(b, x, {"Mixed_4e", 112, 144, 288, 32, 64, 64});
  x = InceptionModule(b, x, {"Mixed_4f", 256, 160, 320, 32, 128, 128});
  x = b.MaxPool(x, 2, 2, 2, Padding::SAME, "InceptionV1/MaxPool_5a_2x2");
  x = InceptionModule(b, x, {"Mixed_5b", 256, 160, 320, 32, 128, 128});
  x = InceptionModule(b, x, {"Mixed_5c", 384, 192, 384, 48, 128, 128});
  const int out = ConvLogitsHead(b, x, 1001, "InceptionV1/Logits/AvgPool_0a_7x7", "InceptionV1/Logits/Conv2d_0c_1x1",
                                 "InceptionV1/Logits/SpatialSqueeze", "InceptionV1/Logits/Predictions/Softmax");
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

}  // namespace etpu::zoo
