#include "tflite/model_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "base/file_io.h"
#include "tflite/flat_model.h"
#include "tflite/ir_options.h"

namespace etpu::tflite {
namespace {

using ir::Model;
using ir::Tensor;

Status Fail(const std::string& name, const std::string& what) {
  return InvalidArgumentError(fmt::format("failed to read model '{}': {}", name, what));
}

std::string TensorLabel(const Model& m, int t) {
  return fmt::format("tensor '{}' (#{})", m.tensors[static_cast<size_t>(t)].name, t);
}

std::string OpLabel(const Model& m, int i) {
  return fmt::format("operator #{} ({})", i, m.ops[static_cast<size_t>(i)].name());
}

Status CheckTensor(const tflite_fb::ModelT& fb, const tflite_fb::TensorT& t, int index, const std::string& name,
                   const std::vector<std::span<const uint8_t>>* payloads, Tensor& out) {
  out.index = index;
  out.name = t.name;
  out.type = static_cast<ir::TensorType>(t.type);
  out.shape = t.shape;
  out.shape_signature = t.shape_signature;
  out.is_variable = t.is_variable;
  std::string label = fmt::format("tensor '{}' (#{})", t.name, index);
  if (static_cast<int>(t.type) < 0 || static_cast<int>(t.type) > static_cast<int>(ir::TensorType::INT4)) {
    return Fail(name, fmt::format("{} has unknown type {}", label, static_cast<int>(t.type)));
  }
  if (t.shape.size() > 8) return Fail(name, fmt::format("{} has rank {} (at most 8 supported)", label, t.shape.size()));
  int64_t elements = 1;
  for (int32_t d : t.shape) {
    if (d < 0) return Fail(name, fmt::format("{} has negative dimension {}", label, d));
    elements *= d;
    if (elements > kMaxTensorBytes) {
      return Fail(name, fmt::format("{} has {} or more elements (at most {} supported)", label, elements, kMaxTensorBytes));
    }
  }
  int esize = ir::ElementSize(out.type);
  if (elements * std::max(esize, 1) > kMaxTensorBytes) {
    return Fail(name, fmt::format("{} needs more than {} bytes", label, kMaxTensorBytes));
  }
  if (t.sparsity) return UnimplementedError(fmt::format("failed to read model '{}': {} is sparse (not supported)", name, label));
  if (t.quantization) {
    const auto& q = *t.quantization;
    if (q.details.type != tflite_fb::QuantizationDetails::NONE) {
      return UnimplementedError(fmt::format("failed to read model '{}': {} uses custom quantization", name, label));
    }
    if (!q.scale.empty()) {
      if (q.zero_point.size() != q.scale.size()) {
        return Fail(name, fmt::format("{} has {} scales but {} zero points (expected equal counts)", label,
                                      q.scale.size(), q.zero_point.size()));
      }
      if (q.scale.size() > 1) {
        if (q.quantized_dimension < 0 || static_cast<size_t>(q.quantized_dimension) >= t.shape.size()) {
          return Fail(name, fmt::format("{} has quantized_dimension {} outside its rank {}", label,
                                        q.quantized_dimension, t.shape.size()));
        }
        int64_t channels = t.shape[static_cast<size_t>(q.quantized_dimension)];
        if (static_cast<int64_t>(q.scale.size()) != channels) {
          return Fail(name, fmt::format("{} has {} scales (expected {}, its dimension {})", label, q.scale.size(),
                                        channels, q.quantized_dimension));
        }
      }
      out.quant.scale = q.scale;
      out.quant.zero_point = q.zero_point;
      out.quant.quantized_dimension = q.quantized_dimension;
    }
  }
  if (t.buffer >= fb.buffers.size() && !(t.buffer == 0 && fb.buffers.empty())) {
    return Fail(name, fmt::format("{} refers to buffer #{} (the model has {} buffers)", label, t.buffer, fb.buffers.size()));
  }
  out.buffer = static_cast<int>(t.buffer);
  if (t.buffer != 0 && fb.buffers[t.buffer]) {
    const auto& buf = *fb.buffers[t.buffer];
    if (buf.offset > 1 || buf.size > 0) {
      return UnimplementedError(fmt::format("failed to read model '{}': {} uses an external buffer (models over 2 GB are not supported)", name, label));
    }
    const std::span<const uint8_t> data =
        payloads != nullptr ? (*payloads)[t.buffer] : std::span<const uint8_t>(buf.data.data(), buf.data.size());
    if (!data.empty()) {
      if (esize > 0 && static_cast<int64_t>(data.size()) != elements * esize) {
        return Fail(name, fmt::format("{} has {} bytes of data (expected {} for shape and type {})", label,
                                      data.size(), elements * esize, ir::TensorTypeName(out.type)));
      }
      out.data = data;
    }
  }
  return OkStatus();
}

Status CheckIndexList(const std::vector<int32_t>& list, size_t n, bool allow_missing, const std::string& name,
                      const std::string& what) {
  for (size_t k = 0; k < list.size(); ++k) {
    int32_t v = list[k];
    if (v == -1 && allow_missing) continue;
    if (v < 0 || static_cast<size_t>(v) >= n) {
      return Fail(name, fmt::format("{} #{} refers to tensor #{} (the subgraph has {} tensors)", what, k, v, n));
    }
  }
  return OkStatus();
}

}  // namespace

int32_t EffectiveBuiltinCode(const tflite_fb::OperatorCodeT& code) {
  return std::max<int32_t>(static_cast<int32_t>(code.deprecated_builtin_code), static_cast<int32_t>(code.builtin_code));
}

Result<Model> ReadModel(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(path));
  return ReadModelFromBuffer(bytes, path);
}

