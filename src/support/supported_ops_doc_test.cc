// docs/SUPPORTED_OPS.md is the operator table made readable: its "The N supported operators"
// table must list exactly the mappable rows of the operator table (ir::MappableOps), each with its
// minimum runtime and its constant inputs, and every registered rule id must be documented.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "ir/op_table.h"
#include "support/op_support.h"

namespace etpu::support {
namespace {

struct DocRow {
  int runtime = 0;
  std::set<int> params;  // the input slots of the "Param inputs" cell ("1 axis", "1–17, 20–23")
};

std::set<int> Slots(const std::string& cell) {
  std::set<int> out;
  static const std::regex slot(R"((\d+)(?:\s*(?:–|-)\s*(\d+))?)");
  for (auto it = std::sregex_iterator(cell.begin(), cell.end(), slot); it != std::sregex_iterator(); ++it) {
    const int a = std::stoi((*it)[1]);
    const int b = (*it)[2].matched ? std::stoi((*it)[2]) : a;
    for (int i = a; i <= b; ++i) out.insert(i);
  }
  return out;
}

std::string ReadDoc() {
  std::ifstream in(std::string(ETPU_SOURCE_DIR) + "/docs/SUPPORTED_OPS.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The rows of the table under the "## The N supported operators" heading; `count` gets N.
std::map<std::string, DocRow> SupportedTable(const std::string& doc, int* count) {
  std::map<std::string, DocRow> rows;
  std::smatch m;
  static const std::regex heading(R"(## The (\d+) supported operators)");
  if (!std::regex_search(doc, m, heading)) return rows;
  *count = std::stoi(m[1]);
  std::istringstream lines(doc.substr(static_cast<size_t>(m.position(0))));
  std::string line;
  std::getline(lines, line);  // the heading
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.rfind("## ", 0) == 0) break;
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    std::vector<std::string> cells;
    std::stringstream cs(line.substr(1));
    std::string cell;
    while (std::getline(cs, cell, '|')) cells.push_back(Trim(cell));
    if (cells.size() < 3 || cells[0] == "Operator" || cells[0].rfind("---", 0) == 0) continue;
    // One row may name several operators ("RELU, RELU6, RELU_N1_TO_1").
    std::stringstream names(cells[0]);
    std::string name;
    while (std::getline(names, name, ',')) rows[Trim(name)] = DocRow{std::atoi(cells[1].c_str()), Slots(cells[2])};
  }
  return rows;
}

TEST(SupportedOpsDoc, ListsExactlyTheRegisteredOperators) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << ETPU_SOURCE_DIR << "/docs/SUPPORTED_OPS.md";
  int count = -1;
  const std::map<std::string, DocRow> rows = SupportedTable(doc, &count);
  const std::vector<const ir::OpInfo*> ops = ir::MappableOps();
  EXPECT_EQ(count, static_cast<int>(ops.size())) << "the heading's count";
  EXPECT_EQ(rows.size(), ops.size()) << "operators named in the table";
  for (const ir::OpInfo* row : ops) {
    const ir::EdgeTpuMapping& op = *row->edgetpu;
    const std::string name = ir::BuiltinName(row->code);
    auto it = rows.find(name);
    if (it == rows.end()) {
      ADD_FAILURE() << name << " is registered but not in docs/SUPPORTED_OPS.md";
      continue;
    }
    EXPECT_EQ(it->second.runtime, op.min_runtime) << name << ": runtime column";
    for (int slot : op.param_slots) {
      EXPECT_TRUE(it->second.params.count(slot)) << name << ": constant input " << slot << " not in its row";
    }
  }
}

TEST(SupportedOpsDoc, DocumentsEveryRule) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty());
  for (const RuleInfo& rule : AllRules()) {
    EXPECT_NE(doc.find("`" + rule.id + "`"), std::string::npos) << rule.id << " is not in docs/SUPPORTED_OPS.md";
  }
}

}  // namespace
}  // namespace etpu::support
