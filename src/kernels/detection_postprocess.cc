#include "kernels/detection_postprocess.h"

#include <flatbuffers/flexbuffers.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace etpu::kernels {
namespace {

constexpr const char* kOp = "TFLite_Detection_PostProcess: ";

struct Box {
  float ymin, xmin, ymax, xmax;
};

float IoU(const Box& a, const Box& b) {
  const float area_a = (a.ymax - a.ymin) * (a.xmax - a.xmin);
  const float area_b = (b.ymax - b.ymin) * (b.xmax - b.xmin);
  if (area_a <= 0 || area_b <= 0) return 0.0f;
  const float iy = std::max(std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin), 0.0f);
  const float ix = std::max(std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin), 0.0f);
  const float inter = iy * ix;
  return inter / (area_a + area_b - inter);
}

// Indices of `values` sorted by decreasing value, ties by lower index first.
std::vector<int> DecreasingArgSort(const std::vector<float>& values) {
  std::vector<int> idx(values.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int i, int j) { return values[i] > values[j]; });
  return idx;
}

// The first k of DecreasingArgSort(values[0..n)), written to out[0..k): the k largest values'
// indices, decreasing, ties by lower index first. O(n log k) instead of a full sort per box.
void DecreasingTopK(const float* values, int n, int k, int* out) {
  if (k == 1) {  // The common case (one class per detection): the first maximum.
    int best = 0;
    for (int i = 1; i < n; ++i) {
      if (values[i] > values[best]) best = i;
    }
    out[0] = best;
    return;
  }
  std::vector<int> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  // A strict total order (value, then index), so the partial sort gives the stable sort's prefix.
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int i, int j) {
    return values[i] > values[j] || (values[i] == values[j] && i < j);
  });
  std::copy(idx.begin(), idx.begin() + k, out);
}

// Greedy single-class NMS over `scores` (one per box); returns at most `max_out` box indices.
std::vector<int> SingleClassNms(const DetectionPostProcessOptions& o, const std::vector<Box>& boxes,
                                const std::vector<float>& scores, int max_out) {
  std::vector<float> kept_scores;
  std::vector<int> kept;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] >= o.nms_score_threshold) {
      kept_scores.push_back(scores[i]);
      kept.push_back(static_cast<int>(i));
    }
  }
  const std::vector<int> order = DecreasingArgSort(kept_scores);
  const size_t n = kept.size();
  const size_t out_size = std::min(n, static_cast<size_t>(std::max(max_out, 0)));
  std::vector<int> selected;
  std::vector<uint8_t> active(n, 1);
  size_t num_active = n;
  for (size_t i = 0; i < n; ++i) {
    if (num_active == 0 || selected.size() >= out_size) break;
    if (!active[i]) continue;
    const int bi = kept[order[i]];
    selected.push_back(bi);
    active[i] = 0;
    --num_active;
    for (size_t j = i + 1; j < n; ++j) {
      if (active[j] && IoU(boxes[bi], boxes[kept[order[j]]]) > o.nms_iou_threshold) {
        active[j] = 0;
        --num_active;
      }
    }
  }
  return selected;
}

Status CheckOptions(const DetectionPostProcessOptions& o, int num_boxes, int num_classes_with_background) {
  if (num_boxes <= 0 || num_classes_with_background <= 0) {
    return InvalidArgumentError(std::string(kOp) + "needs at least one box and one class column");
  }
  if (o.num_classes <= 0 || o.num_classes > num_classes_with_background) {
    return InvalidArgumentError(std::string(kOp) + "num_classes " + std::to_string(o.num_classes) +
                                " must be in [1, " + std::to_string(num_classes_with_background) + "]");
  }
  if (o.max_detections <= 0 || o.max_classes_per_detection <= 0 || o.detections_per_class <= 0) {
    return InvalidArgumentError(std::string(kOp) + "max_detections, max_classes_per_detection and "
                                "detections_per_class must be positive");
  }
  if (int64_t{o.max_detections} * o.max_classes_per_detection > (int64_t{1} << 24) ||
      int64_t{num_boxes} * num_classes_with_background > (int64_t{1} << 28)) {
    return InvalidArgumentError(std::string(kOp) + "sizes too large");
  }
  if (!(o.y_scale > 0) || !(o.x_scale > 0) || !(o.h_scale > 0) || !(o.w_scale > 0)) {
    return InvalidArgumentError(std::string(kOp) + "y/x/h/w scales must be positive");
  }
  return OkStatus();
}

