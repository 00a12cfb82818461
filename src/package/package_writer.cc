#include "package/package_writer.h"

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif

#include "package/schema/executable_generated.h"

namespace etpu::package {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMaxBytes = size_t{1} << 31;  // flatbuffers' own limit is 2 GiB.

/// Pads the builder so that, after `len` more bytes are written, the data sits at a distance
/// from the buffer end that is a multiple of kPage; also raises the builder's alignment to kPage,
/// so that the finished buffer is a multiple of kPage long and end-relative alignment equals
/// start-relative alignment.
void PageAlignNext(flatbuffers::FlatBufferBuilder& fbb, size_t len) {
  if (len == 0) {
    fbb.Align(kPage);
  } else {
    fbb.PreAlign(len, kPage);
  }
}

/// Allocates one zero byte beyond every block the builder asks for. A builder's data always ends
/// at the end of its block (it grows downwards), so a finished buffer is followed by that zero.
/// Blocks of 2 MiB or more are 2 MiB-aligned and, on Linux, marked for transparent huge pages:
/// the package's bytes are written once, and one fault per 2 MiB instead of one per 4 KiB page
/// is what writing them costs (page faults were most of the compiler's time on big models).
class ZeroTailAllocator final : public flatbuffers::Allocator {
 public:
  uint8_t* allocate(size_t size) override {
    uint8_t* p = nullptr;
    if (size + 1 >= kHuge) {
      const size_t rounded = (size + 1 + kHuge - 1) / kHuge * kHuge;
      p = static_cast<uint8_t*>(std::aligned_alloc(kHuge, rounded));
#ifdef MADV_HUGEPAGE
      if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);  // Advice only: failure changes nothing.
#endif
    } else {
      p = static_cast<uint8_t*>(std::malloc(size + 1));
    }
    if (p == nullptr) throw std::bad_alloc();
    p[size] = 0;
    return p;
  }
  void deallocate(uint8_t* p, size_t /*size*/) override { std::free(p); }

 private:
  static constexpr size_t kHuge = size_t{2} << 20;
};

flatbuffers::Offset<dwn_fb::Layer> WriteLayer(flatbuffers::FlatBufferBuilder& fbb, const IoLayer& l, bool output) {
  auto name = fbb.CreateString(l.name);
  auto numerics = dwn_fb::CreateNumericsConstants(fbb, l.zero_point, l.scale);
  flatbuffers::Offset<void> any;
  dwn_fb::AnyLayer any_type;
  if (output) {
    any = dwn_fb::CreateOutputLayer(fbb, 0, static_cast<dwn_fb::DataType>(l.data_type)).Union();
    any_type = dwn_fb::AnyLayer::OutputLayer;
  } else {
    any = dwn_fb::CreateInputLayer(fbb).Union();
    any_type = dwn_fb::AnyLayer::InputLayer;
  }
  return dwn_fb::CreateLayer(fbb, name, l.size_bytes, l.y_dim, l.x_dim, l.z_dim, numerics,
                             static_cast<dwn_fb::DataType>(l.data_type), any_type, any,
                             l.execution_count_per_inference);
}

flatbuffers::Offset<dwn_fb::DmaHint> WriteHint(flatbuffers::FlatBufferBuilder& fbb, const DmaHint& h) {
  flatbuffers::Offset<void> any;
  dwn_fb::AnyHint type = dwn_fb::AnyHint::NONE;
  switch (h.kind) {
    case DmaHint::Kind::kDescriptor: {
      auto name = h.name.empty() ? flatbuffers::Offset<flatbuffers::String>() : fbb.CreateString(h.name);
      auto meta = dwn_fb::CreateMeta(fbb, static_cast<dwn_fb::AddressKind>(h.address), h.batch, name);
      any = dwn_fb::CreateDmaDescriptorHint(fbb, meta, h.offset_bytes, h.size_bytes).Union();
      type = dwn_fb::AnyHint::DmaDescriptorHint;
      break;
    }
    case DmaHint::Kind::kInstruction:
      any = dwn_fb::CreateInstructionHint(fbb, h.chunk_index).Union();
      type = dwn_fb::AnyHint::InstructionHint;
      break;
    case DmaHint::Kind::kInterrupt:
      any = dwn_fb::CreateInterruptHint(fbb, static_cast<dwn_fb::InterruptType>(h.interrupt_type)).Union();
      type = dwn_fb::AnyHint::InterruptHint;
      break;
    case DmaHint::Kind::kFence:
      any = dwn_fb::CreateFenceHint(fbb).Union();
      type = dwn_fb::AnyHint::FenceHint;
      break;
  }
  return dwn_fb::CreateDmaHint(fbb, type, any, h.outfeed ? dwn_fb::Direction::OUTFEED : dwn_fb::Direction::INFEED);
}

