#include "kernels/posenet_decoder.h"

#include <flatbuffers/flexbuffers.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

namespace etpu::kernels {
namespace {

constexpr const char* kOp = "PosenetDecoderOp: ";
constexpr int kRefinementSteps = 5;

// PoseNet's skeleton (keypoint ids: 0 nose, 1/2 left/right eye, 3/4 ears, 5/6 shoulders,
// 7/8 elbows, 9/10 wrists, 11/12 hips, 13/14 knees, 15/16 ankles), parent -> child.
constexpr std::array<std::pair<int, int>, kPoseEdges> kEdges = {{
    {0, 1}, {1, 3}, {0, 2}, {2, 4}, {0, 5}, {5, 7}, {7, 9}, {5, 11},
    {11, 13}, {13, 15}, {0, 6}, {6, 8}, {8, 10}, {6, 12}, {12, 14}, {14, 16}}};

struct Point {
  float y = 0, x = 0;
};

float Sq(float v) { return v * v; }

std::vector<float> ToFloat(const PoseMap& m, int64_t n, float extra_scale) {
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    out[i] = m.f != nullptr ? m.f[i] * extra_scale
                            : (static_cast<float>(m.q[i]) - static_cast<float>(m.quant.zero_point)) *
                                  (m.quant.scale * extra_scale);
  }
  return out;
}

}  // namespace

Result<PosenetDecoderOptions> ParsePosenetDecoderOptions(std::span<const uint8_t> bytes) {
  if (bytes.empty() || !flexbuffers::VerifyBuffer(bytes.data(), bytes.size())) {
    return InvalidArgumentError(std::string(kOp) + "custom options are not a valid FlexBuffer");
  }
  const flexbuffers::Reference root = flexbuffers::GetRoot(bytes.data(), bytes.size());
  if (!root.IsMap()) return InvalidArgumentError(std::string(kOp) + "custom options are not a FlexBuffer map");
  const flexbuffers::Map m = root.AsMap();
  std::string missing;
  for (const char* key : {"max_detections", "score_threshold", "stride", "nms_radius"}) {
    if (m[key].IsNull()) missing += std::string(missing.empty() ? "" : ", ") + key;
  }
  if (!missing.empty()) return InvalidArgumentError(std::string(kOp) + "missing option(s): " + missing);
  PosenetDecoderOptions o;
  o.max_detections = m["max_detections"].AsInt32();
  o.score_threshold = m["score_threshold"].AsFloat();
  o.stride = m["stride"].AsInt32();
  o.nms_radius = m["nms_radius"].AsFloat();
  return o;
}

