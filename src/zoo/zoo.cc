#include "zoo/zoo.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "zoo/zoo_nets.h"

namespace etpu::zoo {

namespace {

struct Entry {
  std::string name;
  std::string architecture;
  int64_t published_params;
  int64_t published_macs;
  double params_precision;
  double macs_precision;
  std::string source;
  std::function<Status(NetBuilder&)> build;
  bool macs_consistent = true;
  std::string note;
};

constexpr const char* kSlimV1 = "tensorflow/models:research/slim/nets/mobilenet_v1.md (table: Million MACs, Million Parameters)";
constexpr const char* kAnchors = "docs timing-anchors.md";
constexpr const char* kOmz = "openvinotoolkit/open_model_zoo:models/public/";
constexpr const char* kVitis = "Xilinx/Vitis-AI:models/AI-Model-Zoo/README.md";

std::string FormatWidth(double w) {
  if (w == 0.25) return "0.25";
  if (w == 0.5) return "0.5";
  if (w == 0.75) return "0.75";
  return "1.0";
}

/// Relative half-unit of the last published digit, e.g. 14 (millions) -> 0.5 / 14.
double HalfUnit(double value, double unit) { return 0.5 * unit / value; }

std::vector<Entry> MakeEntries() {
  std::vector<Entry> e;
  // Published MobileNet v1 figures (millions): MACs by [width][size], params by width.
  const double widths[] = {0.25, 0.5, 0.75, 1.0};
  const int sizes[] = {128, 160, 192, 224};
  const int macs_m[4][4] = {{14, 21, 34, 41}, {49, 77, 110, 150}, {104, 162, 233, 317}, {186, 291, 418, 569}};
  const double params_m[4] = {0.47, 1.34, 2.59, 4.24};
  for (int wi = 0; wi < 4; ++wi) {
    for (int si = 0; si < 4; ++si) {
      const double w = widths[wi];
      const int s = sizes[si];
      Entry entry{"mobilenet_v1_" + FormatWidth(w) + "_" + std::to_string(s),
                  "MobileNet v1 width " + FormatWidth(w) + ", " + std::to_string(s) + "x" + std::to_string(s) +
                      ", 13 depthwise/pointwise pairs, 1001 classes",
                  std::llround(params_m[wi] * 1e6), int64_t{macs_m[wi][si]} * 1000000,
                  HalfUnit(params_m[wi], 0.01), HalfUnit(macs_m[wi][si], 1), kSlimV1,
                  [w, s](NetBuilder& b) { return BuildMobileNetV1(b, w, s); }};
      if (w == 0.75 && s == 224) {
        // The slim table says 317 M; the MobileNets paper (arXiv:1704.04861, Table 6) says 325 M.
        entry.published_macs = 325000000;
        entry.macs_precision = HalfUnit(325, 1);
        entry.source += "; MACs: arXiv:1704.04861 Table 6 (325 M)";
      } else if (w == 0.75 || (w == 0.25 && s == 192)) {
        entry.macs_consistent = false;
        entry.note = "the slim table's MAC figure contradicts the architecture: MACs scale with the input area, and "
                     "the paper's " + std::string(w == 0.75 ? "325 M at 0.75_224" : "41 M at 0.25_224") +
                     " scaled by (" + std::to_string(s) + "/224)^2 gives our count, not the table's";
      }
      e.push_back(std::move(entry));
    }
  }
  e.push_back({"mobilenet_v2_1.0_224", "MobileNet v2 1.0, 224x224, 17 inverted-residual blocks, 1001 classes",
               3470000, 300000000, HalfUnit(3.47, 0.01), HalfUnit(300, 1),
               "tensorflow/models:research/slim/nets/mobilenet/README.md (300 M MACs, 3.47 M params)",
               [](NetBuilder& b) { return BuildMobileNetV2(b, 224); }});
  e.push_back({"efficientnet_edgetpu_s", "EfficientNet-EdgeTPU-S, 224x224, fused + MBConv blocks, ReLU, 1001 classes",
               5413953, 2352000000, 0, HalfUnit(2.352, 0.001), std::string(kAnchors) + " 4.2 (computed from the block strings)",
               [](NetBuilder& b) { return BuildEfficientNetEdgeTpu(b, 'S'); }});
  e.push_back({"efficientnet_edgetpu_m", "EfficientNet-EdgeTPU-M, 240x240, depth 1.1, 1001 classes", 6866873,
               3660000000, 0, HalfUnit(3.660, 0.001), std::string(kAnchors) + " 4.2 (computed from the block strings)",
               [](NetBuilder& b) { return BuildEfficientNetEdgeTpu(b, 'M'); }});
  e.push_back({"efficientnet_edgetpu_l", "EfficientNet-EdgeTPU-L, 300x300, width 1.2, depth 1.4, 1001 classes",
               10545145, 9662000000, 0, HalfUnit(9.662, 0.001),
               std::string(kAnchors) + " 4.2 (computed from the block strings)",
               [](NetBuilder& b) { return BuildEfficientNetEdgeTpu(b, 'L'); }});
  e.push_back({"inception_v1_224", "Inception v1 (TF-slim), 224x224, 9 mixed modules, 1001 classes", 6618649,
               1498000000, 0, HalfUnit(1.498, 0.001), std::string(kAnchors) + " 4.3 (computed from TF-slim inception_v1)",
               [](NetBuilder& b) { return BuildInceptionV1(b); }});
  // Inception v2-v4 (TF-slim, 1001 classes, BN folded): params from OpenVINO's Open Model Zoo model cards
  // (TF-slim checkpoints frozen with 1001 classes, "MParams"), MACs = half the "FLOPs" of Xilinx's Vitis AI
  // Model Zoo table for the same TF-slim models (its FLOPs are 2 x conv/FC MACs: 3G for inception_v1, 1.14G
  // for mobilenet_v1_1.0_224, 602M for mobilenet_v2 agree with our 1.498 G, 569 M and 301 M).
  e.push_back({"inception_v2_224", "Inception v2 (TF-slim), 224x224, separable 7x7 stem (depth multiplier 8), "
               "10 mixed modules, 1001 classes", 11185000, 1940000000, HalfUnit(11.185, 0.001), HalfUnit(3.88, 0.01),
               std::string(kOmz) + "googlenet-v2-tf/README.md (11.185 MParams); " + kVitis +
                   " (tf_inceptionv2_imagenet_224_224: 3.88 GFLOPs = 1.94 G MACs)",
               [](NetBuilder& b) { return BuildInceptionV2(b); }});
  e.push_back({"inception_v3_299", "Inception v3 (TF-slim), 299x299, 1x7/7x1 factorised modules, no aux logits, "
               "1001 classes", 23819000, 5725000000, HalfUnit(23.819, 0.001), HalfUnit(11.45, 0.01),
               std::string(kOmz) + "googlenet-v3/README.md (23.819 MParams); " + kVitis +
                   " (tf_inceptionv3_imagenet_299_299: 11.45 GFLOPs = 5.725 G MACs)",
               [](NetBuilder& b) { return BuildInceptionV3(b); }});
  e.push_back({"inception_v4_299", "Inception v4 (TF-slim), 299x299, stem + 4 A / 7 B / 3 C blocks and 2 reductions, "
               "no aux logits, FULLY_CONNECTED 1001 classes", 42648000, 12275000000, HalfUnit(42.648, 0.001),
               HalfUnit(24.55, 0.01),
               std::string(kOmz) + "googlenet-v4-tf/README.md (42.648 MParams); " + kVitis +
                   " (tf_inceptionv4_imagenet_299_299: 24.55 GFLOPs = 12.275 G MACs)",
               [](NetBuilder& b) { return BuildInceptionV4(b); }});
  const int pose_sizes[3][2] = {{353, 481}, {481, 641}, {721, 1281}};
  const int64_t pose_macs[3] = {1246000000, 2231000000, 6575000000};
  for (int i = 0; i < 3; ++i) {
    const int h = pose_sizes[i][0], w = pose_sizes[i][1];
    e.push_back({"posenet_mobilenet_v1_075_" + std::to_string(h) + "_" + std::to_string(w),
                 "PoseNet: MobileNet v1 0.75 at output stride 16, " + std::to_string(h) + "x" + std::to_string(w) +
                     ", 4 heads, displacement concat, PosenetDecoderOp",
                 1251024 + 7171, pose_macs[i], 0, HalfUnit(static_cast<double>(pose_macs[i]) / 1e9, 0.001),
                 std::string(kAnchors) + " 4.4 (read from Coral's project-posenet model)",
                 [h, w](NetBuilder& b) { return BuildPoseNet(b, h, w); }});
  }
  e.push_back({"ssd_mobilenet_v2_300", "SSD MobileNet v2, 300x300, 6 feature maps, 1917 anchors, 90 classes, "
               "TFLite_Detection_PostProcess", 0, 0, 0, 0, "none published (timing-anchors.md lists latency only)",
               [](NetBuilder& b) { return BuildSsdMobileNetV2(b); }});
  return e;
}

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> kEntries = MakeEntries();
  return kEntries;
}

/// FNV-1a of the name: each model has its own fixed seed.
uint64_t Seed(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::vector<std::string> ZooNames() {
  std::vector<std::string> names;
  for (const Entry& e : Entries()) names.push_back(e.name);
  return names;
}

Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name, ZooModelInfo* info) {
  for (const Entry& e : Entries()) {
    if (e.name != name) continue;
    NetBuilder b("", Seed(name));
    Status s = e.build(b);
    if (!s.ok()) return s.WithContext("failed to generate zoo model '" + name + "'");
    b.model().SetDescription("etpu zoo: " + name + " (" + e.architecture + "); deterministic random weights");
    if (info != nullptr) {
      *info = {e.name,           e.architecture,     e.published_params, e.published_macs, e.params_precision,
               e.macs_precision, e.source,           e.macs_consistent,  e.note,           b.params(),
               b.macs()};
    }
    return b.model().Serialize();
  }
  return NotFoundError("zoo: no model named '" + name + "' (see ZooNames())");
}

Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name) { return GenerateZooModel(name, nullptr); }

Result<ZooModelInfo> GetZooModelInfo(const std::string& name) {
  ZooModelInfo info;
  ETPU_ASSIGN_OR_RETURN(auto bytes, GenerateZooModel(name, &info));
  (void)bytes;
  return info;
}

}  // namespace etpu::zoo
