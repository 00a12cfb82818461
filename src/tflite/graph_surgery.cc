#include "tflite/graph_surgery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "tflite/flat_model.h"
#include "tflite/model_writer.h"

namespace etpu::tflite {
namespace {

uint32_t FindOrAddCustomCode(tflite_fb::ModelT& m, const std::string& custom_code) {
  for (size_t i = 0; i < m.operator_codes.size(); ++i) {
    const auto& c = *m.operator_codes[i];
    if (c.builtin_code == tflite_fb::BuiltinOperator::CUSTOM && c.custom_code == custom_code) return static_cast<uint32_t>(i);
  }
  auto c = std::make_unique<tflite_fb::OperatorCodeT>();
  c->builtin_code = tflite_fb::BuiltinOperator::CUSTOM;
  c->deprecated_builtin_code = static_cast<int8_t>(tflite_fb::BuiltinOperator::CUSTOM);
  c->custom_code = custom_code;
  c->version = 1;
  m.operator_codes.push_back(std::move(c));
  return static_cast<uint32_t>(m.operator_codes.size() - 1);
}

}  // namespace

namespace {

// Deep copy of one object-API table (by packing it alone and unpacking it again).
template <typename Table, typename Native>
std::unique_ptr<Native> DeepCopy(const Native& obj) {
  flatbuffers::FlatBufferBuilder fbb(256);
  fbb.Finish(Table::Pack(fbb, &obj));
  return std::unique_ptr<Native>(flatbuffers::GetRoot<Table>(fbb.GetBufferPointer())->UnPack());
}

/// One operator of an assembled model: a copy of a source operator, or a new custom operator.
struct OpSource {
  int source_op = -1;                        ///< >= 0: copy this operator of the source.
  RegionReplacement* custom = nullptr;  ///< Else: build this custom operator (its options are moved).
};

// Builds a model from selected parts of `src`, copying only what the result references.
std::unique_ptr<tflite_fb::ModelT> Assemble(const tflite_fb::ModelT& src, const std::vector<OpSource>& ops,
                                            const std::vector<int>& inputs, const std::vector<int>& outputs,
                                            bool keep_signatures, const std::set<int>& without_data) {
  const auto& sg = *src.subgraphs[0];
  const size_t nt = sg.tensors.size();
  std::vector<char> used(nt, 0);
  auto mark = [&](const std::vector<int32_t>& list) {
    for (int32_t t : list) {
      if (t >= 0 && static_cast<size_t>(t) < nt) used[static_cast<size_t>(t)] = 1;
    }
  };
  for (const auto& o : ops) {
    if (o.source_op >= 0) {
      const auto& op = *sg.operators[static_cast<size_t>(o.source_op)];
      mark(op.inputs);
      mark(op.outputs);
      mark(op.intermediates);
    } else {
      mark(std::vector<int32_t>(o.custom->inputs.begin(), o.custom->inputs.end()));
      mark(std::vector<int32_t>(o.custom->outputs.begin(), o.custom->outputs.end()));
    }
  }
  mark(std::vector<int32_t>(inputs.begin(), inputs.end()));
  mark(std::vector<int32_t>(outputs.begin(), outputs.end()));
  if (keep_signatures) {
    for (const auto& sig : src.signature_defs) {
      for (const auto& tm : sig->inputs) used[tm->tensor_index] = 1;
      for (const auto& tm : sig->outputs) used[tm->tensor_index] = 1;
    }
  }

  auto out = std::make_unique<tflite_fb::ModelT>();
  out->version = src.version;
  out->description = src.description;
  out->subgraphs.push_back(std::make_unique<tflite_fb::SubGraphT>());
  auto& osg = *out->subgraphs[0];
  osg.name = sg.name;

  // Buffers: the sentinel, then those of kept tensors and kept metadata, in source order.
  std::vector<char> buf_used(src.buffers.size(), 0);
  std::vector<char> drop_meta(src.metadata.size(), 0);
  for (size_t i = 0; i < src.metadata.size(); ++i) {
    for (const char* name : kDroppedMetadata) drop_meta[i] = drop_meta[i] || src.metadata[i]->name == name;
  }
  for (size_t t = 0; t < nt; ++t) {
    uint32_t b = sg.tensors[t]->buffer;
    if (used[t] && !without_data.count(static_cast<int>(t)) && b < buf_used.size()) buf_used[b] = 1;
  }
  for (size_t i = 0; i < src.metadata.size(); ++i) {
    if (!drop_meta[i] && src.metadata[i]->buffer < buf_used.size()) buf_used[src.metadata[i]->buffer] = 1;
  }
  std::vector<uint32_t> bremap(src.buffers.size(), 0);
  out->buffers.push_back(std::make_unique<tflite_fb::BufferT>());
  for (size_t b = 1; b < src.buffers.size(); ++b) {
    if (!buf_used[b]) continue;
    bremap[b] = static_cast<uint32_t>(out->buffers.size());
    auto copy = std::make_unique<tflite_fb::BufferT>();
    copy->data = src.buffers[b]->data;
    out->buffers.push_back(std::move(copy));
  }

  std::vector<int32_t> tremap(nt, -1);
  for (size_t t = 0; t < nt; ++t) {
    if (!used[t]) continue;
    tremap[t] = static_cast<int32_t>(osg.tensors.size());
    auto copy = DeepCopy<tflite_fb::Tensor>(*sg.tensors[t]);
    copy->buffer = without_data.count(static_cast<int>(t)) ? 0 : bremap[copy->buffer < bremap.size() ? copy->buffer : 0];
    osg.tensors.push_back(std::move(copy));
  }
  auto remap_list = [&](std::vector<int32_t>& list) {
    for (int32_t& t : list) {
      if (t >= 0) t = tremap[static_cast<size_t>(t)];
    }
  };

  std::vector<int32_t> code_remap(src.operator_codes.size(), -1);
  auto map_code = [&](uint32_t c) {
    if (code_remap[c] < 0) {
      code_remap[c] = static_cast<int32_t>(out->operator_codes.size());
      out->operator_codes.push_back(DeepCopy<tflite_fb::OperatorCode>(*src.operator_codes[c]));
    }
    return static_cast<uint32_t>(code_remap[c]);
  };
  for (const auto& o : ops) {
    if (o.source_op >= 0) {
      auto op = DeepCopy<tflite_fb::Operator>(*sg.operators[static_cast<size_t>(o.source_op)]);
      op->opcode_index = map_code(op->opcode_index);
      remap_list(op->inputs);
      remap_list(op->outputs);
      remap_list(op->intermediates);
      osg.operators.push_back(std::move(op));
      continue;
    }
    auto op = std::make_unique<tflite_fb::OperatorT>();
    op->opcode_index = FindOrAddCustomCode(*out, o.custom->custom_code);
    op->inputs.assign(o.custom->inputs.begin(), o.custom->inputs.end());
    op->outputs.assign(o.custom->outputs.begin(), o.custom->outputs.end());
    remap_list(op->inputs);
    remap_list(op->outputs);
    op->custom_options = std::move(o.custom->custom_options);
    op->custom_options_format = tflite_fb::CustomOptionsFormat::FLEXBUFFERS;
    osg.operators.push_back(std::move(op));
  }
  osg.inputs.assign(inputs.begin(), inputs.end());
  osg.outputs.assign(outputs.begin(), outputs.end());
  remap_list(osg.inputs);
  remap_list(osg.outputs);

  for (size_t i = 0; i < src.metadata.size(); ++i) {
    if (drop_meta[i]) continue;
    auto md = DeepCopy<tflite_fb::Metadata>(*src.metadata[i]);
    md->buffer = bremap[md->buffer < bremap.size() ? md->buffer : 0];
    out->metadata.push_back(std::move(md));
  }
  if (keep_signatures) {
    for (const auto& sig : src.signature_defs) {
      auto copy = DeepCopy<tflite_fb::SignatureDef>(*sig);
      for (auto& tm : copy->inputs) tm->tensor_index = static_cast<uint32_t>(tremap[tm->tensor_index]);
      for (auto& tm : copy->outputs) tm->tensor_index = static_cast<uint32_t>(tremap[tm->tensor_index]);
      out->signature_defs.push_back(std::move(copy));
    }
  }
  return out;
}

// The assembled order must be a valid execution order: every tensor an operator reads that some
// operator of the source writes is written before it, by a kept operator or as a custom operator's
// output. This fails for a region that is not convex (a path leaves it and comes back) and for a
// region whose outputs miss a tensor read outside it.
Status CheckOrder(const ir::Model& model, const std::vector<OpSource>& ops) {
  std::vector<char> written(model.tensors.size(), 0);
  auto reads = [&](const std::vector<int>& inputs, const std::string& what) -> Status {
    for (int t : inputs) {
      if (t < 0) continue;  // An optional input left out.
      if (static_cast<size_t>(t) >= model.tensors.size()) return InternalError(fmt::format("{} reads invalid tensor #{}", what, t));
      if (model.tensor(t).producer >= 0 && !written[static_cast<size_t>(t)]) {
        return InternalError(fmt::format("{} would read tensor '{}' before it is written (the region is not convex, or "
                                         "misses an output)", what, model.tensor(t).name));
      }
    }
    return OkStatus();
  };
  for (const OpSource& o : ops) {
    if (o.source_op >= 0) {
      const ir::Operator& op = model.ops[static_cast<size_t>(o.source_op)];
      ETPU_RETURN_IF_ERROR(reads(op.inputs, fmt::format("operator #{} ({})", o.source_op, op.name())));
      for (int t : op.outputs) written[static_cast<size_t>(t)] = 1;
    } else {
      ETPU_RETURN_IF_ERROR(reads(o.custom->inputs, fmt::format("the custom operator replacing #{}", o.custom->ops.front())));
      for (int t : o.custom->outputs) {
        if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) return InternalError(fmt::format("region output tensor #{} is invalid", t));
        written[static_cast<size_t>(t)] = 1;
      }
    }
  }
  return OkStatus();
}

}  // namespace

