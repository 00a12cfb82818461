#include "package/package_reader.h"

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include <cstring>

#include "package/rebase.h"
#include "package/schema/executable_generated.h"

namespace etpu::package {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMaxPackageBytes = size_t{1} << 31;

Status Bad(std::string_view what, const std::string& problem) {
  return DataLossError(fmt::format("failed to read the Edge TPU package of {}: {}", what, problem));
}

std::string Str(const flatbuffers::String* s) { return s ? std::string(s->c_str(), s->size()) : std::string(); }

template <typename T>
bool VerifyRoot(const uint8_t* data, size_t size, const char* identifier) {
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  opts.max_tables = 1'000'000;
  flatbuffers::Verifier verifier(data, size, opts);
  return verifier.VerifyBuffer<T>(identifier);
}

IoLayer DecodeLayer(const dwn_fb::Layer& l) {
  IoLayer out;
  out.name = Str(l.name());
  out.size_bytes = l.size_bytes();
  out.y_dim = l.y_dim();
  out.x_dim = l.x_dim();
  out.z_dim = l.z_dim();
  if (l.numerics() != nullptr) {
    out.zero_point = l.numerics()->zero_point();
    out.scale = l.numerics()->dequantization_factor();
  }
  out.data_type = static_cast<LayerDataType>(l.data_type());
  out.execution_count_per_inference = l.execution_count_per_inference();
  return out;
}

Result<std::vector<IoLayer>> DecodeLayers(const flatbuffers::Vector<flatbuffers::Offset<dwn_fb::Layer>>* v,
                                          std::string_view what, const char* label) {
  std::vector<IoLayer> out;
  if (v == nullptr) return out;
  for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
    const dwn_fb::Layer* l = v->Get(i);
    if (l == nullptr) return Bad(what, fmt::format("{} #{} is null", label, i));
    out.push_back(DecodeLayer(*l));
    if (out.back().size_bytes < 0) return Bad(what, fmt::format("{} '{}' has size {} bytes", label, out.back().name, out.back().size_bytes));
  }
  return out;
}

Result<std::vector<DmaHint>> DecodeHints(const dwn_fb::DmaHints* hints, std::string_view what) {
  std::vector<DmaHint> out;
  if (hints == nullptr || hints->hints() == nullptr) return out;
  for (flatbuffers::uoffset_t i = 0; i < hints->hints()->size(); ++i) {
    const dwn_fb::DmaHint* h = hints->hints()->Get(i);
    if (h == nullptr) return Bad(what, fmt::format("DMA hint #{} is null", i));
    DmaHint d;
    d.outfeed = h->direction() == dwn_fb::Direction::OUTFEED;
    switch (h->any_hint_type()) {
      case dwn_fb::AnyHint::DmaDescriptorHint: {
        const auto* x = h->any_hint_as_DmaDescriptorHint();
        if (x == nullptr) return Bad(what, fmt::format("DMA hint #{} has no descriptor", i));
        d.kind = DmaHint::Kind::kDescriptor;
        if (x->meta() != nullptr) {
          d.address = static_cast<AddressKind>(x->meta()->desc());
          d.batch = x->meta()->batch();
          d.name = Str(x->meta()->name());
        }
        d.offset_bytes = x->offset_in_bytes();
        d.size_bytes = x->size_in_bytes();
        break;
      }
      case dwn_fb::AnyHint::InstructionHint: {
        const auto* x = h->any_hint_as_InstructionHint();
        if (x == nullptr) return Bad(what, fmt::format("DMA hint #{} has no instruction hint", i));
        d.kind = DmaHint::Kind::kInstruction;
        d.chunk_index = x->instruction_chunk_index();
        break;
      }
      case dwn_fb::AnyHint::InterruptHint: {
        const auto* x = h->any_hint_as_InterruptHint();
        d.kind = DmaHint::Kind::kInterrupt;
        d.interrupt_type = x ? static_cast<int16_t>(x->type()) : 0;
        break;
      }
      case dwn_fb::AnyHint::FenceHint:
        d.kind = DmaHint::Kind::kFence;
        break;
      default:
        return Bad(what, fmt::format("DMA hint #{} has unknown type {}", i, static_cast<int>(h->any_hint_type())));
    }
    out.push_back(std::move(d));
  }
  return out;
}

