#include "cache/caching_token.h"

#include <cstring>
#include <random>
#include <vector>

#include "base/hash.h"

namespace etpu::cache {

namespace {

// Any fixed non-zero value: used when a digest happens to be 0 (0 means "no token").
constexpr uint64_t kNonZeroFallback = 0x6574707563616368ull;  // "etpucach"

uint64_t NonZero(uint64_t v) { return v != 0 ? v : kNonZeroFallback; }

void AddTensor(base::Hasher& h, const ir::Tensor& t) {
  h.Add(static_cast<uint64_t>(t.type));
  h.Add(static_cast<uint64_t>(t.shape.size()));
  for (int32_t d : t.shape) h.Add(static_cast<uint64_t>(static_cast<int64_t>(d)));
  h.Add(static_cast<uint64_t>(t.quant.scale.size()));
  for (float s : t.quant.scale) {
    uint32_t bits = 0;
    std::memcpy(&bits, &s, sizeof(bits));
    h.Add(static_cast<uint64_t>(bits));
  }
  for (int64_t z : t.quant.zero_point) h.Add(static_cast<uint64_t>(z));
  h.Add(static_cast<uint64_t>(t.quant.quantized_dimension));
  h.Add(static_cast<uint64_t>(t.is_constant()));
  if (t.is_constant()) {
    h.Add(static_cast<uint64_t>(t.data.size()));
    h.Add(t.data);
  }
}

}  // namespace

uint64_t ModelContentDigest(const ir::Model& model, std::span<const int> ops) {
  base::Hasher h;
  h.Add(std::string_view("etpu-model-digest"));
  auto add_op = [&](const ir::Operator& op) {
    h.Add(static_cast<uint64_t>(op.code));
    h.Add(std::string_view(op.custom_code));
    h.Add(static_cast<uint64_t>(op.version));
    for (const auto* list : {&op.inputs, &op.outputs}) {
      h.Add(static_cast<uint64_t>(list->size()));
      for (int t : *list) {
        if (t >= 0 && static_cast<size_t>(t) < model.tensors.size()) {
          AddTensor(h, model.tensors[static_cast<size_t>(t)]);
        } else {
          h.Add(std::string_view("absent"));
        }
      }
    }
  };
  if (ops.empty()) {
    for (const auto& op : model.ops) add_op(op);
  } else {
    for (int i : ops) {
      if (i >= 0 && static_cast<size_t>(i) < model.ops.size()) add_op(model.ops[static_cast<size_t>(i)]);
    }
  }
  return h.Digest();
}

uint64_t MakeCachingToken(std::span<const PlanModel> set, std::string_view policy, const TokenOptions& options) {
  if (options.random) {
    std::random_device rd;
    const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
    return NonZero(v);
  }
  base::Hasher h;
  h.Add(std::string_view("etpu-caching-token"));
  h.Add(kCacheLayoutVersion);
  h.Add(policy);
  h.Add(static_cast<uint64_t>(set.size()));
  for (const PlanModel& m : set) {
    h.Add(m.content_digest);
    // Per record (the pieces of a split record summed): how a record is cut is not content.
    std::vector<PlanLayer> records;
    for (size_t k = 0; k < m.layers.size(); ++k) {
      if (k > 0 && ContinuesRecord(m.layers[k - 1], m.layers[k])) {
        records.back().bytes += m.layers[k].bytes;
      } else {
        records.push_back(m.layers[k]);
      }
    }
    h.Add(static_cast<uint64_t>(records.size()));
    for (const PlanLayer& l : records) {
      h.Add(static_cast<uint64_t>(l.op_index));
      h.Add(static_cast<uint64_t>(l.bytes));
      h.Add(static_cast<uint64_t>(l.always_streamed));
    }
  }
  return NonZero(h.Digest());
}

}  // namespace etpu::cache
