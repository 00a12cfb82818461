#include "package/program.h"

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include <cstring>

#include "package/schema/program_generated.h"
#include "tflite/region_reader.h"

namespace etpu::package {
namespace {

Status Bad(std::string_view what, const std::string& problem) {
  return DataLossError(fmt::format("failed to decode the etpu program of {}: {}", what, problem));
}

}  // namespace

std::string_view LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv: return "conv";
    case LayerKind::kDepthwise: return "depthwise";
    case LayerKind::kConvPerChannel: return "conv_per_channel";
    case LayerKind::kDepthwisePerChannel: return "depthwise_per_channel";
    case LayerKind::kElementwiseConstant: return "elementwise_constant";
    case LayerKind::kSoftmaxTable: return "softmax_table";
    case LayerKind::kLstm: return "lstm";
    case LayerKind::kOther: return "other";
  }
  return "unknown";
}

std::string_view PlacementName(Placement placement) {
  switch (placement) {
    case Placement::kCached: return "cached";
    case Placement::kStreamed: return "streamed";
  }
  return "unknown";
}

bool LooksLikeProgram(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, program_fb::ProgramIdentifier(), 4) == 0;
}

std::vector<uint8_t> EncodeProgram(const Program& program) {
  flatbuffers::FlatBufferBuilder fbb(1024 + program.region_model.size());
  // The region model is itself a flatbuffer: keep it 16-byte aligned inside the program.
  fbb.ForceVectorAlignment(program.region_model.size(), sizeof(uint8_t), 16);
  auto region = fbb.CreateVector(program.region_model);
  std::vector<flatbuffers::Offset<program_fb::LayerParams>> layers;
  layers.reserve(program.layers.size());
  for (const LayerParams& l : program.layers) {
    layers.push_back(program_fb::CreateLayerParams(fbb, l.op_index, static_cast<uint8_t>(l.kind),
                                                   static_cast<uint8_t>(l.placement), l.offset, l.size));
  }
  auto root = program_fb::CreateProgram(fbb, program.format_version, region, fbb.CreateVector(layers));
  fbb.Finish(root, program_fb::ProgramIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Result<Program> DecodeProgram(std::span<const uint8_t> bytes, const BlobSizes& blobs, std::string_view what) {
  if (!LooksLikeProgram(bytes)) return Bad(what, "the instruction bitstream is not an etpu program (identifier 'EVP1' missing)");
  // Copy into heap storage so that every scalar is aligned whatever the enclosing buffer was.
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  flatbuffers::Verifier verifier(copy.data(), copy.size());
  if (!program_fb::VerifyProgramBuffer(verifier)) return Bad(what, "the program flatbuffer is corrupt or truncated");
  const program_fb::Program* fb = program_fb::GetProgram(copy.data());

  Program out;
  out.format_version = fb->format_version();
  if (out.format_version != kProgramFormatVersion) {
    return UnimplementedError(fmt::format("failed to decode the etpu program of {}: format version {} (this etpu reads {})",
                                          what, out.format_version, kProgramFormatVersion));
  }
  if (fb->region_model() == nullptr || fb->region_model()->size() == 0) return Bad(what, "the region model is missing");
  out.region_model.assign(fb->region_model()->begin(), fb->region_model()->end());
  const tflite::ModelOutline region = tflite::OutlineModel(out.region_model, 10'000'000);
  if (!region.identified) return Bad(what, "the region model is not a TFLite flatbuffer (identifier 'TFL3' missing)");
  if (!region.verified) return Bad(what, "the region model flatbuffer is corrupt or truncated");
  if (region.subgraphs != 1) {
    return Bad(what, fmt::format("the region model has {} subgraphs (expected 1)", region.subgraphs));
  }
  out.region_op_count = region.first_subgraph_ops;

  if (fb->layers() != nullptr) {
    out.layers.reserve(fb->layers()->size());
    for (flatbuffers::uoffset_t i = 0; i < fb->layers()->size(); ++i) {
      const program_fb::LayerParams* l = fb->layers()->Get(i);
      if (l == nullptr) return Bad(what, fmt::format("layer #{} is null", i));
      LayerParams p;
      p.op_index = l->op_index();
      if (p.op_index < 0 || p.op_index >= out.region_op_count) {
        return Bad(what, fmt::format("layer #{} refers to operator #{} (the region has {})", i, p.op_index, out.region_op_count));
      }
      if (l->kind() >= kNumLayerKinds) return Bad(what, fmt::format("layer #{} has kind {} (expected 0..{})", i, l->kind(), kNumLayerKinds - 1));
      p.kind = static_cast<LayerKind>(l->kind());
      if (l->placement() > 1) return Bad(what, fmt::format("layer #{} has placement {} (expected 0 = cached or 1 = streamed)", i, l->placement()));
      p.placement = static_cast<Placement>(l->placement());
      p.offset = l->offset();
      p.size = l->size();
      int64_t limit = p.placement == Placement::kCached ? blobs.cached : blobs.streamed;
      if (limit >= 0 && (p.offset > static_cast<uint64_t>(limit) || p.size > static_cast<uint64_t>(limit) - p.offset)) {
        return Bad(what, fmt::format("layer #{} (operator #{}) occupies bytes {}..+{} of the {} blob, which has {} bytes", i,
                                     p.op_index, p.offset, p.size, PlacementName(p.placement), limit));
      }
      out.layers.push_back(p);
    }
  }
  return out;
}

}  // namespace etpu::package