/// Decodes one verified Executable whose buffer starts at `data` (inside `base`'s storage).
Result<ExecutableInfo> DecodeExecutable(const uint8_t* data, size_t size, const uint8_t* package_base,
                                        std::string_view what) {
  if (!Aligned(data, 8)) return Bad(what, "an executable buffer is not 8-byte aligned");
  if (!VerifyRoot<dwn_fb::Executable>(data, size, nullptr)) {
    return Bad(what, "an executable flatbuffer is corrupt or truncated (verification failed)");
  }
  const dwn_fb::Executable* e = flatbuffers::GetRoot<dwn_fb::Executable>(data);
  ExecutableInfo x;
  int type = static_cast<int>(e->type());
  if (type < 0 || type > 2) return Bad(what, fmt::format("executable '{}' has type {} (expected 0, 1 or 2)", Str(e->name()), type));
  x.type = static_cast<ExecutableType>(type);
  x.name = Str(e->name());
  x.chip = Str(e->chip());
  x.version = e->version();
  x.batch_size = e->batch_size();
  x.scratch_size_bytes = e->scratch_size_bytes();
  x.token = e->parameter_caching_token();
  x.used_narrow_memory_bytes_per_tile = e->used_narrow_memory_bytes_per_tile();
  x.estimated_cycles_64bit = e->estimated_cycles_64bit();
  x.estimated_cycles = e->estimated_cycles();
  x.use_tpu_dram_for_parameters = e->use_tpu_dram_for_parameters();
  std::string label = fmt::format("{} executable '{}'", ExecutableTypeName(x.type), x.name);
  if (x.scratch_size_bytes < 0) return Bad(what, fmt::format("{} has scratch size {}", label, x.scratch_size_bytes));
  if (e->parameters() != nullptr) {
    x.parameters = std::span<const uint8_t>(e->parameters()->data(), e->parameters()->size());
    x.parameters_offset = e->parameters()->data() - data;
  }
  if (e->instruction_bitstreams() != nullptr) {
    for (flatbuffers::uoffset_t i = 0; i < e->instruction_bitstreams()->size(); ++i) {
      const dwn_fb::InstructionBitstream* b = e->instruction_bitstreams()->Get(i);
      if (b == nullptr) return Bad(what, fmt::format("{}: instruction chunk #{} is null", label, i));
      if (b->bitstream() == nullptr) {
        x.instruction_bitstreams.emplace_back();
      } else {
        x.instruction_bitstreams.emplace_back(b->bitstream()->data(), b->bitstream()->size());
      }
    }
  }
  ETPU_ASSIGN_OR_RETURN(x.input_layers, DecodeLayers(e->input_layers(), what, "input layer"));
  ETPU_ASSIGN_OR_RETURN(x.output_layers, DecodeLayers(e->output_layers(), what, "output layer"));
  ETPU_ASSIGN_OR_RETURN(x.dma_hints, DecodeHints(e->dma_hints(), what));
  x.dma_hints_fully_deterministic = e->dma_hints() != nullptr && e->dma_hints()->fully_deterministic();
  x.offset_in_package = package_base ? data - package_base : 0;
  x.size_bytes = static_cast<int64_t>(size);
  return x;
}

