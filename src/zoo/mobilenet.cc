// MobileNet v1, MobileNet v2 and the PoseNet MobileNet v1 backbone, laid out as Coral's quantized
// models are (op order, shapes, SAME padding, fused ReLU6, logits as a 1x1 convolution).
#include <algorithm>
#include <string>
#include <vector>

#include <flatbuffers/flexbuffers.h>

#include "zoo/zoo_nets.h"

namespace etpu::zoo {

using ir::Padding;

namespace {

/// TF-slim's depth(): channels scaled by the width multiplier, at least 8.
int SlimDepth(int channels, double width) { return std::max(static_cast<int>(channels * width), 8); }

struct DwPw {
  int stride;
  int channels;
};

/// The 13 depthwise / pointwise pairs of MobileNet v1 (pointwise outputs at width 1.0).
const std::vector<DwPw>& MobileNetV1Pairs() {
  static const std::vector<DwPw> kPairs = {{1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256},
                                            {2, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512},
                                            {1, 512}, {2, 1024}, {1, 1024}};
  return kPairs;
}

int Classifier(NetBuilder& b, int features, const std::string& scope, int pool_stride) {
  const auto& s = b.Shape(features);
  const int pooled = b.AvgPool(features, s[1], s[2], pool_stride, Padding::VALID, scope + "/AvgPool_1a");
  const int logits =
      b.Conv(pooled, 1001, 1, 1, 1, Act::kNone, scope + "/Conv2d_1c_1x1", Padding::SAME);
  const int squeezed = b.Reshape(logits, {1, 1001}, scope + "/SpatialSqueeze");
  return b.Softmax(squeezed, "Predictions/Reshape_1");
}

}  // namespace

Status BuildMobileNetV1(NetBuilder& b, double width, int size) {
  const int in = b.Input("input", {1, size, size, 3});
  int x = b.Conv(in, SlimDepth(32, width), 3, 2, Act::kRelu6, "MobilenetV1/Conv2d_0");
  int i = 1;
  for (const DwPw& p : MobileNetV1Pairs()) {
    const std::string n = "MobilenetV1/Conv2d_" + std::to_string(i++);
    x = b.Depthwise(x, 3, p.stride, Act::kRelu6, n + "_depthwise");
    x = b.Conv(x, SlimDepth(p.channels, width), 1, 1, Act::kRelu6, n + "_pointwise");
  }
  const int out = Classifier(b, x, "MobilenetV1/Logits", 2);
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

namespace {

struct Bottleneck {
  int t, c, n, s;
};

const std::vector<Bottleneck>& MobileNetV2Blocks() {
  static const std::vector<Bottleneck> kBlocks = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                                  {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
  return kBlocks;
}

/// MobileNet v2 1.0 up to the 1x1 convolution to 1280; `expansion_15` (if set) receives
/// layer_15's expansion output (the first SSD feature map).
int MobileNetV2Features(NetBuilder& b, int in, int* expansion_15) {
  int x = b.Conv(in, 32, 3, 2, Act::kRelu6, "MobilenetV2/Conv");
  int layer = 2;  // TF object detection numbering: layer_1 is the stem
  int block = 0;
  for (const Bottleneck& g : MobileNetV2Blocks()) {
    for (int r = 0; r < g.n; ++r, ++layer) {
      const std::string n = "MobilenetV2/expanded_conv" + (block == 0 ? std::string() : "_" + std::to_string(block));
      ++block;
      const int stride = r == 0 ? g.s : 1;
      const int cin = b.Channels(x);
      int y = x;
      if (g.t != 1) {
        y = b.Conv(y, cin * g.t, 1, 1, Act::kRelu6, n + "/expand");
        if (layer == 15 && expansion_15 != nullptr) *expansion_15 = y;
      }
      y = b.Depthwise(y, 3, stride, Act::kRelu6, n + "/depthwise");
      y = b.Conv(y, g.c, 1, 1, Act::kNone, n + "/project");
      if (stride == 1 && cin == g.c) y = b.Add(y, x, n + "/add");
      x = y;
    }
  }
  return b.Conv(x, 1280, 1, 1, Act::kRelu6, "MobilenetV2/Conv_1");
}

}  // namespace

Status BuildMobileNetV2(NetBuilder& b, int size) {
  const int in = b.Input("input", {1, size, size, 3});
  const int features = MobileNetV2Features(b, in, nullptr);
  const int out = Classifier(b, features, "MobilenetV2/Logits", 1);
  b.model().SetInputs({in});
  b.model().SetOutputs({out});
  return Status::Ok();
}

Status BuildSsdBackbone(NetBuilder& b, int in, int* map19, int* map10) {
  *map19 = -1;
  *map10 = MobileNetV2Features(b, in, map19);
  if (*map19 < 0) return InternalError("zoo: SSD MobileNet v2 has no layer_15 expansion output");
  return Status::Ok();
}

Status BuildPoseNet(NetBuilder& b, int height, int width) {
  constexpr double kWidth = 0.75;
  // Output stride 16: the strides after 16 become 1 and the last blocks keep 384 channels.
  static const std::vector<DwPw> kPairs = {{1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512}, {1, 512},
                                           {1, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512}, {1, 512}};
  const int in = b.Input("sub_2", {1, height, width, 3});
  int x = b.Conv(in, SlimDepth(32, kWidth), 3, 2, Act::kRelu6, "MobilenetV1/Conv2d_0");
  int i = 1;
  for (const DwPw& p : kPairs) {
    const std::string n = "MobilenetV1/Conv2d_" + std::to_string(i++);
    x = b.Depthwise(x, 3, p.stride, Act::kRelu6, n + "_depthwise");
    x = b.Conv(x, SlimDepth(p.channels, kWidth), 1, 1, Act::kRelu6, n + "_pointwise");
  }
  const int heatmaps = b.Conv(x, 17, 1, 1, Act::kNone, "heatmap_2");
  const int offsets = b.Conv(x, 34, 1, 1, Act::kNone, "offset_2");
  const int fwd = b.Conv(x, 32, 1, 1, Act::kNone, "displacement_fwd_2");
  const int bwd = b.Conv(x, 32, 1, 1, Act::kNone, "displacement_bwd_2");
  const int displacements = b.Concat({fwd, bwd}, 3, "concat");

  // The decoder runs on the CPU: poses, keypoint scores, pose scores, pose count (float32).
  constexpr int kMaxPoses = 10;
  const int poses = b.AddRawTensor("poses", ir::TensorType::FLOAT32, {1, kMaxPoses, 17, 2});
  const int keypoint_scores = b.AddRawTensor("poses:1", ir::TensorType::FLOAT32, {1, kMaxPoses, 17});
  const int pose_scores = b.AddRawTensor("poses:2", ir::TensorType::FLOAT32, {1, kMaxPoses});
  const int count = b.AddRawTensor("poses:3", ir::TensorType::FLOAT32, {1});
  flexbuffers::Builder fbb;
  fbb.Map([&] {
    fbb.Int("max_detections", kMaxPoses);
    fbb.Float("score_threshold", 0.2f);
    fbb.Int("stride", 16);
    fbb.Float("nms_radius", 10.0f);
  });
  fbb.Finish();
  b.model().AddCustomOperator("PosenetDecoderOp", {heatmaps, offsets, displacements},
                              {poses, keypoint_scores, pose_scores, count}, fbb.GetBuffer());
  b.model().SetInputs({in});
  b.model().SetOutputs({poses, keypoint_scores, pose_scores, count});
  return Status::Ok();
}

}  // namespace etpu::zoo
