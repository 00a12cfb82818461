// Golden tests on the real compiler's outputs in ../shared/testdata (groundtruth.json).
#include "package/package_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

namespace fs = std::filesystem;

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Every compiled file below testdata/, by name (`*_edgetpu.tflite`), sub-folders walked; documents
/// and source models are not compiled files. Paths relative to testdata/, sorted.
std::vector<std::string> CompiledFiles(const std::string& testdata) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(testdata)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string suffix = "_edgetpu.tflite";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(fs::relative(entry.path(), testdata).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The co-compile set a compiled file belongs to: Google's compiler names co-compiled outputs
/// `<model>_cocompiled_with_<others>_edgetpu.tflite`, and each set of them lives in one folder.
/// Empty for a file compiled alone.
std::string CoCompileSet(const std::string& rel) {
  if (fs::path(rel).filename().string().find("_cocompiled_with_") == std::string::npos) return "";
  return fs::path(rel).parent_path().generic_string();
}

/// What is known of one compiled file (groundtruth.json record, or a README table row).
struct Known {
  std::string source;                                   ///< Where the facts come from.
  int64_t on_chip = -1;
  int64_t off_chip = -1;
  std::optional<std::string> token_hex;
  std::optional<std::vector<std::string>> cpu_ops;      ///< Names as groundtruth.json writes them.
};

std::vector<std::string> SplitCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      size_t b = cur.find_first_not_of(" `"), e = cur.find_last_not_of(" `");
      cells.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return cells;
}

/// "566,912 / 0" -> {566912, 0}.
std::optional<std::pair<int64_t, int64_t>> ParseBytePair(const std::string& cell) {
  static const std::regex re(R"(^([0-9,]+) / ([0-9,]+)$)");
  std::smatch m;
  if (!std::regex_match(cell, m, re)) return std::nullopt;
  auto num = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    return std::stoll(s);
  };
  return std::make_pair(num(m[1]), num(m[2]));
}

/// Reads the parameter-byte tables of `dir`/README.md: a row names a model (first cell); a column
/// whose header names a sub-folder of `dir` ("v16 set of 4" -> v16_set_of_4/) or says
/// "on-chip / streamed" (this folder) gives "on-chip / streamed" bytes for the compiled file of
/// that model in that folder.
void AddReadmeFacts(const std::string& testdata, const std::string& dir_rel, const std::vector<std::string>& files,
                    std::map<std::string, Known>& known) {
  std::ifstream in(testdata + "/" + dir_rel + "/README.md");
  ASSERT_TRUE(in) << dir_rel << "/README.md";
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (size_t h = 0; h + 1 < lines.size(); ++h) {
    const bool separator = lines[h + 1].rfind("|--", 0) == 0 || lines[h + 1].rfind("| --", 0) == 0;
    if (lines[h].rfind("|", 0) != 0 || !separator) continue;
    const std::vector<std::string> header = SplitCells(lines[h]);
    std::vector<std::string> column_dir(header.size());
    for (size_t c = 1; c < header.size(); ++c) {
      std::string as_folder = header[c];
      std::replace(as_folder.begin(), as_folder.end(), ' ', '_');
      if (fs::is_directory(testdata + "/" + dir_rel + "/" + as_folder)) column_dir[c] = dir_rel + "/" + as_folder;
      if (header[c].find("on-chip / streamed") != std::string::npos) column_dir[c] = dir_rel;
    }
    for (size_t r = h + 2; r < lines.size() && lines[r].rfind("|", 0) == 0; ++r) {
      const std::vector<std::string> cells = SplitCells(lines[r]);
      for (size_t c = 1; c < cells.size() && c < header.size(); ++c) {
        auto bytes = ParseBytePair(cells[c]);
        if (column_dir[c].empty() || !bytes) continue;
        int matched = 0;
        for (const std::string& f : files) {
          const std::string name = fs::path(f).filename().string();
          if (fs::path(f).parent_path().generic_string() != column_dir[c] || name.rfind(cells[0] + "_", 0) != 0) continue;
          Known& k = known[f];
          if (k.source.empty()) k.source = dir_rel + "/README.md";
          if (k.on_chip >= 0) {
            EXPECT_EQ(k.on_chip, bytes->first) << f << ": README and groundtruth.json disagree";
            EXPECT_EQ(k.off_chip, bytes->second) << f << ": README and groundtruth.json disagree";
          }
          k.on_chip = bytes->first;
          k.off_chip = bytes->second;
          ++matched;
        }
        EXPECT_EQ(matched, 1) << dir_rel << "/README.md row " << cells[0] << ", column " << header[c];
      }
    }
  }
}

