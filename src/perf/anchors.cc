#include "perf/anchors.h"

namespace etpu::perf {
namespace {

constexpr const char* kModelsPage = "coral.ai/models (P)";
constexpr const char* kBenchPage = "coral.ai/docs/edgetpu/benchmarks (B)";
constexpr const char* kSeed = "seed (Jetson Nano, USB 3, libedgetpu1-std)";

LatencyAnchor Coral(const char* zoo, const char* label, double ms, const char* source) {
  return LatencyAnchor{zoo, label, "usb3", device::Clock::kMax, ms, 0, source};
}

}  // namespace

const std::vector<LatencyAnchor>& CoralPublishedLatencies() {
  static const std::vector<LatencyAnchor> kAnchors = {
      Coral("mobilenet_v1_1.0_224", "MobileNet v1 (224x224)", 2.4, kBenchPage),
      Coral("mobilenet_v2_1.0_224", "MobileNet v2 (224x224)", 2.6, kBenchPage),
      Coral("inception_v1_224", "Inception v1 (224x224)", 3.4, kBenchPage),
      Coral("efficientnet_edgetpu_s", "EfficientNet-EdgeTpu (S)", 5.0, kModelsPage),
      Coral("efficientnet_edgetpu_m", "EfficientNet-EdgeTpu (M)", 7.3, kModelsPage),
      Coral("efficientnet_edgetpu_l", "EfficientNet-EdgeTpu (L)", 21.3, kModelsPage),
      Coral("efficientnet_edgetpu_s", "EfficientNet-EdgeTpu-S", 5.1, kBenchPage),
      Coral("efficientnet_edgetpu_m", "EfficientNet-EdgeTpu-M", 8.7, kBenchPage),
      Coral("mobilenet_v1_0.25_128", "MobileNet V1 0.25 (128x128)", 0.9, kModelsPage),
      Coral("posenet_mobilenet_v1_075_353_481", "PoseNet MobileNet V1 (353x481)", 5.8, kModelsPage),
      Coral("posenet_mobilenet_v1_075_481_641", "PoseNet MobileNet V1 (481x641)", 10.3, kModelsPage),
      Coral("posenet_mobilenet_v1_075_721_1281", "PoseNet MobileNet V1 (721x1281)", 32.4, kModelsPage),
      Coral("inception_v3_299", "Inception V3 (299x299)", 42.8, kModelsPage),
      Coral("inception_v4_299", "Inception v4 (299x299)", 85, kBenchPage),
      Coral("inception_v4_299", "Inception V4 (299x299)", 84.7, kModelsPage),
  };
  return kAnchors;
}

const std::vector<LatencyAnchor>& SeedMeasurements() {
  static const std::vector<LatencyAnchor> kSeedRows = {
      {"efficientnet_edgetpu_l", "EfficientNet-EdgeTPU L (13.3 MiB)", "jetson-nano-usb3", device::Clock::kStd, 40, 50,
       kSeed},
      {"efficientnet_edgetpu_m", "EfficientNet-EdgeTPU M (9 MiB)", "jetson-nano-usb3", device::Clock::kStd, 17, 35,
       kSeed},
      {"efficientnet_edgetpu_s", "EfficientNet-EdgeTPU S (7 MiB)", "jetson-nano-usb3", device::Clock::kStd, 10, 30,
       kSeed},
  };
  return kSeedRows;
}

}  // namespace etpu::perf