std::vector<float> Dequantize(const uint8_t* q, int64_t n, QuantParams p) {
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = p.scale * static_cast<float>(int32_t{q[i]} - p.zero_point);
  return out;
}

}  // namespace

Result<DetectionPostProcessOptions> ParseDetectionPostProcessOptions(std::span<const uint8_t> bytes) {
  if (bytes.empty() || !flexbuffers::VerifyBuffer(bytes.data(), bytes.size())) {
    return InvalidArgumentError(std::string(kOp) + "custom options are not a valid FlexBuffer");
  }
  const flexbuffers::Reference root = flexbuffers::GetRoot(bytes.data(), bytes.size());
  if (!root.IsMap()) return InvalidArgumentError(std::string(kOp) + "custom options are not a FlexBuffer map");
  const flexbuffers::Map m = root.AsMap();
  DetectionPostProcessOptions o;
  std::string missing;
  auto get = [&](const char* key, bool required) -> flexbuffers::Reference {
    const flexbuffers::Reference r = m[key];
    if (r.IsNull() && required) missing += std::string(missing.empty() ? "" : ", ") + key;
    return r;
  };
  o.max_detections = get("max_detections", true).AsInt32();
  o.max_classes_per_detection = get("max_classes_per_detection", true).AsInt32();
  if (const auto r = get("detections_per_class", false); !r.IsNull()) o.detections_per_class = r.AsInt32();
  if (const auto r = get("use_regular_nms", false); !r.IsNull()) o.use_regular_nms = r.AsBool();
  o.nms_score_threshold = get("nms_score_threshold", true).AsFloat();
  o.nms_iou_threshold = get("nms_iou_threshold", true).AsFloat();
  o.num_classes = get("num_classes", true).AsInt32();
  o.y_scale = get("y_scale", true).AsFloat();
  o.x_scale = get("x_scale", true).AsFloat();
  o.h_scale = get("h_scale", true).AsFloat();
  o.w_scale = get("w_scale", true).AsFloat();
  if (!missing.empty()) return InvalidArgumentError(std::string(kOp) + "missing option(s): " + missing);
  return o;
}