/// One builder for a whole package. The MultiExecutable and its Executables are flatbuffers
/// nested in the package as byte vectors / strings; they are built in place, inside the package's
/// own builder, so their bytes are written once. A nested buffer's offsets are relative and its
/// alignment (at most kPage) is relative to its end, which lies a page multiple from the package's
/// end: the bytes are those of a buffer built alone. Each nested buffer starts with no remembered
/// vtables, so none of its tables shares a vtable outside it.
class NestingBuilder : public flatbuffers::FlatBufferBuilder {
 public:
  using FlatBufferBuilder::FlatBufferBuilder;
  void StartNested() { buf_.clear_scratch(); }
  /// Ends a nested buffer as Finish ends a whole one: padded to the builder's alignment, then the
  /// root offset (no file identifier).
  void FinishNested(flatbuffers::uoffset_t root) { Finish(root, nullptr, false); }
};

/// One Executable: everything but the parameters is written first (it ends up after the
/// parameters), then the parameters (page-aligned), then the root table, which with the root
/// offset stays below 4096 bytes, so the parameters start at byte 4096 exactly. Returns the root.
flatbuffers::uoffset_t WriteExecutable(flatbuffers::FlatBufferBuilder& fbb, const ExecutableSpec& e, const std::string& chip) {
  auto name = fbb.CreateString(e.name);
  auto chip_name = fbb.CreateString(chip);
  std::vector<flatbuffers::Offset<dwn_fb::Layer>> inputs, outputs;
  for (const IoLayer& l : e.input_layers) inputs.push_back(WriteLayer(fbb, l, false));
  for (const IoLayer& l : e.output_layers) outputs.push_back(WriteLayer(fbb, l, true));
  auto input_vec = fbb.CreateVector(inputs);
  auto output_vec = fbb.CreateVector(outputs);
  std::vector<flatbuffers::Offset<dwn_fb::DmaHint>> hints;
  for (const DmaHint& h : e.dma_hints) hints.push_back(WriteHint(fbb, h));
  auto dma = dwn_fb::CreateDmaHints(fbb, fbb.CreateVector(hints), e.dma_hints_fully_deterministic);
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<dwn_fb::InstructionBitstream>>> bitstreams;
  if (!e.program.empty()) {
    fbb.ForceVectorAlignment(e.program.size(), sizeof(uint8_t), 16);
    auto bits = fbb.CreateVector(e.program);
    std::vector<flatbuffers::Offset<dwn_fb::InstructionBitstream>> chunks{dwn_fb::CreateInstructionBitstream(fbb, bits)};
    bitstreams = fbb.CreateVector(chunks);
  }
  const size_t param_bytes = ParameterBytes(e);
  PageAlignNext(fbb, param_bytes);
  uint8_t* dst = nullptr;
  auto params = flatbuffers::Offset<flatbuffers::Vector<uint8_t>>(fbb.CreateUninitializedVector(param_bytes, 1, &dst));
  if (!e.parameters.empty()) std::memcpy(dst, e.parameters.data(), e.parameters.size());
  for (std::span<const uint8_t> piece : e.parameter_pieces) {
    if (piece.empty()) continue;
    std::memcpy(dst, piece.data(), piece.size());
    dst += piece.size();
  }

  dwn_fb::ExecutableBuilder b(fbb);
  b.add_version(0);
  b.add_name(name);
  b.add_batch_size(e.batch_size);
  b.add_scratch_size_bytes(e.scratch_size_bytes);
  if (!e.program.empty()) b.add_instruction_bitstreams(bitstreams);
  b.add_parameters(params);
  b.add_dma_hints(dma);
  b.add_input_layers(input_vec);
  b.add_output_layers(output_vec);
  b.add_chip(chip_name);
  b.add_used_narrow_memory_bytes_per_tile(e.used_narrow_memory_bytes_per_tile);
  b.add_type(static_cast<dwn_fb::ExecutableType>(e.type));
  b.add_parameter_caching_token(e.token);
  b.add_estimated_cycles_64bit(e.estimated_cycles_64bit);
  return b.Finish().o;
}