namespace {

// Checks the identifier and verifies the flatbuffer structure of `bytes` (8-byte aligned).
Result<const tflite_fb::Model*> VerifyRoot(std::span<const uint8_t> bytes, const std::string& name) {
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  opts.max_tables = 50'000'000;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (!tflite_fb::VerifyModelBuffer(verifier)) {
    return DataLossError(fmt::format("failed to read model '{}': the flatbuffer is corrupt or truncated (verification failed)", name));
  }
  // The verifier checks the alignment of vector lengths, not of 8-byte elements: a hostile file can
  // place a zero_point ([long]) vector at a 4-byte boundary. Writers always align it; refuse it.
  const tflite_fb::Model* root = tflite_fb::GetModel(bytes.data());
  if (root->subgraphs() != nullptr) {
    for (const auto* sg : *root->subgraphs()) {
      if (sg == nullptr || sg->tensors() == nullptr) continue;
      for (const auto* t : *sg->tensors()) {
        const auto* q = t == nullptr ? nullptr : t->quantization();
        if (q != nullptr && q->zero_point() != nullptr &&
            (reinterpret_cast<uintptr_t>(q->zero_point()->data()) - reinterpret_cast<uintptr_t>(bytes.data())) % 8 != 0) {
          return DataLossError(fmt::format("failed to read model '{}': the zero points of tensor '{}' are not 8-byte aligned "
                                           "(corrupt flatbuffer)", name, t->name() ? t->name()->str() : ""));
        }
      }
    }
  }
  return root;
}

Status CheckHeader(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.empty()) return Fail(name, "the file is empty");
  if (bytes.size() < 8) return Fail(name, fmt::format("the file has {} bytes, too few for a TFLite flatbuffer", bytes.size()));
  if (std::memcmp(bytes.data() + 4, "TFL3", 4) != 0) {
    std::string id;
    for (int i = 4; i < 8; ++i) id += (bytes[i] >= 32 && bytes[i] < 127) ? static_cast<char>(bytes[i]) : '?';
    return Fail(name, fmt::format("not a TFLite model (file identifier '{}', expected 'TFL3')", id));
  }
  return OkStatus();
}

Result<Model> BuildModelImpl(ir::FlatModel fb, const std::string& name, const std::vector<std::span<const uint8_t>>* payloads);

}  // namespace

