// Inception v4 as TF-slim defines it (tensorflow/models:research/slim/nets/inception_v4.py;
// Szegedy et al., arXiv:1602.07261, figures 3-9), 299x299, ReLU, 1001 classes, no auxiliary
// logits. Stem to 35x35x384 (Mixed_3a, 4a, 5a), 4 Inception-A, Reduction-A to 17x17x1024,
// 7 Inception-B, Reduction-B to 8x8x1536, 3 Inception-C; 8x8 average pool, flatten and a fully
// connected layer to 1001 logits (slim's v4 ends in fully_connected, not a 1x1 convolution).
#include <string>
#include <vector>

#include "zoo/inception_blocks.h"
#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

constexpr const char* kNet = "InceptionV4";
constexpr Padding kValid = Padding::VALID;

std::string Scope(const std::string& module) { return std::string(kNet) + "/" + module; }

int BlockA(NetBuilder& b, int x, const std::string& n) {
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 96, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_0b_3x3", 96, 3, 3}});
  const int b2 = ConvChain(b, x, n + "/Branch_2",
                           {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_0b_3x3", 96, 3, 3}, {"Conv2d_0c_3x3", 96, 3, 3}});
  return b.Concat({b0, b1, b2, PoolProjection(b, x, n + "/Branch_3", 96)}, 3, n + "/concat");
}

int BlockB(NetBuilder& b, int x, const std::string& n) {
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 384, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1",
                           {{"Conv2d_0a_1x1", 192, 1, 1}, {"Conv2d_0b_1x7", 224, 1, 7}, {"Conv2d_0c_7x1", 256, 7, 1}});
  const int b2 = ConvChain(b, x, n + "/Branch_2",
                           {{"Conv2d_0a_1x1", 192, 1, 1},
                            {"Conv2d_0b_7x1", 192, 7, 1},
                            {"Conv2d_0c_1x7", 224, 1, 7},
                            {"Conv2d_0d_7x1", 224, 7, 1},
                            {"Conv2d_0e_1x7", 256, 1, 7}});
  return b.Concat({b0, b1, b2, PoolProjection(b, x, n + "/Branch_3", 128)}, 3, n + "/concat");
}

/// A 1x3 | 3x1 pair of 256 channels on `x`, concatenated.
int SplitPair(NetBuilder& b, int x, const std::string& branch, const char* name_1x3, const char* name_3x1) {
  const int a = ConvChain(b, x, branch, {{name_1x3, 256, 1, 3}});
  const int c = ConvChain(b, x, branch, {{name_3x1, 256, 3, 1}});
  return b.Concat({a, c}, 3, branch + "/concat");
}

int BlockC(NetBuilder& b, int x, const std::string& n) {
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 256, 1, 1}});
  int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", 384, 1, 1}});
  b1 = SplitPair(b, b1, n + "/Branch_1", "Conv2d_0b_1x3", "Conv2d_0c_3x1");
  int b2 = ConvChain(b, x, n + "/Branch_2",
                     {{"Conv2d_0a_1x1", 384, 1, 1}, {"Conv2d_0b_3x1", 448, 3, 1}, {"Conv2d_0c_1x3", 512, 1, 3}});
  b2 = SplitPair(b, b2, n + "/Branch_2", "Conv2d_0d_1x3", "Conv2d_0e_3x1");
  return b.Concat({b0, b1, b2, PoolProjection(b, x, n + "/Branch_3", 256)}, 3, n + "/concat");
}

}  // namespace

Status BuildInceptionV4(NetBuilder& b) {
  const int in = b.Input("input", {1, 299, 299, 3});
  int x = ConvChain(b, in, kNet,
                    {{"Conv2d_1a_3x3", 32, 3, 3, 2, kValid},
                     {"Conv2d_2a_3x3", 32, 3, 3, 1, kValid},
                     {"Conv2d_2b_3x3", 64, 3, 3}});
  {  // Mixed_3a: max pool | 3x3/2 conv -> 73x73x160.
    const std::string n = Scope("Mixed_3a");
    const int y0 = b.MaxPool(x, 3, 3, 2, kValid, n + "/Branch_0/MaxPool_0a_3x3");
    const int y1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_3x3", 96, 3, 3, 2, kValid}});
    x = b.Concat({y0, y1}, 3, n + "/concat");
  }
  {  // Mixed_4a: two VALID 3x3 branches -> 71x71x192.
    const std::string n = Scope("Mixed_4a");
    const int y0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_1a_3x3", 96, 3, 3, 1, kValid}});
    const int y1 = ConvChain(b, x, n + "/Branch_1",
                             {{"Conv2d_0a_1x1", 64, 1, 1},
                              {"Conv2d_0b_1x7", 64, 1, 7},
                              {"Conv2d_0c_7x1", 64, 7, 1},
                              {"Conv2d_1a_3x3", 96, 3, 3, 1, kValid}});
    x = b.Concat({y0, y1}, 3, n + "/concat");
  }
  {  // Mixed_5a: 3x3/2 conv | max pool -> 35x35x384.
    const std::string n = Scope("Mixed_5a");
    const int y0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_1a_3x3", 192, 3, 3, 2, kValid}});
    const int y1 = b.MaxPool(x, 3, 3, 2, kValid, n + "/Branch_1/MaxPool_1a_3x3");
    x = b.Concat({y0, y1}, 3, n + "/concat");
  }
  for (const char* m : {"Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_5e"}) x = BlockA(b, x, Scope(m));
  x = ReductionModule(b, x, Scope("Mixed_6a"),  // Reduction-A -> 17x17x1024
                      {{{"Conv2d_1a_3x3", 384, 3, 3, 2, kValid}},
                       {{"Conv2d_0a_1x1", 192, 1, 1}, {"Conv2d_0b_3x3", 224, 3, 3}, {"Conv2d_1a_3x3", 256, 3, 3, 2, kValid}}},
                      kValid);
  for (const char* m : {"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_6f", "Mixed_6g", "Mixed_6h"}) {
    x = BlockB(b, x, Scope(m));
  }
  x = ReductionModule(b, x, Scope("Mixed_7a"),  // Reduction-B -> 8x8x1536
                      {{{"Conv2d_0a_1x1", 192, 1, 1}, {"Conv2d_1a_3x3", 192, 3, 3, 2, kValid}},
                       {{"Conv2d_0a_1x1", 256, 1, 1},
                        {"Conv2d_0b_1x7", 256, 1, 7},
                        {"Conv2d_0c_7x1", 320, 7, 1},
                        {"Conv2d_1a_3x3", 320, 3, 3, 2, kValid}}},
                      kValid);
  for (const char* m : {"Mixed_7b", "Mixed_7c", "Mixed_7d"}) x = BlockC(b, x, Scope(m));
  const std::vector<int32_t> map = b.Shape(x);  // [1, 8, 8, 1536]
  x = b.AvgPool(x, map[1], map[2], 1, kValid, Scope("Logits/AvgPool_1a"));
  x = b.Reshape(x, {1, map[3]}, Scope("Logits/PreLogitsFlatten"));
  x = b.FullyConnected(x, 1001, Scope("Logits/Logits"));
  const int out = b.Softmax(x, Scope("Logits/Predictions"));
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

}  // namespace etpu::zoo