Result<DetectionResult> DetectionPostProcess(const DetectionPostProcessOptions& o, int num_boxes,
                                             int ncwb, const float* enc, const float* cls, const float* anchors) {
  ETPU_RETURN_IF_ERROR(CheckOptions(o, num_boxes, ncwb));
  if (enc == nullptr || cls == nullptr || anchors == nullptr) {
    return InvalidArgumentError(std::string(kOp) + "null tensor data");
  }
  std::vector<Box> boxes(static_cast<size_t>(num_boxes));
  for (int i = 0; i < num_boxes; ++i) {
    const float* e = enc + int64_t{i} * 4;
    const float* a = anchors + int64_t{i} * 4;
    const float yc = e[0] / o.y_scale * a[2] + a[0];
    const float xc = e[1] / o.x_scale * a[3] + a[1];
    const float half_h = 0.5f * std::exp(e[2] / o.h_scale) * a[2];
    const float half_w = 0.5f * std::exp(e[3] / o.w_scale) * a[3];
    boxes[i] = {yc - half_h, xc - half_w, yc + half_h, xc + half_w};
  }
  const int label_offset = ncwb - o.num_classes;
  const int per_det = std::min(o.max_classes_per_detection, o.num_classes);
  const size_t n_out = static_cast<size_t>(o.max_detections) * o.max_classes_per_detection;
  DetectionResult r;
  r.boxes.assign(n_out * 4, 0.0f);
  r.classes.assign(n_out, 0.0f);
  r.scores.assign(n_out, 0.0f);
  auto put = [&](size_t slot, int box, int cls_index, float score) {
    const Box& b = boxes[box];
    r.boxes[slot * 4 + 0] = b.ymin;
    r.boxes[slot * 4 + 1] = b.xmin;
    r.boxes[slot * 4 + 2] = b.ymax;
    r.boxes[slot * 4 + 3] = b.xmax;
    r.classes[slot] = static_cast<float>(cls_index);
    r.scores[slot] = score;
  };
  auto score = [&](int box, int c) { return cls[int64_t{box} * ncwb + label_offset + c]; };

  if (!o.use_regular_nms) {
    // Each box's per_det best classes (flat: box b's are top[b * per_det ...]).
    std::vector<int> top(static_cast<size_t>(num_boxes) * per_det);
    std::vector<float> max_scores(static_cast<size_t>(num_boxes));
    for (int b = 0; b < num_boxes; ++b) {
      const float* row = cls + int64_t{b} * ncwb + label_offset;
      int* best = top.data() + int64_t{b} * per_det;
      DecreasingTopK(row, o.num_classes, per_det, best);
      max_scores[b] = row[best[0]];
    }
    const std::vector<int> selected = SingleClassNms(o, boxes, max_scores, o.max_detections);
    for (size_t k = 0; k < selected.size(); ++k) {
      const int box = selected[k];
      for (int c = 0; c < per_det; ++c) {
        const int cls_index = top[int64_t{box} * per_det + c];
        put(k * per_det + c, box, cls_index, score(box, cls_index));
      }
    }
    r.num_detections = static_cast<float>(selected.size());
    return r;
  }

  // Regular NMS: per class, merge, keep the best max_detections.
  struct Det {
    float score;
    int box, cls;
  };
  std::vector<Det> merged;
  std::vector<float> class_scores(static_cast<size_t>(num_boxes));
  for (int c = 0; c < o.num_classes; ++c) {
    for (int b = 0; b < num_boxes; ++b) class_scores[b] = score(b, c);
    for (int b : SingleClassNms(o, boxes, class_scores, o.detections_per_class)) {
      merged.push_back({class_scores[b], b, c});
    }
    std::vector<float> s(merged.size());
    for (size_t i = 0; i < merged.size(); ++i) s[i] = merged[i].score;
    const std::vector<int> order = DecreasingArgSort(s);
    std::vector<Det> next;
    for (size_t i = 0; i < order.size() && i < static_cast<size_t>(o.max_detections); ++i) {
      next.push_back(merged[order[i]]);
    }
    merged = std::move(next);
  }
  for (size_t k = 0; k < merged.size(); ++k) put(k, merged[k].box, merged[k].cls, merged[k].score);
  r.num_detections = static_cast<float>(merged.size());
  return r;
}

Result<DetectionResult> DetectionPostProcess(const DetectionPostProcessOptions& o, int num_boxes, int ncwb,
                                             const uint8_t* enc, QuantParams box_q, const uint8_t* cls,
                                             QuantParams class_q, const uint8_t* anchors, QuantParams anchor_q) {
  ETPU_RETURN_IF_ERROR(CheckOptions(o, num_boxes, ncwb));
  if (enc == nullptr || cls == nullptr || anchors == nullptr) {
    return InvalidArgumentError(std::string(kOp) + "null tensor data");
  }
  const std::vector<float> e = Dequantize(enc, int64_t{num_boxes} * 4, box_q);
  const std::vector<float> c = Dequantize(cls, int64_t{num_boxes} * ncwb, class_q);
  const std::vector<float> a = Dequantize(anchors, int64_t{num_boxes} * 4, anchor_q);
  return DetectionPostProcess(o, num_boxes, ncwb, e.data(), c.data(), a.data());
}

}  // namespace etpu::kernels
