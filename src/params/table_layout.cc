#include "params/table_layout.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/units.h"
#include "params/byte_io.h"

namespace etpu::params {
namespace {

using internal::BitsFloat;
using internal::FloatBits;
using internal::GetU32;
using internal::SetU32;

constexpr uint32_t kConstMagic = 0x54534345;  // "ECST" little-endian.
constexpr int64_t kConstHeaderBytes = 64;
constexpr int kMaxClasses = 1 << 20;


}  // namespace

int64_t SoftmaxTableBytes(const SoftmaxTableSpec& spec) {
  if (spec.classes < 1 || spec.classes > kMaxClasses) return 0;
  return (3 * base::CeilDiv(spec.classes, 4) + (spec.unit_row ? 1 : 0)) * kSoftmaxRowBytes;
}

Result<std::vector<uint8_t>> EncodeSoftmaxTable(const SoftmaxTableSpec& spec) {
  if (spec.classes < 1 || spec.classes > kMaxClasses) {
    return InvalidArgumentError(fmt::format("failed to lay out softmax table: {} classes (expected 1..{})",
                                            spec.classes, kMaxClasses));
  }
  const int64_t rows = base::CeilDiv(spec.classes, 4);
  std::vector<uint8_t> out(static_cast<size_t>(SoftmaxTableBytes(spec)), 0);
  const uint32_t real_c = FloatBits(spec.scale);
  const uint32_t pad_c = real_c + 0x3fffffffu;
  for (int section = 0; section < 3; ++section) {
    for (int64_t i = 0; i < rows * 4; ++i) {
      const bool real = i < spec.classes;
      uint32_t v = section < 2 ? (real ? 0u : 0x80000000u) : (real ? real_c : pad_c);
      SetU32(out, (section * rows + i / 4) * kSoftmaxRowBytes + 4 * (i % 4), v);
    }
  }
  if (spec.unit_row) SetU32(out, 3 * rows * kSoftmaxRowBytes, FloatBits(1.0f));
  return out;
}

std::vector<int64_t> SoftmaxTablePieces(std::span<const uint8_t> table) {
  const auto size = static_cast<int64_t>(table.size());
  const int64_t rows = size / kSoftmaxRowBytes;
  if (size % kSoftmaxRowBytes != 0 || rows < 4 || rows % 3 != 1) return {size};
  const std::span<const uint8_t> last = table.subspan(static_cast<size_t>(size - kSoftmaxRowBytes));
  const bool unit = GetU32(last, 0) == FloatBits(1.0f) &&
                    std::all_of(last.begin() + 4, last.end(), [](uint8_t b) { return b == 0; });
  if (!unit) return {size};
  return {size - kSoftmaxRowBytes, kSoftmaxRowBytes};
}

Result<SoftmaxTableSpec> DecodeSoftmaxTable(std::span<const uint8_t> bytes, int classes) {
  SoftmaxTableSpec spec;
  spec.classes = classes;
  if (classes < 1 || classes > kMaxClasses) {
    return InvalidArgumentError(fmt::format("failed to decode softmax table: {} classes (expected 1..{})", classes,
                                            kMaxClasses));
  }
  const int64_t rows = base::CeilDiv(classes, 4);
  const int64_t size = static_cast<int64_t>(bytes.size());
  if (size == 3 * rows * kSoftmaxRowBytes) spec.unit_row = false;
  else if (size == (3 * rows + 1) * kSoftmaxRowBytes) spec.unit_row = true;
  else return DataLossError(fmt::format("failed to decode softmax table: {} bytes for {} classes", size, classes));
  spec.scale = BitsFloat(GetU32(bytes, 2 * rows * kSoftmaxRowBytes));
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> again, EncodeSoftmaxTable(spec));
  for (size_t i = 0; i < again.size(); ++i) {
    if (again[i] != bytes[i]) {
      return DataLossError(fmt::format("failed to decode softmax table: byte {} is 0x{:02x} (expected 0x{:02x})", i,
                                       bytes[i], again[i]));
    }
  }
  return spec;
}

