// The etpu compiler's public API: what `edgetpu_compiler` does, as a library call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace etpu {

/// Options of one compiler run; the defaults are the real compiler v16's (compiler-behaviour.md §2.2).
struct CompileOptions {
  std::string out_dir = ".";                     ///< -o; printed paths use it as given.
  int min_runtime_version = 14;                  ///< -m
  bool show_operations = false;                  ///< -s
  bool multiple_subgraphs = false;               ///< -a
  std::vector<std::string> intermediate_tensors; ///< -i
  int num_segments = 1;                          ///< -n
  bool search_delegate = false;                  ///< -d
  int delegate_search_step = 1;                  ///< -k
  int timeout_sec = 180;                         ///< -t
  bool random_token = false;                     ///< --random_token: a random caching token, as Google's compiler.
  std::string cache_policy;                      ///< --cache_policy; empty = the default policy.
};

/// One file the run produces; written only when the whole run succeeds.
struct OutputFile {
  std::string path;
  std::vector<uint8_t> bytes;
};

/// Everything one run produces: console text (stdout, the real grammar), files, success.
struct CompileTranscript {
  std::string console;
  std::vector<OutputFile> files;
  bool succeeded = false;
};

/// Compiles `models` (two or more: co-compilation, earlier first) as edgetpu_compiler does.
/// Never prints and never writes: the caller prints `console` and writes `files`.
/// `elapsed_ms_override` >= 0 replaces the measured compile time in the console (for goldens).
CompileTranscript CompileModels(const std::vector<std::string>& models, const CompileOptions& options,
                                int64_t elapsed_ms_override = -1);

}  // namespace etpu