Result<PoseResult> DecodePoses(const PosenetDecoderOptions& o, int height, int width, const PoseMap& heat,
                               const PoseMap& shorts_map, const PoseMap& mids_map) {
  if (o.stride <= 0 || o.max_detections <= 0 || o.max_detections > 10000 || !(o.nms_radius >= 0)) {
    return InvalidArgumentError(std::string(kOp) + "needs stride > 0, max_detections in [1, 10000] and "
                                "nms_radius >= 0");
  }
  if (height <= 0 || width <= 0 || int64_t{height} * width > (int64_t{1} << 24)) {
    return InvalidArgumentError(std::string(kOp) + "bad map size " + std::to_string(height) + "x" +
                                std::to_string(width));
  }
  for (const PoseMap* m : {&heat, &shorts_map, &mids_map}) {
    if ((m->f == nullptr) == (m->q == nullptr)) {
      return InvalidArgumentError(std::string(kOp) + "each map needs exactly one of float or uint8 data");
    }
  }
  const int64_t cells = int64_t{height} * width;
  std::vector<float> scores = ToFloat(heat, cells * kPoseKeypoints, 1.0f);
  for (float& s : scores) s = 1.0f / (1.0f + std::exp(-s));
  const float inv_stride = 1.0f / static_cast<float>(o.stride);
  const std::vector<float> shorts = ToFloat(shorts_map, cells * 2 * kPoseKeypoints, inv_stride);
  const std::vector<float> mids = ToFloat(mids_map, cells * 4 * kPoseEdges, inv_stride);
  const float radius = o.nms_radius * inv_stride;
  const float radius_sq = radius * radius;

  auto score_at = [&](int y, int x, int k) { return scores[(int64_t{y} * width + x) * kPoseKeypoints + k]; };
  auto short_at = [&](int y, int x, int k) {
    const int64_t base = (int64_t{y} * width + x) * 2 * kPoseKeypoints;
    return Point{shorts[base + k], shorts[base + kPoseKeypoints + k]};
  };
  auto mid_at = [&](int y, int x, int e) {
    const int64_t base = (int64_t{y} * width + x) * 4 * kPoseEdges;
    return Point{mids[base + e], mids[base + 2 * kPoseEdges + e]};
  };
  auto cell_of = [&](Point p, int* cy, int* cx) {
    *cy = std::clamp(static_cast<int>(std::lround(p.y)), 0, height - 1);
    *cx = std::clamp(static_cast<int>(std::lround(p.x)), 0, width - 1);
  };

  // Candidates: local maxima (3x3) above the threshold, by decreasing score.
  struct Candidate {
    float score;
    int y, x, k;
  };
  std::vector<Candidate> candidates;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int k = 0; k < kPoseKeypoints; ++k) {
        const float s = score_at(y, x, k);
        if (!(s >= o.score_threshold)) continue;
        bool is_max = true;
        for (int dy = -1; dy <= 1 && is_max; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int ny = y + dy, nx = x + dx;
            if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
            if (score_at(ny, nx, k) > s) {
              is_max = false;
              break;
            }
          }
        }
        if (is_max) candidates.push_back({s, y, x, k});
      }
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

  struct Pose {
    std::array<Point, kPoseKeypoints> p;
    std::array<float, kPoseKeypoints> s{};
    float score = 0;
  };
  std::vector<Pose> poses;
  auto near_existing = [&](Point pt, int k) {
    for (const Pose& q : poses) {
      if (Sq(q.p[k].y - pt.y) + Sq(q.p[k].x - pt.x) <= radius_sq) return true;
    }
    return false;
  };
  for (const Candidate& c : candidates) {
    if (static_cast<int>(poses.size()) >= o.max_detections) break;
    const Point sh = short_at(c.y, c.x, c.k);
    const Point root{static_cast<float>(c.y) + sh.y, static_cast<float>(c.x) + sh.x};
    if (near_existing(root, c.k)) continue;
    Pose pose;
    std::array<bool, kPoseKeypoints> done{};
    pose.p[c.k] = root;
    pose.s[c.k] = c.score;
    done[c.k] = true;
    auto follow = [&](int src, int tgt, int edge) {
      int cy, cx;
      cell_of(pose.p[src], &cy, &cx);
      const Point d = mid_at(cy, cx, edge);
      Point t{pose.p[src].y + d.y, pose.p[src].x + d.x};
      for (int step = 0; step < kRefinementSteps; ++step) {
        cell_of(t, &cy, &cx);
        const Point off = short_at(cy, cx, tgt);
        t = {static_cast<float>(cy) + off.y, static_cast<float>(cx) + off.x};
      }
      cell_of(t, &cy, &cx);
      pose.p[tgt] = t;
      pose.s[tgt] = score_at(cy, cx, tgt);
      done[tgt] = true;
    };
    for (int e = kPoseEdges - 1; e >= 0; --e) {  // child -> parent
      const auto [parent, child] = kEdges[e];
      if (done[child] && !done[parent]) follow(child, parent, kPoseEdges + e);
    }
    for (int e = 0; e < kPoseEdges; ++e) {  // parent -> child
      const auto [parent, child] = kEdges[e];
      if (done[parent] && !done[child]) follow(parent, child, e);
    }
    float sum = 0;
    for (int k = 0; k < kPoseKeypoints; ++k) {
      if (!near_existing(pose.p[k], k)) sum += pose.s[k];
    }
    pose.score = sum / kPoseKeypoints;
    poses.push_back(pose);
  }
  std::stable_sort(poses.begin(), poses.end(), [](const Pose& a, const Pose& b) { return a.score > b.score; });

  PoseResult r;
  const size_t n = static_cast<size_t>(o.max_detections);
  r.keypoints.assign(n * kPoseKeypoints * 2, 0.0f);
  r.keypoint_scores.assign(n * kPoseKeypoints, 0.0f);
  r.pose_scores.assign(n, 0.0f);
  for (size_t i = 0; i < poses.size(); ++i) {
    for (int k = 0; k < kPoseKeypoints; ++k) {
      r.keypoints[(i * kPoseKeypoints + k) * 2] = poses[i].p[k].y * static_cast<float>(o.stride);
      r.keypoints[(i * kPoseKeypoints + k) * 2 + 1] = poses[i].p[k].x * static_cast<float>(o.stride);
      r.keypoint_scores[i * kPoseKeypoints + k] = poses[i].s[k];
    }
    r.pose_scores[i] = poses[i].score;
  }
  r.count = static_cast<float>(poses.size());
  return r;
}

}  // namespace etpu::kernels
