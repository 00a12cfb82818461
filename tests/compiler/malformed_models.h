// A corpus of malformed models, made from well-formed ones (issue 18, "hostile input"): each case
// is the bytes of one .tflite that a tool must refuse with a clear error, or, for blind byte
// mutations that may happen to leave a valid file, read without crashing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace etpu::testing {

/// What a case breaks, and so which tools must refuse it.
enum class Breaks {
  kUnknown,               ///< A blind byte mutation: the file may still be valid; only survived.
  kStructure,             ///< Sizes, indices, the graph: every tool that reads the model refuses it.
  kOperator,              ///< What an operator needs of its tensors: the tools that compile or run it.
  kEdgeTpuCustomOptions,  ///< The Edge TPU package: the tools that read packages or run them.
  kCpuCustomOptions,      ///< A CPU custom operator's options: the runtime.
};

struct MalformedCase {
  std::string name;   ///< Unique, usable as a file name stem.
  std::string kind;   ///< truncation, offset, dimensions, type, cycle, dangling, custom_options, package.
  Breaks breaks = Breaks::kUnknown;
  std::vector<uint8_t> bytes;
  std::string expect;  ///< When set: words every tool's refusal must contain.
};

/// A small well-formed uint8 model: input -> CONV_2D 3x3 -> RELU -> output (source, not compiled).
std::vector<uint8_t> SeedModel();

/// Cases built to be invalid (breaks != kUnknown): tensors of absurd or negative size, wrong tensor types,
/// an operator reading its own output and two reading each other's, indices past the end (tensor,
/// buffer, operator code, subgraph input/output), hostile custom options (garbage, truncated,
/// huge declared sizes).
std::vector<MalformedCase> SemanticCases();

/// Blind byte mutations of the flatbuffer at bytes [begin, end) of `file` (the whole file, or the
/// DWN1 package inside a compiled model's custom options): the places its 32-bit offsets point to
/// (the starts of tables, vectors and strings; at most `limit`, spread evenly) become cut points,
/// where the file is truncated (whole file) or the rest of the flatbuffer zeroed (a package inside
/// a file), and such offsets are pointed past the flatbuffer's end. Cases are named
/// `prefix`_<kind>_<offset>.
std::vector<MalformedCase> ByteCases(const std::vector<uint8_t>& file, size_t begin, size_t end,
                                     const std::string& prefix, size_t limit);

/// Packages whose layer records disagree with the region model they describe, made from `compiled`
/// (SeedModel compiled by etpu's compiler: one edgetpu-custom-op holding the CONV_2D and the RELU)
/// by rewriting its Program and writing the package again: a record listed twice, the conv's record
/// with the wrong kind (softmax table, depthwise, per-channel) or 64 bytes short, moved to the RELU,
/// missing, or overlapping a second record; and the cached blob cut short of its record. Each breaks
/// kEdgeTpuCustomOptions; `expect` holds words every refusal must contain. The first case,
/// "records_unchanged", is the control: the package written again unchanged (kUnknown), which every
/// tool but the compiler must accept. Empty when `compiled` does not read as that.
std::vector<MalformedCase> RecordCases(const std::vector<uint8_t>& compiled);

/// Where the DWN1 package of a compiled model lies in the file: [begin, end), or {0, 0}.
std::pair<size_t, size_t> FindPackage(const std::vector<uint8_t>& compiled);

}  // namespace etpu::testing