Result<ir::FlatModel> ReplaceRegions(const ir::Model& model, std::vector<RegionReplacement> regions,
                                     const std::string& description) {
  const int n = static_cast<int>(model.ops.size());
  std::vector<int> region_of(static_cast<size_t>(n), -1);
  for (size_t r = 0; r < regions.size(); ++r) {
    const auto& ops = regions[r].ops;
    if (ops.empty()) return InternalError("region replacement with no operators");
    for (size_t k = 0; k < ops.size(); ++k) {
      int op = ops[k];
      if (op < 0 || op >= n || region_of[static_cast<size_t>(op)] != -1) {
        return InternalError(fmt::format("region {} has invalid or repeated operator #{}", r, op));
      }
      if (k > 0 && op <= ops[k - 1]) return InternalError(fmt::format("region {} is not in execution order", r));
      region_of[static_cast<size_t>(op)] = static_cast<int>(r);
    }
  }
  std::vector<OpSource> ops;
  for (int i = 0; i < n; ++i) {
    int r = region_of[static_cast<size_t>(i)];
    if (r < 0) {
      ops.push_back({i, nullptr});
    } else if (regions[static_cast<size_t>(r)].ops.front() == i) {
      ops.push_back({-1, &regions[static_cast<size_t>(r)]});
    }
  }
  ETPU_RETURN_IF_ERROR(CheckOrder(model, ops));
  const auto& sg = *model.fb->subgraphs[0];
  std::vector<int> inputs(sg.inputs.begin(), sg.inputs.end()), outputs(sg.outputs.begin(), sg.outputs.end());
  // Nothing replaced: an unchanged copy (the metadata is dropped only when operators are replaced).
  ir::FlatModel out = regions.empty()
                          ? CloneModel(*model.fb)
                          : AdoptFlatModel(Assemble(*model.fb, ops, inputs, outputs, /*keep_signatures=*/true, {}));
  if (!description.empty()) out->description = description;
  return out;
}

Result<ir::FlatModel> ExtractSubModel(const ir::Model& model, const std::vector<int>& ops, const std::vector<int>& inputs,
                                      const std::vector<int>& outputs, const std::vector<int>& without_data) {
  std::vector<OpSource> sources;
  std::set<int> seen;
  for (int op : ops) {
    if (op < 0 || static_cast<size_t>(op) >= model.ops.size() || !seen.insert(op).second) {
      return InternalError(fmt::format("sub-model operator #{} is invalid or repeated", op));
    }
    sources.push_back({op, nullptr});
  }
  for (int t : inputs) {
    if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) return InternalError(fmt::format("sub-model input tensor #{} is invalid", t));
  }
  for (int t : outputs) {
    if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) return InternalError(fmt::format("sub-model output tensor #{} is invalid", t));
  }
  std::set<int> drop(without_data.begin(), without_data.end());
  return AdoptFlatModel(Assemble(*model.fb, sources, inputs, outputs, /*keep_signatures=*/false, drop));
}

}  // namespace etpu::tflite