bool FitsInt32(size_t n) { return n <= static_cast<size_t>(std::numeric_limits<int32_t>::max()); }

}  // namespace

size_t ParameterBytes(const ExecutableSpec& spec) {
  size_t n = spec.parameters.size();
  for (std::span<const uint8_t> piece : spec.parameter_pieces) n += piece.size();
  return n;
}

std::vector<DmaHint> StandardDmaHints(const ExecutableSpec& spec) {
  std::vector<DmaHint> out;
  DmaHint instr;
  instr.kind = DmaHint::Kind::kInstruction;
  out.push_back(instr);
  auto descriptor = [](AddressKind address, const std::string& name, int32_t size, bool outfeed) {
    DmaHint h;
    h.kind = DmaHint::Kind::kDescriptor;
    h.address = address;
    h.name = name;
    h.size_bytes = size;
    h.outfeed = outfeed;
    return h;
  };
  const int32_t param_bytes = static_cast<int32_t>(std::min<size_t>(ParameterBytes(spec), std::numeric_limits<int32_t>::max()));
  if (spec.type == ExecutableType::kParameterCaching) {
    out.push_back(descriptor(AddressKind::kParameter, "", param_bytes, false));
  } else {
    for (const IoLayer& l : spec.input_layers) out.push_back(descriptor(AddressKind::kInputActivation, l.name, l.size_bytes, false));
    if (param_bytes > 0) out.push_back(descriptor(AddressKind::kParameter, "", param_bytes, false));
    for (const IoLayer& l : spec.output_layers) out.push_back(descriptor(AddressKind::kOutputActivation, l.name, l.size_bytes, true));
  }
  DmaHint interrupt;
  interrupt.kind = DmaHint::Kind::kInterrupt;
  interrupt.outfeed = true;
  out.push_back(interrupt);
  return out;
}

Status ValidatePackageSpec(const PackageSpec& spec) {
  const auto& ex = spec.executables;
  auto fail = [](const std::string& m) { return InvalidArgumentError("failed to write package: " + m); };
  if (ex.empty() || ex.size() > 3) return fail(fmt::format("{} executables (expected 1, 2 or 3)", ex.size()));
  int pc = 0, eo = 0, sa = 0;
  for (const ExecutableSpec& e : ex) {
    switch (e.type) {
      case ExecutableType::kParameterCaching: ++pc; break;
      case ExecutableType::kExecutionOnly: ++eo; break;
      case ExecutableType::kStandAlone: ++sa; break;
      default: return fail(fmt::format("executable '{}' has type {}", e.name, static_cast<int>(e.type)));
    }
  }
  if (ex.size() == 2 && !(pc == 1 && eo == 1)) return fail("two executables must be one PARAMETER_CACHING and one EXECUTION_ONLY");
  if (ex.size() == 3 && !(pc == 1 && eo == 1 && sa == 1)) {
    return fail("three executables must be PARAMETER_CACHING, EXECUTION_ONLY and STAND_ALONE");
  }
  size_t total = 0;
  for (const ExecutableSpec& e : ex) {
    if (e.type == ExecutableType::kParameterCaching && e.token == 0) {
      return fail(fmt::format("PARAMETER_CACHING executable '{}' has caching token 0 (the runtime refuses it)", e.name));
    }
    if (e.batch_size < 1) return fail(fmt::format("executable '{}' has batch size {} (expected >= 1)", e.name, e.batch_size));
    if (!e.parameters.empty() && !e.parameter_pieces.empty()) {
      return fail(fmt::format("executable '{}' has both a parameter stream and parameter pieces", e.name));
    }
    const size_t param_bytes = ParameterBytes(e);
    if (!FitsInt32(param_bytes)) return fail(fmt::format("executable '{}' has {} parameter bytes (limit 2 GiB)", e.name, param_bytes));
    total += param_bytes + e.program.size() + 2 * kPage;
    for (const IoLayer& l : e.input_layers) total += l.name.size() + 64;
    for (const IoLayer& l : e.output_layers) total += l.name.size() + 64;
    for (const DmaHint& h : e.dma_hints) total += h.name.size() + 64;
  }
  if (spec.executables.size() >= 2) {
    uint64_t t = 0;
    for (const ExecutableSpec& e : ex) {
      if (e.type == ExecutableType::kStandAlone) continue;
      if (t == 0) t = e.token;
      if (e.token != t) return fail("the PARAMETER_CACHING and EXECUTION_ONLY executables have different caching tokens");
    }
  }
  if (total + spec.compiler_version.size() + 4 * kPage >= kMaxBytes / 2) {
    return fail(fmt::format("the package would be about {} bytes (limit 1 GiB)", total));
  }
  return OkStatus();
}