/// Everything known of the compiled files: groundtruth.json's records (pairs and pending_pairs:
/// the pending ones are facts about Google's files too; only etpu's compile of them is pending)
/// and the README tables of the folders.
std::map<std::string, Known> KnownFacts(const std::string& testdata, const std::vector<std::string>& files) {
  std::ifstream f(testdata + "/groundtruth.json");
  nlohmann::json gt = nlohmann::json::parse(f);
  std::map<std::string, Known> known;
  for (const char* list : {"pairs", "pending_pairs"}) {
    if (!gt.contains(list)) continue;
    for (const auto& pair : gt.at(list)) {
      Known k;
      k.source = std::string("groundtruth.json ") + list;
      k.on_chip = pair.at("onchip_cached_param_bytes").get<int64_t>();
      k.off_chip = pair.at("offchip_streamed_param_bytes").get<int64_t>();
      k.token_hex = pair.at("caching_token_hex").get<std::string>();
      k.cpu_ops = pair.at("cpu_remaining_ops").get<std::vector<std::string>>();
      known[pair.at("compiled_model").get<std::string>()] = k;
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(testdata)) {
    if (entry.path().filename() == "README.md") {
      AddReadmeFacts(testdata, fs::relative(entry.path().parent_path(), testdata).generic_string(), files, known);
    }
  }
  return known;
}

/// The name groundtruth.json gives an operator: the builtin name, "CUSTOM:<custom_code>" for custom ones.
std::string GroundTruthOpName(const ir::Operator& op) {
  return op.code == ir::BuiltinOperator::CUSTOM ? "CUSTOM:" + op.custom_code : op.name();
}

Result<CompiledModelInfo> ReadCompiled(const std::string& path, ir::Model& model_out) {
  ETPU_ASSIGN_OR_RETURN(model_out, tflite::ReadModel(path));
  return ReadCompiledModel(model_out);
}

TEST(RealPackages, EveryCompiledFileMatchesWhatIsKnownOfIt) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  const std::string testdata = fs::path(gt_path).parent_path().string();
  const std::vector<std::string> files = CompiledFiles(testdata);
  const std::map<std::string, Known> known = KnownFacts(testdata, files);
  int with_token = 0;
  for (const std::string& rel : files) {
    SCOPED_TRACE(rel);
    auto it = known.find(rel);
    ASSERT_NE(it, known.end()) << rel << ": no record in groundtruth.json or a README table";
    const Known& k = it->second;
    SCOPED_TRACE(k.source);
    ir::Model model;
    auto info = ReadCompiled(testdata + "/" + rel, model);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    ASSERT_EQ(info->edgetpu_ops.size(), 1u);
    const PackageInfo& p = info->edgetpu_ops[0].package;
    EXPECT_EQ(p.format, PackageFormat::kDwn1);
    EXPECT_EQ(p.on_chip_bytes(), k.on_chip);
    EXPECT_EQ(p.off_chip_bytes(), k.off_chip);
    if (k.token_hex) {
      EXPECT_EQ(Hex(p.token()), *k.token_hex);
      ++with_token;
    }
    // Google's files are recognised as Google's.
    EXPECT_EQ(p.chip(), kBeagleChipName);
    EXPECT_FALSE(p.is_virtual());
    ASSERT_EQ(p.executables.size(), 2u);
    ASSERT_NE(p.caching(), nullptr);
    EXPECT_EQ(p.caching()->token, p.main()->token);
    EXPECT_NE(p.token(), 0u);
    for (const auto& e : p.executables) EXPECT_FALSE(e.program.has_value());
    // The layout rules of package-format.md §1.5 hold on every real package.
    EXPECT_TRUE(CheckPackageAlignment(p).ok()) << CheckPackageAlignment(p).ToString();
    // A streamed blob comes with a PARAMETER DMA hint of exactly its size; the cached one too.
    if (p.off_chip_bytes() > 0) {
      EXPECT_EQ(p.main()->parameter_dma_bytes(), p.off_chip_bytes());
    }
    EXPECT_EQ(p.caching()->parameter_dma_bytes(), p.on_chip_bytes());
    EXPECT_GE(p.min_runtime_version, 10);
    EXPECT_LE(p.min_runtime_version, kRuntimeVersion);
    if (k.cpu_ops) {
      std::vector<std::string> cpu_names;
      for (int i : info->cpu_ops) cpu_names.push_back(GroundTruthOpName(model.ops[static_cast<size_t>(i)]));
      EXPECT_EQ(cpu_names, *k.cpu_ops);
    }
    EXPECT_GT(p.main()->input_layers.size(), 0u);
    EXPECT_GT(p.main()->output_layers.size(), 0u);
    EXPECT_GT(p.main()->instruction_bytes(), 0);
  }
  EXPECT_GE(with_token, 10);
}