/// Checks the executable set as the runtime does and decodes etpu programs.
Status FinishPackage(PackageInfo& p, std::string_view what) {
  const auto& ex = p.executables;
  int pc = 0, eo = 0, sa = 0;
  for (const auto& e : ex) {
    pc += e.type == ExecutableType::kParameterCaching;
    eo += e.type == ExecutableType::kExecutionOnly;
    sa += e.type == ExecutableType::kStandAlone;
  }
  if (ex.empty() || ex.size() > 3) return Bad(what, fmt::format("the package has {} executables (expected 1, 2 or 3)", ex.size()));
  if (ex.size() == 2 && !(pc == 1 && eo == 1)) {
    return Bad(what, "a package with two executables must hold one PARAMETER_CACHING and one EXECUTION_ONLY");
  }
  if (ex.size() == 3 && !(pc == 1 && eo == 1 && sa == 1)) {
    return Bad(what, "a package with three executables must hold PARAMETER_CACHING, EXECUTION_ONLY and STAND_ALONE");
  }
  if (const ExecutableInfo* c = p.caching(); c != nullptr && ex.size() > 1 && c->token == 0) {
    return Bad(what, "the PARAMETER_CACHING executable has caching token 0");
  }
  BlobSizes blobs;
  const ExecutableInfo* c = ex.size() > 1 ? p.caching() : nullptr;
  blobs.cached = c != nullptr ? static_cast<int64_t>(c->parameters.size()) : 0;
  blobs.streamed = static_cast<int64_t>(p.main()->parameters.size());
  for (ExecutableInfo& e : p.executables) {
    if (!e.is_virtual() || e.instruction_bitstreams.empty() || e.instruction_bitstreams[0].empty()) continue;
    ETPU_ASSIGN_OR_RETURN(e.program, DecodeProgram(e.instruction_bitstreams[0], blobs,
                                                   fmt::format("{} ({} executable '{}')", what, ExecutableTypeName(e.type), e.name)));
  }
  return OkStatus();
}

}  // namespace

Status CheckRuntimeVersion(int32_t required, int32_t runtime) {
  if (required > runtime) {
    return FailedPreconditionError(
        fmt::format("Package requires runtime version ({}), which is newer than this runtime version ({}).", required, runtime));
  }
  return OkStatus();
}

int64_t ExecutableInfo::instruction_bytes() const {
  int64_t n = 0;
  for (const auto& b : instruction_bitstreams) n += static_cast<int64_t>(b.size());
  return n;
}

int64_t ExecutableInfo::parameter_dma_bytes() const {
  int64_t n = 0;
  for (const auto& h : dma_hints) {
    if (h.kind == DmaHint::Kind::kDescriptor && h.address == AddressKind::kParameter) n += h.size_bytes;
  }
  return n;
}

const ExecutableInfo* PackageInfo::main() const {
  const ExecutableInfo* sa = nullptr;
  for (const auto& e : executables) {
    if (e.type == ExecutableType::kExecutionOnly) return &e;
    if (e.type == ExecutableType::kStandAlone && sa == nullptr) sa = &e;
  }
  if (sa != nullptr) return sa;
  return executables.empty() ? nullptr : &executables.front();
}

const ExecutableInfo* PackageInfo::caching() const {
  for (const auto& e : executables) {
    if (e.type == ExecutableType::kParameterCaching) return &e;
  }
  return nullptr;
}

uint64_t PackageInfo::token() const { return main() ? main()->token : 0; }
std::string PackageInfo::chip() const { return main() ? main()->chip : std::string(); }
bool PackageInfo::is_virtual() const { return main() != nullptr && main()->is_virtual(); }

int64_t PackageInfo::on_chip_bytes() const {
  if (executables.size() < 2) return 0;
  const ExecutableInfo* c = caching();
  return c ? static_cast<int64_t>(c->parameters.size()) : 0;
}

int64_t PackageInfo::off_chip_bytes() const {
  const ExecutableInfo* m = main();
  return m ? static_cast<int64_t>(m->parameters.size()) : 0;
}