Result<Model> ReadModelFromBuffer(std::span<const uint8_t> bytes, const std::string& name) {
  ETPU_RETURN_IF_ERROR(CheckHeader(bytes, name));
  // Flatbuffers are read in place: work on an 8-byte-aligned copy when the caller's bytes are not.
  std::vector<uint64_t> aligned_copy;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 8 != 0) {
    aligned_copy.resize((bytes.size() + 7) / 8);
    std::memcpy(aligned_copy.data(), bytes.data(), bytes.size());
    bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(aligned_copy.data()), bytes.size());
  }
  ETPU_ASSIGN_OR_RETURN(const tflite_fb::Model* root, VerifyRoot(bytes, name));
  ETPU_ASSIGN_OR_RETURN(Model model, BuildModel(AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT>(root->UnPack())), name));
  model.file_size = static_cast<int64_t>(bytes.size());
  return model;
}

Result<Model> ReadModelInPlace(std::span<const uint8_t> bytes, const std::string& name) {
  ETPU_RETURN_IF_ERROR(CheckHeader(bytes, name));
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 8 != 0) {
    return InvalidArgumentError(fmt::format("failed to read model '{}' in place: its bytes are not 8-byte aligned", name));
  }
  ETPU_ASSIGN_OR_RETURN(const tflite_fb::Model* root, VerifyRoot(bytes, name));
  // Model::UnPackTo without the buffers' payloads (the one difference; the round-trip test in
  // model_reader_test.cc compares the two trees).
  auto tree = std::make_unique<tflite_fb::ModelT>();
  tree->version = root->version();
  if (const auto* v = root->operator_codes()) {
    for (const auto* c : *v) tree->operator_codes.emplace_back(c->UnPack());
  }
  if (const auto* v = root->subgraphs()) {
    for (const auto* g : *v) tree->subgraphs.emplace_back(g->UnPack());
  }
  if (root->description() != nullptr) tree->description = root->description()->str();
  std::vector<std::span<const uint8_t>> payloads;
  if (const auto* v = root->buffers()) {
    for (const auto* b : *v) {
      auto buffer = std::make_unique<tflite_fb::BufferT>();
      buffer->offset = b->offset();
      buffer->size = b->size();
      tree->buffers.push_back(std::move(buffer));
      payloads.push_back(b->data() == nullptr ? std::span<const uint8_t>()
                                              : std::span<const uint8_t>(b->data()->data(), b->data()->size()));
    }
  }
  if (const auto* v = root->metadata_buffer()) tree->metadata_buffer.assign(v->begin(), v->end());
  if (const auto* v = root->metadata()) {
    for (const auto* m : *v) tree->metadata.emplace_back(m->UnPack());
  }
  if (const auto* v = root->signature_defs()) {
    for (const auto* s : *v) tree->signature_defs.emplace_back(s->UnPack());
  }
  ETPU_ASSIGN_OR_RETURN(Model model, BuildModelImpl(AdoptFlatModel(std::move(tree)), name, &payloads));
  // Custom options (an Edge TPU op's package) are read in place too: the tree's copies are freed.
  const auto* ops = (*root->subgraphs())[0]->operators();
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const auto* options = ops->Get(static_cast<flatbuffers::uoffset_t>(i))->custom_options();
    if (options == nullptr) continue;
    model.ops[i].custom_options = std::span<const uint8_t>(options->data(), options->size());
    std::vector<uint8_t>().swap(model.fb->subgraphs[0]->operators[i]->custom_options);
  }
  model.file_size = static_cast<int64_t>(bytes.size());
  return model;
}

Result<Model> BuildModel(ir::FlatModel fb, const std::string& name) { return BuildModelImpl(std::move(fb), name, nullptr); }

Result<Model> BuildModelWithPayloads(ir::FlatModel fb, const std::string& name,
                                     const std::vector<std::span<const uint8_t>>& payloads) {
  if (fb != nullptr && payloads.size() != fb->buffers.size()) {
    return InternalError(fmt::format("model '{}': {} payloads for {} buffers", name, payloads.size(), fb->buffers.size()));
  }
  return BuildModelImpl(std::move(fb), name, &payloads);
}