int64_t ConstRecordBytes(int64_t data_bytes) { return kConstHeaderBytes + base::RoundUp(data_bytes, 64); }

std::vector<uint8_t> EncodeConstRecord(const ConstRecord& rec) {
  std::vector<uint8_t> out(static_cast<size_t>(ConstRecordBytes(static_cast<int64_t>(rec.data.size()))), 0);
  SetU32(out, 0, kConstMagic);
  SetU32(out, 4, static_cast<uint32_t>(rec.input_slot));
  SetU32(out, 8, static_cast<uint32_t>(rec.data.size()));
  SetU32(out, 12, rec.int8 ? 1u : 0u);
  for (size_t i = 0; i < rec.data.size(); ++i) {
    out[kConstHeaderBytes + i] = rec.int8 ? static_cast<uint8_t>(rec.data[i] ^ 0x80) : rec.data[i];
  }
  return out;
}

Result<std::vector<ConstRecord>> DecodeConstRecords(std::span<const uint8_t> bytes, const std::string& what) {
  std::vector<ConstRecord> recs;
  int64_t pos = 0;
  const int64_t size = static_cast<int64_t>(bytes.size());
  while (pos < size) {
    if (size - pos < kConstHeaderBytes || GetU32(bytes, pos) != kConstMagic) {
      return DataLossError(fmt::format("failed to decode constant record of {} at byte {}: no 'ECST' header", what,
                                       pos));
    }
    ConstRecord rec;
    rec.input_slot = static_cast<int32_t>(GetU32(bytes, pos + 4));
    const int64_t n = GetU32(bytes, pos + 8);
    const uint32_t flag = GetU32(bytes, pos + 12);
    if (flag > 1 || rec.input_slot < 0 || n > size - pos - kConstHeaderBytes ||
        ConstRecordBytes(n) > size - pos) {
      return DataLossError(fmt::format("failed to decode constant record of {} at byte {}: bad header (slot {}, {} "
                                       "bytes, flag {}) for {} remaining bytes", what, pos, rec.input_slot, n, flag,
                                       size - pos));
    }
    rec.int8 = flag == 1;
    rec.data.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t b = bytes[static_cast<size_t>(pos + kConstHeaderBytes + i)];
      rec.data[static_cast<size_t>(i)] = rec.int8 ? static_cast<uint8_t>(b ^ 0x80) : b;
    }
    recs.push_back(std::move(rec));
    pos += ConstRecordBytes(n);
  }
  return recs;
}

std::vector<uint8_t> EncodeBookkeeping(int32_t builtin_code, int32_t num_inputs, int32_t num_outputs) {
  std::vector<uint8_t> out(static_cast<size_t>(kBookkeepingBytes), 0);
  SetU32(out, 0, static_cast<uint32_t>(builtin_code));
  SetU32(out, 4, static_cast<uint32_t>(num_inputs));
  SetU32(out, 8, static_cast<uint32_t>(num_outputs));
  return out;
}

namespace {
constexpr int64_t kGatherRowBytes = 64;
constexpr int64_t kGatherMaxRows = kGatherRowBytes / 4;
}  // namespace

int64_t GatherRecordBytes(int64_t channels) {
  return channels < 1 ? 0 : kGatherRowBytes * (1 + std::min(channels, kGatherMaxRows));
}

std::vector<uint8_t> EncodeGatherRecord(int64_t channels) {
  std::vector<uint8_t> out(static_cast<size_t>(GatherRecordBytes(channels)), 0);
  for (int64_t r = 0; channels >= 1 && r < std::min(channels, kGatherMaxRows); ++r) {
    SetU32(out, (1 + r) * kGatherRowBytes + 4 * r, 1u);
  }
  return out;
}

}  // namespace etpu::params