TEST(RealPackages, OneTokenPerCoCompiledSetAndNoOtherSharing) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  const std::string testdata = fs::path(gt_path).parent_path().string();
  std::map<uint64_t, std::set<std::string>> sets_of_token;
  std::map<std::string, std::set<uint64_t>> tokens_of_set;
  std::map<uint64_t, int> alone_with_token;
  for (const std::string& rel : CompiledFiles(testdata)) {
    ir::Model model;
    auto info = ReadCompiled(testdata + "/" + rel, model);
    ASSERT_TRUE(info.ok()) << rel << ": " << info.status().ToString();
    ASSERT_EQ(info->edgetpu_ops.size(), 1u);
    const uint64_t token = info->edgetpu_ops[0].package.token();
    const std::string set = CoCompileSet(rel);
    if (set.empty()) {
      ++alone_with_token[token];
    } else {
      sets_of_token[token].insert(set);
      tokens_of_set[set].insert(token);
    }
  }
  EXPECT_GE(tokens_of_set.size(), 3u);
  for (const auto& [set, tokens] : tokens_of_set) EXPECT_EQ(tokens.size(), 1u) << set << " holds several tokens";
  for (const auto& [token, sets] : sets_of_token) {
    EXPECT_EQ(sets.size(), 1u) << "two co-compile sets share " << Hex(token);
    EXPECT_EQ(alone_with_token.count(token), 0u) << "a file compiled alone shares " << Hex(token) << " with a set";
  }
  for (const auto& [token, n] : alone_with_token) EXPECT_EQ(n, 1) << n << " files compiled alone share " << Hex(token);
}

TEST(RealPackages, CpuModelsHaveNoEdgeTpuOp) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ir::Model model;
  auto info = ReadCompiled(path, model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE(info->edgetpu_ops.empty());
  EXPECT_EQ(info->cpu_ops.size(), model.ops.size());
}

TEST(RuntimeVersion, RealRuntimeWording) {
  Status s = CheckRuntimeVersion(12, 10);
  EXPECT_EQ(s.ToString(), "Failed precondition: Package requires runtime version (12), which is newer than this runtime version (10).");
  EXPECT_TRUE(CheckRuntimeVersion(12, 12).ok());
  EXPECT_TRUE(CheckRuntimeVersion(12, kRuntimeVersion).ok());
}

}  // namespace
}  // namespace etpu::package