namespace {

Result<Model> BuildModelImpl(ir::FlatModel fb, const std::string& name, const std::vector<std::span<const uint8_t>>* payloads) {
  Model m;
  m.path = name;
  if (fb == nullptr) return Fail(name, "there is no model");
  if (fb->version != 3) return Fail(name, fmt::format("schema version {} (expected 3)", fb->version));
  if (fb->subgraphs.empty() || !fb->subgraphs[0]) return Fail(name, "the model has no subgraph");
  if (fb->subgraphs.size() > 1) {
    return UnimplementedError(fmt::format("failed to read model '{}': the model has {} subgraphs (control flow); only single-subgraph models are supported",
                                          name, fb->subgraphs.size()));
  }
  for (const auto& b : fb->buffers) {
    if (!b) return Fail(name, "a buffer entry is null");
  }
  const auto& sg = *fb->subgraphs[0];
  const size_t nt = sg.tensors.size();
  m.tensors.resize(nt);
  for (size_t i = 0; i < nt; ++i) {
    if (!sg.tensors[i]) return Fail(name, fmt::format("tensor #{} is null", i));
    ETPU_RETURN_IF_ERROR(CheckTensor(*fb, *sg.tensors[i], static_cast<int>(i), name, payloads, m.tensors[i]));
  }
  ETPU_RETURN_IF_ERROR(CheckIndexList(sg.inputs, nt, false, name, "subgraph input"));
  ETPU_RETURN_IF_ERROR(CheckIndexList(sg.outputs, nt, false, name, "subgraph output"));
  m.inputs = sg.inputs;
  m.outputs = sg.outputs;

  for (size_t k = 0; k < fb->operator_codes.size(); ++k) {
    if (!fb->operator_codes[k]) return Fail(name, fmt::format("operator code #{} is null", k));
    int32_t code = EffectiveBuiltinCode(*fb->operator_codes[k]);
    m.operator_codes.push_back({code, fb->operator_codes[k]->custom_code, fb->operator_codes[k]->version});
    if (code < 0 || code > kNewestKnownBuiltin) {
      return UnimplementedError(fmt::format("failed to read model '{}': operator code #{} has builtin code {}, newer than the newest etpu knows ({})",
                                            name, k, code, kNewestKnownBuiltin));
    }
  }
  m.ops.resize(sg.operators.size());
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    if (!sg.operators[i]) return Fail(name, fmt::format("operator #{} is null", i));
    const auto& op = *sg.operators[i];
    if (op.opcode_index >= fb->operator_codes.size()) {
      return Fail(name, fmt::format("operator #{} uses operator code #{} (the model has {})", i, op.opcode_index,
                                    fb->operator_codes.size()));
    }
    const auto& code = *fb->operator_codes[op.opcode_index];
    ir::Operator& o = m.ops[i];
    o.index = static_cast<int>(i);
    o.code = static_cast<ir::BuiltinOperator>(EffectiveBuiltinCode(code));
    o.custom_code = code.custom_code;
    o.version = code.version;
    o.inputs = op.inputs;
    o.outputs = op.outputs;
    o.intermediates = op.intermediates;
    o.builtin_options = ToIrOptions(op.builtin_options);
    o.custom_options = std::span<const uint8_t>(op.custom_options.data(), op.custom_options.size());
    o.custom_options_format = static_cast<ir::CustomOptionsFormat>(op.custom_options_format);
    std::string what = fmt::format("operator #{} ({}) input", i, o.name());
    ETPU_RETURN_IF_ERROR(CheckIndexList(op.inputs, nt, true, name, what));
    what = fmt::format("operator #{} ({}) output", i, o.name());
    ETPU_RETURN_IF_ERROR(CheckIndexList(op.outputs, nt, false, name, what));
    what = fmt::format("operator #{} ({}) intermediate", i, o.name());
    ETPU_RETURN_IF_ERROR(CheckIndexList(op.intermediates, nt, false, name, what));
    if (op.builtin_options.type != tflite_fb::BuiltinOptions::NONE && op.builtin_options.value == nullptr) {
      return Fail(name, fmt::format("operator #{} ({}) declares {} but holds none (corrupt options)", i, o.name(),
                                    tflite_fb::EnumNameBuiltinOptions(op.builtin_options.type)));
    }
    if (op.large_custom_options_offset > 1) {
      return UnimplementedError(fmt::format("failed to read model '{}': operator #{} keeps its options outside the flatbuffer (models over 2 GB are not supported)", name, i));
    }
  }