namespace {

/// Reads the package `bytes` (kept valid by `storage`) where they lie.
Result<PackageInfo> ReadAt(std::span<const uint8_t> bytes, std::shared_ptr<const void> storage, std::string_view what) {
  if (bytes.size() < 8) return Bad(what, fmt::format("the package has {} bytes, too few for a flatbuffer", bytes.size()));
  if (bytes.size() >= kMaxPackageBytes) return Bad(what, fmt::format("the package has {} bytes (limit 2 GiB)", bytes.size()));
  const uint8_t* base = bytes.data();
  PackageInfo p;
  p.bytes = bytes;
  p.storage.push_back(std::move(storage));
  p.size_bytes = static_cast<int64_t>(bytes.size());

  if (std::memcmp(base + 4, dwn_fb::PackageIdentifier(), 4) != 0) {
    // Legacy: a bare Executable.
    p.format = PackageFormat::kLegacyExecutable;
    if (!VerifyRoot<dwn_fb::Executable>(base, bytes.size(), nullptr)) {
      return Bad(what, "key \"4\" is neither a DWN1 package (identifier missing) nor a legacy executable (verification failed)");
    }
    ETPU_ASSIGN_OR_RETURN(ExecutableInfo e, DecodeExecutable(base, bytes.size(), nullptr, what));
    p.executables.push_back(std::move(e));
    ETPU_RETURN_IF_ERROR(FinishPackage(p, what));
    return p;
  }

  if (!VerifyRoot<dwn_fb::Package>(base, bytes.size(), dwn_fb::PackageIdentifier())) {
    return Bad(what, "the DWN1 package flatbuffer is corrupt or truncated (verification failed)");
  }
  const dwn_fb::Package* pkg = dwn_fb::GetPackage(base);
  p.min_runtime_version = pkg->min_runtime_version();
  p.compiler_version = Str(pkg->compiler_version());
  p.virtual_chip_id = pkg->virtual_chip_id();
  p.keypair_version = pkg->keypair_version();
  p.signature_bytes = pkg->signature() ? pkg->signature()->size() : 0;
  p.model_identifier = Str(pkg->model_identifier());
  if (p.virtual_chip_id == -1 || (pkg->multi_chip_package() && pkg->multi_chip_package()->size() > 0)) {
    return UnimplementedError(fmt::format("failed to read the Edge TPU package of {}: multi-chip packages are not supported", what));
  }
  const auto* multi = pkg->serialized_multi_executable();
  if (multi == nullptr || multi->size() == 0) return Bad(what, "the package holds no MultiExecutable");
  p.multi_executable_offset = multi->data() - base;
  p.multi_executable_bytes = multi->size();
  if (!Aligned(multi->data(), 8)) return Bad(what, fmt::format("the MultiExecutable at byte {} is not 8-byte aligned", p.multi_executable_offset));
  if (!VerifyRoot<dwn_fb::MultiExecutable>(multi->data(), multi->size(), nullptr)) {
    return Bad(what, "the MultiExecutable flatbuffer is corrupt or truncated (verification failed)");
  }
  const auto* me = flatbuffers::GetRoot<dwn_fb::MultiExecutable>(multi->data());
  if (me->serialized_executables() == nullptr || me->serialized_executables()->size() == 0) {
    return Bad(what, "the MultiExecutable holds no executables");
  }
  if (me->serialized_executables()->size() > 3) {
    return Bad(what, fmt::format("the package has {} executables (expected 1, 2 or 3)", me->serialized_executables()->size()));
  }
  for (flatbuffers::uoffset_t i = 0; i < me->serialized_executables()->size(); ++i) {
    const flatbuffers::String* s = me->serialized_executables()->Get(i);
    if (s == nullptr || s->size() < 8) return Bad(what, fmt::format("serialized executable #{} is missing or too short", i));
    ETPU_ASSIGN_OR_RETURN(ExecutableInfo e, DecodeExecutable(reinterpret_cast<const uint8_t*>(s->data()), s->size(), base,
                                                             fmt::format("{} (executable #{})", what, i)));
    p.executables.push_back(std::move(e));
  }
  ETPU_RETURN_IF_ERROR(FinishPackage(p, what));
  return p;
}

/// Moves the views of `e` from the bytes at `from` onto the same offsets of those at `to`.
void RebaseExecutable(ExecutableInfo& e, const uint8_t* from, const uint8_t* to) {
  e.parameters = Rebase(e.parameters, from, to);
  for (auto& b : e.instruction_bitstreams) b = Rebase(b, from, to);
}

}  // namespace

Result<PackageInfo> ReadPackage(std::span<const uint8_t> bytes, std::string_view what) {
  if (bytes.size() >= kMaxPackageBytes) return Bad(what, fmt::format("the package has {} bytes (limit 2 GiB)", bytes.size()));
  auto copy = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  return ReadAt(*copy, copy, what);
}

Result<PackageInfo> ReadPackageInPlace(std::span<const uint8_t> bytes, std::shared_ptr<const void> keep_alive,
                                       std::string_view what) {
  if (Aligned(bytes.data(), 8)) return ReadAt(bytes, std::move(keep_alive), what);
  if (bytes.size() >= kMaxPackageBytes) return Bad(what, fmt::format("the package has {} bytes (limit 2 GiB)", bytes.size()));
  const std::vector<uint8_t> copy(bytes.begin(), bytes.end());  // malloc'd: aligned for any scalar
  ETPU_ASSIGN_OR_RETURN(PackageInfo p, ReadAt(copy, std::move(keep_alive), what));
  for (ExecutableInfo& e : p.executables) RebaseExecutable(e, copy.data(), bytes.data());
  p.bytes = bytes;
  return p;
}

