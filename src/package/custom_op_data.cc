#include "package/custom_op_data.h"

#include <flatbuffers/flexbuffers.h>
#include <fmt/format.h>

#include "package/rebase.h"

namespace etpu::package {
namespace {

constexpr const char* kKeyVersion = "1";
constexpr const char* kKeyLegacyChip = "2";
constexpr const char* kKeyLegacyCaching = "3";
constexpr const char* kKeyPackage = "4";
constexpr const char* kKeyPreference = "5";
constexpr const char* kKeyChipIds = "6";
constexpr const char* kKeyExtraPackages = "7";

/// Largest options map accepted (the FlexBuffer verifier needs sizes below 2 GiB).
constexpr size_t kMaxOptionsBytes = size_t{1} << 31;

Status Bad(std::string_view what, const std::string& problem) {
  return DataLossError(fmt::format("failed to decode the custom options of {}: {}", what, problem));
}

std::span<const uint8_t> BytesOf(const flexbuffers::Reference& r) {
  flexbuffers::Blob blob = r.AsBlob();  // Strings and blobs alike; verified beforehand.
  return std::span<const uint8_t>(blob.data(), blob.size());
}

std::vector<uint8_t> Copy(std::span<const uint8_t> s) { return std::vector<uint8_t>(s.begin(), s.end()); }

/// Reads an integer that is stored inline or indirectly; other types are an error.
Result<int64_t> IntOf(const flexbuffers::Reference& r, std::string_view what, const std::string& label) {
  if (!r.IsIntOrUint()) return Bad(what, fmt::format("{} is not an integer", label));
  return r.AsInt64();
}

/// The elements of an untyped or typed vector, as references; other types are an error.
Result<std::vector<flexbuffers::Reference>> ElementsOf(const flexbuffers::Reference& r, std::string_view what,
                                                        const std::string& label) {
  std::vector<flexbuffers::Reference> out;
  if (r.IsUntypedVector()) {
    flexbuffers::Vector v = r.AsVector();
    for (size_t i = 0; i < v.size(); ++i) out.push_back(v[i]);
  } else if (r.IsTypedVector()) {
    flexbuffers::TypedVector v = r.AsTypedVector();
    for (size_t i = 0; i < v.size(); ++i) out.push_back(v[i]);
  } else {
    return Bad(what, fmt::format("{} is not a vector", label));
  }
  return out;
}

/// DecodeCustomOpDataView on bytes known to be 8-byte aligned.
Result<CustomOpDataView> DecodeAligned(std::span<const uint8_t> bytes, std::string_view what) {
  if (!flexbuffers::VerifyBuffer(bytes.data(), bytes.size())) {
    return Bad(what, "the FlexBuffer is corrupt or truncated (verification failed)");
  }
  flexbuffers::Reference root = flexbuffers::GetRoot(bytes.data(), bytes.size());
  if (!root.IsMap()) return Bad(what, "the root is not a FlexBuffer map");
  flexbuffers::Map map = root.AsMap();

  CustomOpDataView out;
  flexbuffers::Reference r = map[kKeyVersion];
  if (!r.IsNull()) {
    ETPU_ASSIGN_OR_RETURN(out.version, IntOf(r, what, "key \"1\" (version)"));
  }
  r = map[kKeyPackage];
  if (r.IsNull()) return Bad(what, "key \"4\" (the package) is missing");
  if (!r.IsString() && !r.IsBlob()) return Bad(what, "key \"4\" (the package) is not a string or blob");
  out.package = BytesOf(r);

  r = map[kKeyPreference];
  out.has_execution_preference = !r.IsNull();
  if (out.has_execution_preference) {
    ETPU_ASSIGN_OR_RETURN(out.execution_preference, IntOf(r, what, "key \"5\" (execution preference)"));
  }

  r = map[kKeyChipIds];
  if (!r.IsNull()) {
    ETPU_ASSIGN_OR_RETURN(auto elems, ElementsOf(r, what, "key \"6\" (chip ids)"));
    std::vector<int64_t> ids;
    for (size_t i = 0; i < elems.size(); ++i) {
      ETPU_ASSIGN_OR_RETURN(int64_t id, IntOf(elems[i], what, fmt::format("chip id #{} of key \"6\"", i)));
      ids.push_back(id);
    }
    out.chip_ids = std::move(ids);
  }
  r = map[kKeyExtraPackages];
  if (!r.IsNull()) {
    ETPU_ASSIGN_OR_RETURN(auto elems, ElementsOf(r, what, "key \"7\" (further packages)"));
    for (size_t i = 0; i < elems.size(); ++i) {
      if (!elems[i].IsString() && !elems[i].IsBlob()) {
        return Bad(what, fmt::format("package #{} of key \"7\" is not a string or blob", i));
      }
      out.extra_packages.push_back(BytesOf(elems[i]));
    }
  }
  if (out.chip_ids) {
    if (out.chip_ids->empty()) return Bad(what, "key \"6\" (chip ids) is empty");
    if (out.chip_ids->size() != out.extra_packages.size() + 1) {
      return Bad(what, fmt::format("key \"6\" lists {} chip ids for {} packages (expected one per package)",
                                   out.chip_ids->size(), out.extra_packages.size() + 1));
    }
  } else if (!out.extra_packages.empty()) {
    return Bad(what, "key \"7\" holds further packages but key \"6\" (one chip id per package) is missing");
  }

  r = map[kKeyLegacyChip];
  if (!r.IsNull()) {
    if (!r.IsString()) return Bad(what, "key \"2\" (legacy chip name) is not a string");
    flexbuffers::String s = r.AsString();
    out.legacy_chip_name = std::string(s.c_str(), s.length());
  }
  r = map[kKeyLegacyCaching];
  if (!r.IsNull()) {
    if (!r.IsString() && !r.IsBlob()) return Bad(what, "key \"3\" (legacy caching executable) is not a string or blob");
    out.legacy_parameter_caching_executable = BytesOf(r);
  }
  return out;
}

/// Bytes to write as a FlexBuffer string; `zero_follows`: the byte after them is readable and 0.
struct StringBytes {
  std::span<const uint8_t> bytes;
  bool zero_follows = false;
};

/// Adds bytes as a FlexBuffer string. Builder::String(ptr, len) reads len + 1 bytes (it copies the
/// terminator from the source): bytes not known to be followed by a zero go through a std::string,
/// whose terminator exists.
void AddBytesAsString(flexbuffers::Builder& fbb, StringBytes s) {
  if (s.zero_follows) {
    fbb.String(reinterpret_cast<const char*>(s.bytes.data()), s.bytes.size());
  } else {
    fbb.String(std::string(s.bytes.begin(), s.bytes.end()));
  }
}

/// Serialises `data` with `package` in place of data.package (which is not read).
std::vector<uint8_t> Encode(const CustomOpData& data, StringBytes package) {
  // Sized for the package up front: a growing builder would copy megabytes several times.
  size_t payload = package.bytes.size() + 1024;
  if (data.legacy_parameter_caching_executable) payload += data.legacy_parameter_caching_executable->size();
  for (const auto& p : data.extra_packages) payload += p.size();
  flexbuffers::Builder fbb(payload);
  size_t map = fbb.StartMap();
  fbb.Int(kKeyVersion, data.version);
  if (data.legacy_chip_name) fbb.String(kKeyLegacyChip, *data.legacy_chip_name);
  if (data.legacy_parameter_caching_executable) {
    fbb.Key(kKeyLegacyCaching);
    AddBytesAsString(fbb, {*data.legacy_parameter_caching_executable});
  }
  fbb.Key(kKeyPackage);
  AddBytesAsString(fbb, package);
  if (data.has_execution_preference) fbb.Int(kKeyPreference, data.execution_preference);
  if (data.chip_ids) {
    fbb.Vector(kKeyChipIds, [&] {
      for (int64_t id : *data.chip_ids) fbb.Int(id);
    });
  }
  if (data.chip_ids || !data.extra_packages.empty()) {
    fbb.Vector(kKeyExtraPackages, [&] {
      for (const auto& p : data.extra_packages) AddBytesAsString(fbb, {p});
    });
  }
  fbb.EndMap(map);  // Sorts the keys, as FlexBuffer maps require.
  fbb.Finish();
  // The finished buffer is moved out rather than copied: GetBuffer() only offers a const view of
  // the builder's own (non-const) vector, and the builder is not used again.
  return std::move(const_cast<std::vector<uint8_t>&>(fbb.GetBuffer()));
}

CustomOpData EtpuCustomOpData() {
  CustomOpData data;
  data.chip_ids = std::vector<int64_t>{kVirtualChipId};
  return data;
}

}  // namespace

std::vector<uint8_t> EncodeCustomOpData(const CustomOpData& data) { return Encode(data, {data.package}); }

std::vector<uint8_t> EncodeEtpuCustomOpData(std::span<const uint8_t> package) {
  return Encode(EtpuCustomOpData(), {package});
}

std::vector<uint8_t> EncodeEtpuCustomOpData(const PackageBuffer& package) {
  return Encode(EtpuCustomOpData(), {package.bytes(), /*zero_follows=*/true});
}

Result<CustomOpDataView> DecodeCustomOpDataView(std::span<const uint8_t> bytes, std::string_view what) {
  if (bytes.size() < 3) return Bad(what, fmt::format("{} bytes, too few for a FlexBuffer", bytes.size()));
  if (bytes.size() >= kMaxOptionsBytes) return Bad(what, fmt::format("{} bytes, more than etpu accepts", bytes.size()));
  if (Aligned(bytes.data(), 8)) return DecodeAligned(bytes, what);
  // FlexBuffer reads are plain loads: decode an aligned copy, then view the caller's bytes.
  std::vector<uint8_t> aligned_copy(bytes.begin(), bytes.end());
  ETPU_ASSIGN_OR_RETURN(CustomOpDataView out, DecodeAligned(aligned_copy, what));
  const uint8_t* from = aligned_copy.data();
  out.package = Rebase(out.package, from, bytes.data());
  for (auto& p : out.extra_packages) p = Rebase(p, from, bytes.data());
  if (out.legacy_parameter_caching_executable) {
    *out.legacy_parameter_caching_executable = Rebase(*out.legacy_parameter_caching_executable, from, bytes.data());
  }
  return out;
}

CustomOpData FieldsOf(const CustomOpDataView& view) {
  CustomOpData out;
  out.version = view.version;
  out.execution_preference = view.execution_preference;
  out.has_execution_preference = view.has_execution_preference;
  out.chip_ids = view.chip_ids;
  out.legacy_chip_name = view.legacy_chip_name;
  return out;
}

Result<CustomOpData> DecodeCustomOpData(std::span<const uint8_t> bytes, std::string_view what) {
  ETPU_ASSIGN_OR_RETURN(CustomOpDataView view, DecodeCustomOpDataView(bytes, what));
  CustomOpData out = FieldsOf(view);
  out.package = Copy(view.package);
  for (auto p : view.extra_packages) out.extra_packages.push_back(Copy(p));
  if (view.legacy_parameter_caching_executable) {
    out.legacy_parameter_caching_executable = Copy(*view.legacy_parameter_caching_executable);
  }
  return out;
}

}  // namespace etpu::package