  // Metadata and signatures point into buffers and tensors too.
  for (size_t k = 0; k < fb->metadata.size(); ++k) {
    const auto* md = fb->metadata[k].get();
    if (md == nullptr) return Fail(name, fmt::format("metadata entry #{} is null", k));
    if (md->buffer >= fb->buffers.size()) {
      return Fail(name, fmt::format("metadata '{}' refers to buffer #{} (the model has {} buffers)", md->name, md->buffer,
                                    fb->buffers.size()));
    }
  }
  for (size_t k = 0; k < fb->signature_defs.size(); ++k) {
    const auto* sig = fb->signature_defs[k].get();
    if (sig == nullptr) return Fail(name, fmt::format("signature #{} is null", k));
    if (sig->subgraph_index != 0) {
      return Fail(name, fmt::format("signature '{}' names subgraph #{} (the model has 1)", sig->signature_key, sig->subgraph_index));
    }
    ir::Signature& s = m.signatures.emplace_back();
    s.key = sig->signature_key;
    s.subgraph = static_cast<int>(sig->subgraph_index);
    for (const auto& [list, entries] : {std::pair{&sig->inputs, &s.inputs}, std::pair{&sig->outputs, &s.outputs}}) {
      for (const auto& tm : *list) {
        if (tm == nullptr || tm->tensor_index >= nt) {
          return Fail(name, fmt::format("signature '{}' refers to tensor #{} (the subgraph has {} tensors)", sig->signature_key,
                                        tm == nullptr ? -1 : static_cast<int64_t>(tm->tensor_index), nt));
        }
        entries->push_back({tm->name, static_cast<int>(tm->tensor_index)});
      }
    }
  }
  for (int32_t b : fb->metadata_buffer) {
    if (b < 0 || static_cast<size_t>(b) >= fb->buffers.size()) {
      return Fail(name, fmt::format("metadata_buffer refers to buffer #{} (the model has {} buffers)", b, fb->buffers.size()));
    }
  }

  // Data flow: each tensor is written at most once, and read only after it is written.
  std::vector<char> is_input(nt, 0);
  for (int t : m.inputs) is_input[static_cast<size_t>(t)] = 1;
  for (const auto& o : m.ops) {
    for (int t : o.outputs) {
      Tensor& tensor = m.tensors[static_cast<size_t>(t)];
      if (tensor.producer >= 0) {
        return Fail(name, fmt::format("{} is written by {} and by {}", TensorLabel(m, t), OpLabel(m, tensor.producer), OpLabel(m, o.index)));
      }
      if (is_input[static_cast<size_t>(t)]) return Fail(name, fmt::format("{} is a model input but written by {}", TensorLabel(m, t), OpLabel(m, o.index)));
      if (tensor.is_constant()) return Fail(name, fmt::format("{} is constant but written by {}", TensorLabel(m, t), OpLabel(m, o.index)));
      tensor.producer = o.index;
    }
  }
  for (const auto& o : m.ops) {
    for (int t : o.inputs) {
      if (t < 0) continue;
      Tensor& tensor = m.tensors[static_cast<size_t>(t)];
      if (tensor.producer >= o.index) {
        return Fail(name, fmt::format("{} reads {} before {} writes it (cyclic or out-of-order graph)", OpLabel(m, o.index),
                                      TensorLabel(m, t), OpLabel(m, tensor.producer)));
      }
      bool available = tensor.producer >= 0 || is_input[static_cast<size_t>(t)] || tensor.is_constant() ||
                       tensor.is_variable || tensor.num_elements() == 0;
      if (!available) {
        return Fail(name, fmt::format("{} reads {}, which nothing writes (dangling reference)", OpLabel(m, o.index), TensorLabel(m, t)));
      }
      if (tensor.consumers.empty() || tensor.consumers.back() != o.index) tensor.consumers.push_back(o.index);
    }
  }
  for (int t : m.outputs) {
    const Tensor& tensor = m.tensors[static_cast<size_t>(t)];
    if (tensor.producer < 0 && !is_input[static_cast<size_t>(t)] && !tensor.is_constant()) {
      return Fail(name, fmt::format("model output {} is never written", TensorLabel(m, t)));
    }
  }
  m.description = fb->description;
  m.fb = std::move(fb);
  return m;
}

}  // namespace

}  // namespace etpu::tflite