Result<PackageBuffer> WritePackageBuffer(const PackageSpec& spec) {
  ETPU_RETURN_IF_ERROR(ValidatePackageSpec(spec));
  size_t estimate = spec.compiler_version.size() + 4 * kPage;
  for (const ExecutableSpec& e : spec.executables) {
    estimate += ParameterBytes(e) + e.program.size() + 3 * kPage + 64 * (e.input_layers.size() + e.output_layers.size() + e.dma_hints.size());
  }
  NestingBuilder fbb(estimate, new ZeroTailAllocator, /*own_allocator=*/true);
  auto compiler = fbb.CreateString(spec.compiler_version);
  auto signature = fbb.CreateVector(std::vector<uint8_t>{});
  // serialized_multi_executable: its data starts at a page multiple (the MultiExecutable is a page
  // multiple long, so its end does too).
  fbb.Align(kPage);
  const flatbuffers::uoffset_t multi_end = fbb.GetSize();

  // MultiExecutable: each executable string's data at a page multiple. An Executable is a page
  // multiple long, so its NUL terminator comes right after a page multiple; the string's length
  // goes in front of the Executable once it is built.
  std::vector<flatbuffers::Offset<flatbuffers::String>> strings(spec.executables.size());
  for (size_t i = spec.executables.size(); i-- > 0;) {
    fbb.PreAlign(1, kPage);
    fbb.PushElement<uint8_t>(0);
    const flatbuffers::uoffset_t exe_end = fbb.GetSize();
    fbb.StartNested();
    fbb.FinishNested(WriteExecutable(fbb, spec.executables[i], spec.chip));  // No file identifier.
    const flatbuffers::uoffset_t exe_size = fbb.GetSize() - exe_end;
    if (exe_size % kPage != 0) return InternalError(fmt::format("executable #{} is {} bytes, not a page multiple", i, exe_size));
    fbb.PushElement<flatbuffers::uoffset_t>(exe_size);
    strings[i] = flatbuffers::Offset<flatbuffers::String>(fbb.GetSize());
  }
  fbb.StartNested();
  fbb.FinishNested(dwn_fb::CreateMultiExecutable(fbb, fbb.CreateVector(strings)).o);
  const flatbuffers::uoffset_t multi_size = fbb.GetSize() - multi_end;
  if (multi_size % kPage != 0) return InternalError(fmt::format("the multi-executable is {} bytes, not a page multiple", multi_size));
  fbb.PushElement<flatbuffers::uoffset_t>(multi_size);  // The byte vector's length.
  const flatbuffers::Offset<flatbuffers::Vector<uint8_t>> multi_vec(fbb.GetSize());

  fbb.StartNested();
  dwn_fb::PackageBuilder b(fbb);
  b.add_min_runtime_version(spec.min_runtime_version);
  b.add_serialized_multi_executable(multi_vec);
  b.add_signature(signature);
  b.add_keypair_version(0);
  b.add_compiler_version(compiler);
  b.add_virtual_chip_id(0);
  fbb.Finish(b.Finish(), dwn_fb::PackageIdentifier());
  return PackageBuffer(fbb.Release());
}

Result<std::vector<uint8_t>> WritePackage(const PackageSpec& spec) {
  ETPU_ASSIGN_OR_RETURN(PackageBuffer buffer, WritePackageBuffer(spec));
  return std::vector<uint8_t>(buffer.bytes().begin(), buffer.bytes().end());
}

}  // namespace etpu::package
