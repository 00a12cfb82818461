// Inception v3 as TF-slim defines it (tensorflow/models:research/slim/nets/inception_v3.py), 299x299,
// ReLU, 1001 classes, no auxiliary logits (they are training only). Stem of VALID 3x3 convolutions
// and max pools to 35x35x192; Mixed_5b-5d (1x1, 1x1 -> 5x5, 1x1 -> 3x3 -> 3x3, avg pool -> 1x1);
// Mixed_6a reduction to 17x17x768; Mixed_6b-6e with the factorised 1x7 / 7x1 convolutions;
// Mixed_7a reduction to 8x8x1280; Mixed_7b-7c with the split 1x3 | 3x1 outputs; 8x8 average pool,
// 1x1 convolution logits, squeeze, softmax.
#include <string>

#include "zoo/inception_blocks.h"
#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

constexpr const char* kNet = "InceptionV3";
constexpr Padding kValid = Padding::VALID;

std::string Scope(const char* module) { return std::string(kNet) + "/" + module; }

/// Mixed_5b-5d (35x35): the pool branch projects to `pool_proj` channels.
int ModuleA(NetBuilder& b, int x, const char* name, int pool_proj) {
  const std::string n = Scope(name);
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 64, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", 48, 1, 1}, {"Conv2d_0b_5x5", 64, 5, 5}});
  const int b2 = ConvChain(b, x, n + "/Branch_2",
                           {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_0b_3x3", 96, 3, 3}, {"Conv2d_0c_3x3", 96, 3, 3}});
  const int b3 = PoolProjection(b, x, n + "/Branch_3", pool_proj);
  return b.Concat({b0, b1, b2, b3}, 3, n + "/concat");
}

/// Mixed_6b-6e (17x17): 7x7 convolutions factorised into 1x7 and 7x1 at `c7` channels.
int ModuleB(NetBuilder& b, int x, const char* name, int c7) {
  const std::string n = Scope(name);
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 192, 1, 1}});
  const int b1 = ConvChain(b, x, n + "/Branch_1",
                           {{"Conv2d_0a_1x1", c7, 1, 1}, {"Conv2d_0b_1x7", c7, 1, 7}, {"Conv2d_0c_7x1", 192, 7, 1}});
  const int b2 = ConvChain(b, x, n + "/Branch_2",
                           {{"Conv2d_0a_1x1", c7, 1, 1},
                            {"Conv2d_0b_7x1", c7, 7, 1},
                            {"Conv2d_0c_1x7", c7, 1, 7},
                            {"Conv2d_0d_7x1", c7, 7, 1},
                            {"Conv2d_0e_1x7", 192, 1, 7}});
  const int b3 = PoolProjection(b, x, n + "/Branch_3", 192);
  return b.Concat({b0, b1, b2, b3}, 3, n + "/concat");
}

/// A 1x3 | 3x1 pair on `x`, concatenated (Mixed_7b-7c).
int SplitPair(NetBuilder& b, int x, const std::string& branch, int cout, const char* name_1x3, const char* name_3x1) {
  const int a = ConvChain(b, x, branch, {{name_1x3, cout, 1, 3}});
  const int c = ConvChain(b, x, branch, {{name_3x1, cout, 3, 1}});
  return b.Concat({a, c}, 3, branch + "/concat");
}

/// Mixed_7b-7c (8x8, 2048 channels out).
int ModuleC(NetBuilder& b, int x, const char* name) {
  const std::string n = Scope(name);
  const int b0 = ConvChain(b, x, n + "/Branch_0", {{"Conv2d_0a_1x1", 320, 1, 1}});
  int b1 = ConvChain(b, x, n + "/Branch_1", {{"Conv2d_0a_1x1", 384, 1, 1}});
  b1 = SplitPair(b, b1, n + "/Branch_1", 384, "Conv2d_0b_1x3", "Conv2d_0b_3x1");
  int b2 = ConvChain(b, x, n + "/Branch_2", {{"Conv2d_0a_1x1", 448, 1, 1}, {"Conv2d_0b_3x3", 384, 3, 3}});
  b2 = SplitPair(b, b2, n + "/Branch_2", 384, "Conv2d_0c_1x3", "Conv2d_0d_3x1");
  const int b3 = PoolProjection(b, x, n + "/Branch_3", 192);
  return b.Concat({b0, b1, b2, b3}, 3, n + "/concat");
}

}  // namespace

Status BuildInceptionV3(NetBuilder& b) {
  const std::string s = std::string(kNet) + "/";
  const int in = b.Input("input", {1, 299, 299, 3});
  int x = ConvChain(b, in, kNet,
                    {{"Conv2d_1a_3x3", 32, 3, 3, 2, kValid},
                     {"Conv2d_2a_3x3", 32, 3, 3, 1, kValid},
                     {"Conv2d_2b_3x3", 64, 3, 3}});
  x = b.MaxPool(x, 3, 3, 2, kValid, s + "MaxPool_3a_3x3");
  x = ConvChain(b, x, kNet, {{"Conv2d_3b_1x1", 80, 1, 1, 1, kValid}, {"Conv2d_4a_3x3", 192, 3, 3, 1, kValid}});
  x = b.MaxPool(x, 3, 3, 2, kValid, s + "MaxPool_5a_3x3");
  x = ModuleA(b, x, "Mixed_5b", 32);
  x = ModuleA(b, x, "Mixed_5c", 64);
  x = ModuleA(b, x, "Mixed_5d", 64);
  x = ReductionModule(b, x, Scope("Mixed_6a"),  // 35x35x288 -> 17x17x768
                      {{{"Conv2d_1a_1x1", 384, 3, 3, 2, kValid}},
                       {{"Conv2d_0a_1x1", 64, 1, 1}, {"Conv2d_0b_3x3", 96, 3, 3}, {"Conv2d_1a_1x1", 96, 3, 3, 2, kValid}}},
                      kValid);
  x = ModuleB(b, x, "Mixed_6b", 128);
  x = ModuleB(b, x, "Mixed_6c", 160);
  x = ModuleB(b, x, "Mixed_6d", 160);
  x = ModuleB(b, x, "Mixed_6e", 192);
  x = ReductionModule(b, x, Scope("Mixed_7a"),  // 17x17x768 -> 8x8x1280
                      {{{"Conv2d_0a_1x1", 192, 1, 1}, {"Conv2d_1a_3x3", 320, 3, 3, 2, kValid}},
                       {{"Conv2d_0a_1x1", 192, 1, 1},
                        {"Conv2d_0b_1x7", 192, 1, 7},
                        {"Conv2d_0c_7x1", 192, 7, 1},
                        {"Conv2d_1a_3x3", 192, 3, 3, 2, kValid}}},
                      kValid);
  x = ModuleC(b, x, "Mixed_7b");
  x = ModuleC(b, x, "Mixed_7c");
  const int out = ConvLogitsHead(b, x, 1001, s + "Logits/AvgPool_1a_8x8", s + "Logits/Conv2d_1c_1x1",
                                 s + "Logits/SpatialSqueeze", s + "Predictions/Softmax");
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

}  // namespace etpu::zoo
