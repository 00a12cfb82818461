// Internal: one builder per architecture family. Each adds layers to a NetBuilder and sets the
// graph inputs and outputs; zoo.cc names and registers the concrete models.
#pragma once

#include <string>

#include "etpu/status.h"
#include "zoo/net_builder.h"

namespace etpu::zoo {

/// MobileNet v1 (TF-slim, 1001 classes) at width `width` and input `size`, as Coral's quant models.
Status BuildMobileNetV1(NetBuilder& b, double width, int size);
/// MobileNet v2 1.0 (TF-slim, 1001 classes), as Coral's mobilenet_v2_1.0_224_quant.
Status BuildMobileNetV2(NetBuilder& b, int size);
/// PoseNet: MobileNet v1 0.75 at output stride 16, four 1x1 heads, displacement concat, decoder op.
Status BuildPoseNet(NetBuilder& b, int height, int width);
/// EfficientNet-EdgeTPU: variant 'S', 'M' or 'L'.
Status BuildEfficientNetEdgeTpu(NetBuilder& b, char variant);
/// Inception v1 (TF-slim inception_v1, 1001 classes) at 224.
Status BuildInceptionV1(NetBuilder& b);
/// Inception v2 (TF-slim inception_v2: separable 7x7 stem, depth multiplier 8) at 224.
Status BuildInceptionV2(NetBuilder& b);
/// Inception v3 (TF-slim inception_v3, no auxiliary logits) at 299.
Status BuildInceptionV3(NetBuilder& b);
/// Inception v4 (TF-slim inception_v4, no auxiliary logits) at 299.
Status BuildInceptionV4(NetBuilder& b);
/// SSD MobileNet v2 (TF object detection API, COCO 90 classes) at 300, with TFLite_Detection_PostProcess.
Status BuildSsdMobileNetV2(NetBuilder& b);

/// MobileNet v2 1.0 features for SSD: `map19` = layer_15's expansion output, `map10` = the
/// 1x1 convolution to 1280 (the first two SSD feature maps).
Status BuildSsdBackbone(NetBuilder& b, int in, int* map19, int* map10);

}  // namespace etpu::zoo