Status CheckPackageAlignment(const PackageInfo& p) {
  auto fail = [](const std::string& m) { return DataLossError("package layout rule broken: " + m); };
  if (p.format != PackageFormat::kDwn1) return fail("not a DWN1 package");
  if (p.size_bytes % kPage != 0) return fail(fmt::format("package length {} is not a multiple of 4096", p.size_bytes));
  if (p.multi_executable_offset % kPage != 0) {
    return fail(fmt::format("serialized_multi_executable starts at {} (not a multiple of 4096)", p.multi_executable_offset));
  }
  for (const auto& e : p.executables) {
    if (e.offset_in_package % kPage != 0) return fail(fmt::format("executable '{}' starts at {}", e.name, e.offset_in_package));
    if (e.size_bytes % kPage != 0) return fail(fmt::format("executable '{}' is {} bytes long", e.name, e.size_bytes));
    if (e.parameters_offset != static_cast<int64_t>(kPage)) {
      return fail(fmt::format("parameters of executable '{}' start at byte {} (expected 4096)", e.name, e.parameters_offset));
    }
  }
  return OkStatus();
}

Result<CompiledModelInfo> ReadCompiledModel(const ir::Model& model, std::shared_ptr<const void> keep_alive) {
  CompiledModelInfo out;
  for (const ir::Operator& op : model.ops) {
    if (op.code != ir::BuiltinOperator::CUSTOM || op.custom_code != ir::kEdgeTpuCustomOp) {
      out.cpu_ops.push_back(op.index);
      continue;
    }
    std::string what = fmt::format("'{}' operator #{} ({})", model.path, op.index, ir::kEdgeTpuCustomOp);
    if (op.custom_options_format != ir::CustomOptionsFormat::FLEXBUFFERS) {
      return DataLossError(fmt::format("failed to read {}: custom options format {} (expected FLEXBUFFERS)", what,
                                       static_cast<int>(op.custom_options_format)));
    }
    EdgeTpuOpInfo info;
    info.op_index = op.index;
    // The byte fields view the model's custom options: each package is read in place or copied.
    ETPU_ASSIGN_OR_RETURN(CustomOpDataView view, DecodeCustomOpDataView(op.custom_options, what));
    info.options = FieldsOf(view);
    auto read = [&keep_alive](std::span<const uint8_t> bytes, std::string_view label) {
      return keep_alive != nullptr ? ReadPackageInPlace(bytes, keep_alive, label) : ReadPackage(bytes, label);
    };
    ETPU_ASSIGN_OR_RETURN(info.package, read(view.package, what));
    if (view.legacy_parameter_caching_executable) {
      // Legacy files only (tiny, and the runtime ignores it): always a copy of its own.
      auto storage = std::make_shared<const std::vector<uint8_t>>(view.legacy_parameter_caching_executable->begin(),
                                                                  view.legacy_parameter_caching_executable->end());
      if (storage->size() < 8 || storage->size() >= kMaxPackageBytes ||
          !VerifyRoot<dwn_fb::Executable>(storage->data(), storage->size(), nullptr)) {
        return Bad(what, "key \"3\" (legacy caching executable) is corrupt or truncated (verification failed)");
      }
      ETPU_ASSIGN_OR_RETURN(ExecutableInfo e, DecodeExecutable(storage->data(), storage->size(), nullptr, what));
      info.package.legacy_caching_executable = std::move(e);
      info.package.storage.push_back(std::move(storage));
    }
    for (size_t k = 0; k < view.extra_packages.size(); ++k) {
      ETPU_ASSIGN_OR_RETURN(PackageInfo extra, read(view.extra_packages[k], fmt::format("{} package #{} of key \"7\"", what, k + 1)));
      info.extra_packages.push_back(std::move(extra));
    }
    out.edgetpu_ops.push_back(std::move(info));
  }
  return out;
}

}  // namespace etpu::package
