#include "tflite/graph_surgery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

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

void DropOperatorCodesNotUsed(tflite_fb::ModelT& m) {
  std::vector<int> used(m.operator_codes.size(), 0);
  for (const auto& sg : m.subgraphs) {
    for (const auto& op : sg->operators) used[op->opcode_index] = 1;
  }
  std::vector<uint32_t> remap(m.operator_codes.size(), 0);
  std::vector<std::unique_ptr<tflite_fb::OperatorCodeT>> kept;
  for (size_t i = 0; i < m.operator_codes.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(m.operator_codes[i]));
  }
  m.operator_codes = std::move(kept);
  for (auto& sg : m.subgraphs) {
    for (auto& op : sg->operators) op->opcode_index = remap[op->opcode_index];
  }
}

void DropMetadata(tflite_fb::ModelT& m) {
  std::vector<std::unique_ptr<tflite_fb::MetadataT>> kept;
  for (auto& md : m.metadata) {
    bool drop = false;
    for (const char* name : kDroppedMetadata) drop = drop || md->name == name;
    if (!drop) kept.push_back(std::move(md));
  }
  m.metadata = std::move(kept);
  m.metadata_buffer.clear();
}

}  // namespace

void CompactModel(tflite_fb::ModelT& m) {
  DropOperatorCodesNotUsed(m);
  auto& sg = *m.subgraphs[0];
  const size_t nt = sg.tensors.size();
  std::vector<int> used(nt, 0);
  auto mark = [&](const std::vector<int32_t>& list) {
    for (int32_t t : list) {
      if (t >= 0 && static_cast<size_t>(t) < nt) used[static_cast<size_t>(t)] = 1;
    }
  };
  mark(sg.inputs);
  mark(sg.outputs);
  for (const auto& op : sg.operators) {
    mark(op->inputs);
    mark(op->outputs);
    mark(op->intermediates);
  }
  for (const auto& sig : m.signature_defs) {
    for (const auto& tm : sig->inputs) used[tm->tensor_index] = 1;
    for (const auto& tm : sig->outputs) used[tm->tensor_index] = 1;
  }
  std::vector<int32_t> remap(nt, -1);
  std::vector<std::unique_ptr<tflite_fb::TensorT>> kept;
  for (size_t i = 0; i < nt; ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<int32_t>(kept.size());
    kept.push_back(std::move(sg.tensors[i]));
  }
  sg.tensors = std::move(kept);
  auto apply = [&](std::vector<int32_t>& list) {
    for (int32_t& t : list) {
      if (t >= 0) t = remap[static_cast<size_t>(t)];
    }
  };
  apply(sg.inputs);
  apply(sg.outputs);
  for (auto& op : sg.operators) {
    apply(op->inputs);
    apply(op->outputs);
    apply(op->intermediates);
  }
  for (auto& sig : m.signature_defs) {
    for (auto& tm : sig->inputs) tm->tensor_index = static_cast<uint32_t>(remap[tm->tensor_index]);
    for (auto& tm : sig->outputs) tm->tensor_index = static_cast<uint32_t>(remap[tm->tensor_index]);
  }
  // Buffers: keep the sentinel, those of remaining tensors and those of metadata.
  std::vector<int> buf_used(m.buffers.size(), 0);
  if (!buf_used.empty()) buf_used[0] = 1;
  for (const auto& t : sg.tensors) {
    if (t->buffer < buf_used.size()) buf_used[t->buffer] = 1;
  }
  for (const auto& md : m.metadata) {
    if (md->buffer < buf_used.size()) buf_used[md->buffer] = 1;
  }
  std::vector<uint32_t> bremap(m.buffers.size(), 0);
  std::vector<std::unique_ptr<tflite_fb::BufferT>> bkept;
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    if (!buf_used[i]) continue;
    bremap[i] = static_cast<uint32_t>(bkept.size());
    bkept.push_back(std::move(m.buffers[i]));
  }
  m.buffers = std::move(bkept);
  if (m.buffers.empty()) m.buffers.push_back(std::make_unique<tflite_fb::BufferT>());
  for (auto& t : sg.tensors) t->buffer = t->buffer < bremap.size() ? bremap[t->buffer] : 0;
  for (auto& md : m.metadata) md->buffer = bremap[md->buffer];
  m.metadata_buffer.clear();
}

Result<std::unique_ptr<tflite_fb::ModelT>> ReplaceRegions(const ir::Model& model,
                                                          const std::vector<RegionReplacement>& regions,
                                                          const std::string& description) {
  auto out = CloneModel(*model.fb);
  auto& sg = *out->subgraphs[0];
  const int n = static_cast<int>(sg.operators.size());
  std::vector<int> region_of(static_cast<size_t>(n), -1);
  for (size_t r = 0; r < regions.size(); ++r) {
    const auto& ops = regions[r].ops;
    if (ops.empty()) return InternalError("region replacement with no operators");
    for (size_t k = 0; k < ops.size(); ++k) {
      int op = ops[k];
      if (op < 0 || op >= n || region_of[static_cast<size_t>(op)] != -1) {
        return InternalError(fmt::format("region {} has invalid or repeated operator #{}", r, op));
      }
      if (k > 0 && op != ops[k - 1] + 1) return InternalError(fmt::format("region {} is not a run of consecutive operators", r));
      region_of[static_cast<size_t>(op)] = static_cast<int>(r);
    }
  }
  std::vector<std::unique_ptr<tflite_fb::OperatorT>> ops;
  for (int i = 0; i < n; ++i) {
    int r = region_of[static_cast<size_t>(i)];
    if (r < 0) {
      ops.push_back(std::move(sg.operators[static_cast<size_t>(i)]));
      continue;
    }
    if (regions[static_cast<size_t>(r)].ops.front() != i) continue;
    const RegionReplacement& rep = regions[static_cast<size_t>(r)];
    auto op = std::make_unique<tflite_fb::OperatorT>();
    op->opcode_index = FindOrAddCustomCode(*out, rep.custom_code);
    op->inputs.assign(rep.inputs.begin(), rep.inputs.end());
    op->outputs.assign(rep.outputs.begin(), rep.outputs.end());
    op->custom_options = rep.custom_options;
    op->custom_options_format = tflite_fb::CustomOptionsFormat::FLEXBUFFERS;
    ops.push_back(std::move(op));
  }
  sg.operators = std::move(ops);
  if (!regions.empty()) DropMetadata(*out);
  if (!description.empty()) out->description = description;
  CompactModel(*out);
  return out;
}

Result<std::unique_ptr<tflite_fb::ModelT>> ExtractSubModel(const ir::Model& model, const std::vector<int>& ops,
                                                           const std::vector<int>& inputs,
                                                           const std::vector<int>& outputs) {
  auto out = CloneModel(*model.fb);
  auto& sg = *out->subgraphs[0];
  std::vector<std::unique_ptr<tflite_fb::OperatorT>> kept;
  for (int op : ops) {
    if (op < 0 || static_cast<size_t>(op) >= sg.operators.size() || !sg.operators[static_cast<size_t>(op)]) {
      return InternalError(fmt::format("sub-model operator #{} is invalid or repeated", op));
    }
    kept.push_back(std::move(sg.operators[static_cast<size_t>(op)]));
  }
  sg.operators = std::move(kept);
  sg.inputs.assign(inputs.begin(), inputs.end());
  sg.outputs.assign(outputs.begin(), outputs.end());
  out->signature_defs.clear();
  DropMetadata(*out);
  CompactModel(*out);
  return out;
}

}  // namespace etpu::tflite
