// etpu plan: the command line, the table, the JSON and the errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "compiler/cli_tool.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::vector<std::string> kModels = {"mobilenet_v1_1.0_224@30", "mobilenet_v1_0.75_192@20",
                                          "mobilenet_v1_0.5_160@10"};

TEST(EtpuPlan, JsonHasTheDevicesGroupsAndBaselines) {
  std::vector<std::string> args = {"plan"};
  args.insert(args.end(), kModels.begin(), kModels.end());
  args.insert(args.end(), {"--devices", "usb3,pcie", "--json"});
  ToolRun r = RunEtpu(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["devices"].size(), 2u);
  EXPECT_EQ(j["devices"][0]["host"], "usb3");
  EXPECT_EQ(j["devices"][0]["device_string"], "usb:0");
  EXPECT_EQ(j["devices"][1]["device_string"], "pci:0");
  // Every model placed (whole, or as parts: its replicas or stages, never two on one TPU); each
  // group's command lists its models' files in compile order.
  std::set<std::string> placed;
  double max_util = 0;
  for (const auto& d : j["devices"]) {
    max_util = std::max(max_util, d["utilisation"].get<double>());
    std::set<std::string> parts_here;
    for (const auto& g : d["groups"]) {
      std::string expected = "edgetpu_compiler";
      for (const auto& m : g["members"]) {
        const auto& of = !m["replica_of"].is_null() ? m["replica_of"] : m["pipeline_of"];
        if (of.is_null()) {
          placed.insert(m["name"].get<std::string>());
        } else {
          placed.insert(of.get<std::string>());
          EXPECT_TRUE(parts_here.insert(of.get<std::string>()).second) << "two parts of one model on one TPU";
        }
        expected += " " + m["file"].get<std::string>();
        EXPECT_TRUE(m["onchip_bytes"].is_string());
      }
      EXPECT_EQ(g["compile_command"], expected);
    }
  }
  EXPECT_EQ(placed, (std::set<std::string>{"mobilenet_v1_1.0_224", "mobilenet_v1_0.75_192", "mobilenet_v1_0.5_160"}));
  const double headroom = j["throughput_headroom"].get<double>();
  EXPECT_NEAR(headroom, 1.0 / max_util, 1e-9 * headroom);
  for (const char* name : {"one-per-tpu", "all-cocompiled", "greedy"}) {
    ASSERT_TRUE(j["baselines"].contains(name)) << name;
    EXPECT_LE(j["baselines"][name]["throughput_headroom"].get<double>(), headroom * (1 + 1e-9)) << name;
  }
  // The bound holds and the gap is what it says.
  const double bound = j["lower_bound_headroom"].get<double>();
  EXPECT_GE(bound, headroom * (1 - 1e-9));
  EXPECT_NEAR(j["gap"].get<double>(), (bound - headroom) / bound, 1e-9);
  EXPECT_FALSE(j.contains("heuristic"));
}

// Beyond the exact search (9 models): the local search, its bound and gap, never below a baseline.
TEST(EtpuPlan, BeyondEightModelsTheLocalSearchReportsItsGap) {
  std::vector<std::string> args = {"plan"};
  std::vector<std::string> names;
  for (const char* w : {"0.25", "0.5", "0.75"}) {
    for (const char* size : {"128", "160", "192"}) names.push_back(std::string("mobilenet_v1_") + w + "_" + size);
  }
  for (size_t i = 0; i < names.size(); ++i) args.push_back(names[i] + "@" + std::to_string(20 + 10 * (i % 4)));
  args.insert(args.end(), {"--devices", "usb3,usb3", "--json"});
  ToolRun r = RunEtpu(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["method"].get<std::string>().find("local search"), std::string::npos) << j["method"];
  ASSERT_TRUE(j.contains("heuristic"));
  std::multiset<std::string> placed;
  for (const auto& d : j["devices"]) {
    for (const auto& g : d["groups"]) {
      for (const auto& m : g["models"]) placed.insert(m.get<std::string>());
    }
  }
  EXPECT_EQ(placed, std::multiset<std::string>(names.begin(), names.end()));
  const double headroom = j["throughput_headroom"].get<double>();
  EXPECT_GE(j["lower_bound_headroom"].get<double>(), headroom * (1 - 1e-9));
  for (const char* name : {"one-per-tpu", "all-cocompiled", "greedy"}) {
    if (j["baselines"][name]["throughput_headroom"].is_null()) continue;
    EXPECT_LE(j["baselines"][name]["throughput_headroom"].get<double>(), headroom * (1 + 1e-9)) << name;
  }
  args.pop_back();  // the table
  ToolRun table = RunEtpu(args);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(Has(table.out, "local search from the")) << table.out;
  EXPECT_TRUE(Has(table.out, "Bound: no plan exceeds a* = ")) << table.out;
}

TEST(EtpuPlan, TablePrintsCommandsAndBaselines) {
  std::vector<std::string> args = {"plan"};
  args.insert(args.end(), kModels.begin(), kModels.end());
  args.insert(args.end(), {"--devices", "usb3", "--clock", "std"});
  ToolRun r = RunEtpu(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "TPU 0  usb3  device \"usb:0\"  clock std")) << r.out;
  EXPECT_TRUE(Has(r.out, "edgetpu_compiler ")) << r.out;
  EXPECT_TRUE(Has(r.out, "Throughput headroom a* = ")) << r.out;
  EXPECT_TRUE(Has(r.out, "Bound: no plan exceeds a* = ")) << r.out;
  for (const char* name : {"one-per-tpu", "all-cocompiled", "greedy"}) EXPECT_TRUE(Has(r.out, name)) << name;
}

TEST(EtpuPlan, AcceptsAFile) {
  const fs::path dir = fs::temp_directory_path() / "etpu-plan-cli-test";
  fs::create_directories(dir);
  ToolRun z = RunEtpu({"zoo", "mobilenet_v1_0.25_128", "-o", dir.string()});
  ASSERT_EQ(z.exit_code, 0) << z.err;
  fs::rename(dir / "mobilenet_v1_0.25_128.tflite", dir / "small.tflite");
  ToolRun r = RunEtpu({"plan", (dir / "small.tflite").string() + "@5", "mobilenet_v1_0.5_160@5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, (dir / "small.tflite").string()));
  fs::remove_all(dir);
}

// --write compiles the plan it prints: plan.json is the --json document, and each group's models,
// compiled together in the folder of their device, hold the bytes and the shared token the plan
// predicted; groups have tokens of their own.
TEST(EtpuPlan, WriteCompilesThePlanItPrints) {
  const std::string dir = testutil::MakeTempDir("etpu-plan-write");
  ToolRun r = RunEtpu({"plan", "mobilenet_v1_0.25_128@40", "mobilenet_v1_0.5_160@20", "mobilenet_v1_1.0_224@30",
                       "--devices", "usb3,usb3", "--json", "--write", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "wrote ")) << r.err;
  const auto printed = nlohmann::json::parse(r.out);
  const auto written = nlohmann::json::parse(ReadText(dir + "/plan.json"));
  EXPECT_EQ(written, printed);
  std::set<std::string> tokens, sources;
  int groups = 0, models = 0;
  for (size_t d = 0; d < written["devices"].size(); ++d) {
    const auto& device = written["devices"][d];
    std::string bus = device["device_string"].get<std::string>();
    std::replace(bus.begin(), bus.end(), ':', '-');
    const std::string device_dir = dir + "/tpu" + std::to_string(d) + "_" + bus;
    for (size_t g = 0; g < device["groups"].size(); ++g) {
      const auto& group = device["groups"][g];
      const std::string folder = device["groups"].size() > 1 ? device_dir + "/group" + std::to_string(g + 1) : device_dir;
      std::vector<std::string> args = {"inspect", "--json"};
      for (const auto& m : group["members"]) {
        const std::string file = m["file"].get<std::string>();  // <stem>.tflite
        args.push_back(folder + "/" + file.substr(0, file.size() - 7) + "_edgetpu.tflite");
        sources.insert(m["replica_of"].is_null() ? m["name"].get<std::string>() : m["replica_of"].get<std::string>());
      }
      ToolRun inspect = RunEtpu(args);
      ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
      const auto files = nlohmann::json::parse(inspect.out)["files"];
      ASSERT_EQ(files.size(), group["members"].size());
      std::set<std::string> group_tokens;
      for (size_t k = 0; k < files.size(); ++k) {
        const auto& member = group["members"][k];
        EXPECT_EQ(std::to_string(files[k]["on_chip_bytes"].get<int64_t>()), member["onchip_bytes"]) << member.dump();
        EXPECT_EQ(std::to_string(files[k]["off_chip_bytes"].get<int64_t>()), member["offchip_bytes"]) << member.dump();
        group_tokens.insert(files[k]["token"].get<std::string>());
        ++models;
      }
      EXPECT_EQ(group_tokens.size(), 1u) << "one token per co-compiled group";
      tokens.insert(group_tokens.begin(), group_tokens.end());
      ++groups;
    }
  }
  EXPECT_GE(models, 3);  // a replicated model is compiled once per TPU
  EXPECT_EQ(sources, (std::set<std::string>{"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_1.0_224"}));
  EXPECT_EQ(static_cast<int>(tokens.size()), groups) << "each group has a token of its own";
  // Written once: a second --write into the same directory is refused and changes nothing.
  const std::string before = ReadText(dir + "/plan.json");
  ToolRun again = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--write", dir});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Has(again.err, "already exists")) << again.err;
  EXPECT_EQ(ReadText(dir + "/plan.json"), before);
  ToolRun missing = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--write", dir + "/no/such/dir"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(Has(missing.err, "not a writable directory")) << missing.err;
  EXPECT_TRUE(missing.out.empty());
}

// --emulate 15: the groups are laid out as compiler 15 lays them out. Four shared models that
// overflow the SRAM together on one TPU: the plan's on-chip bytes per member are what
// `edgetpu_compiler --emulate 15` gives for the group in the plan's order, and differ from the
// default generation's plan; the JSON says which generation; other values are refused.
TEST(EtpuPlan, Emulate15PlansWhatCompiler15Writes) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  std::vector<std::string> args = {"plan"};
  for (const char* m : {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.75_192_quant",
                        "mobilenet_v2_1.0_224_quant"}) {
    args.push_back(dir + "/" + m + ".tflite@50");
  }
  args.push_back("--json");
  std::vector<std::string> v15 = args;
  v15.insert(v15.end(), {"--emulate", "15"});
  ToolRun r15 = RunEtpu(v15), r16 = RunEtpu(args);
  ASSERT_EQ(r15.exit_code, 0) << r15.err;
  ASSERT_EQ(r16.exit_code, 0) << r16.err;
  const auto j15 = nlohmann::json::parse(r15.out), j16 = nlohmann::json::parse(r16.out);
  EXPECT_EQ(j15["emulate"], 15);
  EXPECT_EQ(j16["emulate"], 16);
  EXPECT_NE(j15["throughput_headroom"], j16["throughput_headroom"]);
  int checked = 0;
  for (const auto& group : j15["devices"][0]["groups"]) {
    const std::string out = testutil::MakeTempDir("etpu-plan-emulate15");
    std::vector<std::string> compile = {"--emulate", "15", "-s", "-o", out};
    for (const auto& m : group["members"]) compile.push_back(m["file"].get<std::string>());
    ToolRun c = RunTool(ETPU_COMPILER_BIN, compile);
    ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
    std::vector<std::string> inspect = {"inspect", "--json"};
    for (const auto& m : group["members"]) {
      const std::string stem = fs::path(m["file"].get<std::string>()).stem().string();
      inspect.push_back(out + "/" + stem + "_edgetpu.tflite");
    }
    ToolRun i = RunEtpu(inspect);
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const auto files = nlohmann::json::parse(i.out)["files"];
    ASSERT_EQ(files.size(), group["members"].size());
    for (size_t k = 0; k < files.size(); ++k) {
      EXPECT_EQ(std::to_string(files[k]["on_chip_bytes"].get<int64_t>()), group["members"][k]["onchip_bytes"]);
      ++checked;
    }
  }
  EXPECT_GE(checked, 2);
  ToolRun bad = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--emulate", "14"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty());
}

// --explain: one reason per co-compiled group and per model's placement, each with the a* of the
// alternative, never above the exact plan's; the table ends with them in words.
TEST(EtpuPlan, ExplainSaysWhyWithTheAlternativesHeadroom) {
  const std::vector<std::string> models = {"mobilenet_v1_0.25_128@40", "mobilenet_v1_0.5_160@20", "mobilenet_v1_1.0_224@30"};
  std::vector<std::string> args = {"plan"};
  args.insert(args.end(), models.begin(), models.end());
  args.insert(args.end(), {"--devices", "usb3,usb3", "--explain", "--json"});
  ToolRun r = RunEtpu(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["explanations"].is_array());
  std::set<std::string> placed, members, split;
  for (const auto& e : j["explanations"]) {
    if (e["kind"] == "split") {
      for (const auto& m : e["models"]) split.insert(m.get<std::string>());
    }
  }
  // Every model placed has its reason: a placement, or the split that put its parts on their TPUs.
  for (const auto& d : j["devices"]) {
    for (const auto& g : d["groups"]) {
      for (const auto& m : g["members"]) {
        const auto& of = !m["replica_of"].is_null() ? m["replica_of"] : m["pipeline_of"];
        if (of.is_null() || split.count(of.get<std::string>()) == 0) members.insert(m["name"].get<std::string>());
      }
    }
  }
  for (const auto& e : j["explanations"]) {
    EXPECT_FALSE(e["text"].get<std::string>().empty());
    if (e["alternative_headroom"].is_number()) {
      EXPECT_LE(e["alternative_headroom"].get<double>(), j["throughput_headroom"].get<double>() * (1 + 1e-9)) << e.dump();
    }
    if (e["kind"] == "placement") placed.insert(e["models"][0].get<std::string>());
  }
  for (const auto& m : placed) members.erase(m);
  EXPECT_TRUE(members.empty()) << *members.begin() << " has no reason";
  args.pop_back();  // the table
  ToolRun table = RunEtpu(args);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(Has(table.out, "\nWhy:\n  - ")) << table.out;
}

// A model that streams 15.5 MiB alone at a rate one TPU cannot serve is pipelined over two (its
// stages cache almost everything, which two replicas would not): the JSON names the stages and the
// cut, the baselines include both pipelining ones, and --write leaves each stage's source (for
// Google's compiler) beside its compiled file.
TEST(EtpuPlan, PipelinesAModelThatStreamsWhenThatWins) {
  const std::string dir = testutil::MakeTempDir("etpu-plan-pipeline");
  ToolRun r = RunEtpu({"plan", "inception_v3_299@30", "--devices", "usb3,usb3", "--json", "--write", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  ASSERT_EQ(plan["pipelines"].size(), 1u) << r.out;
  EXPECT_EQ(plan["pipelines"][0]["model"], "inception_v3_299");
  EXPECT_EQ(plan["pipelines"][0]["stages"], 2);
  EXPECT_EQ(plan["pipelines"][0]["method"], "profiling");
  ASSERT_TRUE(plan["baselines"].contains("num-segments"));
  ASSERT_TRUE(plan["baselines"].contains("profiling-partitioner"));
  EXPECT_GE(plan["throughput_headroom"].get<double>(),
            plan["baselines"]["profiling-partitioner"]["throughput_headroom"].get<double>() * (1 - 1e-9));
  EXPECT_GT(plan["throughput_headroom"].get<double>(),
            plan["baselines"]["one-per-tpu"]["throughput_headroom"].get<double>());
  std::set<int> stages;
  for (size_t d = 0; d < plan["devices"].size(); ++d) {
    const auto& device = plan["devices"][d];
    ASSERT_EQ(device["groups"].size(), 1u) << "one stage per TPU";
    const auto& member = device["groups"][0]["members"][0];
    EXPECT_EQ(member["pipeline_of"], "inception_v3_299");
    stages.insert(member["part"].get<int>());
    std::string bus = device["device_string"].get<std::string>();
    std::replace(bus.begin(), bus.end(), ':', '-');
    const std::string folder = dir + "/tpu" + std::to_string(d) + "_" + bus + "/";
    const std::string stem = "inception_v3_299_segment_" + std::to_string(member["part"].get<int>()) + "_of_2";
    EXPECT_TRUE(std::filesystem::exists(folder + stem + ".tflite")) << folder;
    EXPECT_TRUE(std::filesystem::exists(folder + stem + "_edgetpu.tflite")) << folder;
    EXPECT_EQ(device["groups"][0]["compile_command"], "edgetpu_compiler " + stem + ".tflite");
  }
  EXPECT_EQ(stages, (std::set<int>{0, 1}));
  EXPECT_TRUE(plan["replicas"].empty());
  EXPECT_EQ(plan["split_search"]["choices"], 2);  // two stages, or two replicas
  EXPECT_EQ(plan["split_search"]["budget_exhausted"], false);
  EXPECT_TRUE(plan["split_search"]["profiling_compilations"].is_string());
}

// A model that fits but is too busy for one TPU is replicated: each TPU runs the same compiled
// model with a share of the demand; --write compiles it in each TPU's folder.
TEST(EtpuPlan, ReplicatesABusyModel) {
  const std::string dir = testutil::MakeTempDir("etpu-plan-replicas");
  ToolRun r = RunEtpu({"plan", "mobilenet_v1_1.0_224@400", "--devices", "usb3,usb3", "--json", "--write", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  ASSERT_EQ(plan["replicas"].size(), 1u) << r.out;
  EXPECT_EQ(plan["replicas"][0]["model"], "mobilenet_v1_1.0_224");
  EXPECT_EQ(plan["replicas"][0]["replicas"], 2);
  EXPECT_TRUE(plan["pipelines"].empty());
  EXPECT_NEAR(plan["throughput_headroom"].get<double>(),
              2 * plan["baselines"]["one-per-tpu"]["throughput_headroom"].get<double>(),
              1e-6 * plan["throughput_headroom"].get<double>());
  for (size_t d = 0; d < 2; ++d) {
    const auto& member = plan["devices"][d]["groups"][0]["members"][0];
    EXPECT_EQ(member["replica_of"], "mobilenet_v1_1.0_224");
    EXPECT_DOUBLE_EQ(member["rate_hz"].get<double>(), 200.0);
    std::string bus = plan["devices"][d]["device_string"].get<std::string>();
    std::replace(bus.begin(), bus.end(), ':', '-');
    const std::string folder = dir + "/tpu" + std::to_string(d) + "_" + bus + "/";
    EXPECT_TRUE(std::filesystem::exists(folder + "mobilenet_v1_1.0_224_edgetpu.tflite")) << folder;
    EXPECT_FALSE(std::filesystem::exists(folder + "mobilenet_v1_1.0_224.tflite")) << "a replica's source is the user's";
  }
  ToolRun table = RunEtpu({"plan", "mobilenet_v1_1.0_224@400", "--devices", "usb3,usb3"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(Has(table.out, "Replicated: mobilenet_v1_1.0_224 on 2 TPUs")) << table.out;
  EXPECT_EQ(plan["replicas"][0]["shares"], nlohmann::json::parse("[0.5, 0.5]"));
}

// Replicas on a fast and a slow TPU (USB 3 and USB 2) share the demand by speed (planner/shares.h):
// the JSON lists the shares, the members' rates follow them, etpu simulate replays the plan file
// with both TPUs as busy as predicted (within 2%), and a plan file whose shares do not add up is
// refused, naming the field.
TEST(EtpuPlan, ReplicasOnAFastAndASlowTpuShareTheDemandBySpeed) {
  const std::string dir = testutil::MakeTempDir("etpu-plan-shares");
  ToolRun r = RunEtpu({"plan", "mobilenet_v2_1.0_224@300", "--devices", "usb3,usb2", "--json", "--write", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  ASSERT_EQ(plan["replicas"].size(), 1u) << r.out;
  const auto& shares = plan["replicas"][0]["shares"];
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_NEAR(shares[0].get<double>() + shares[1].get<double>(), 1.0, 1e-9);
  EXPECT_GT(std::max(shares[0].get<double>(), shares[1].get<double>()), 0.7) << shares;
  for (size_t d = 0; d < 2; ++d) {
    const auto& member = plan["devices"][d]["groups"][0]["members"][0];
    EXPECT_NEAR(member["rate_hz"].get<double>(), 300 * shares[member["part"].get<size_t>()].get<double>(), 1e-6);
  }
  EXPECT_NEAR(plan["devices"][0]["utilisation"].get<double>(), plan["devices"][1]["utilisation"].get<double>(), 1e-3);
  EXPECT_GT(plan["throughput_headroom"].get<double>(), 1.2 * plan["baselines"]["one-per-tpu"]["throughput_headroom"].get<double>());
  ToolRun sim = RunEtpu({"simulate", dir + "/plan.json", "--seconds", "600", "--json"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  for (const auto& d : nlohmann::json::parse(sim.out)["devices"]) {
    EXPECT_NEAR(d["utilisation"].get<double>(), d["predicted_utilisation"].get<double>(),
                0.02 * d["predicted_utilisation"].get<double>());
  }
  ToolRun table = RunEtpu({"plan", "mobilenet_v2_1.0_224@300", "--devices", "usb3,usb2"});
  EXPECT_TRUE(Has(table.out, "dispatched at random with these probabilities")) << table.out;
  auto bad = plan;
  bad["replicas"][0]["shares"] = nlohmann::json::parse("[0.6, 0.6]");
  const std::string bad_file = dir + "/bad_plan.json";
  std::ofstream(bad_file) << bad.dump();
  ToolRun refused = RunEtpu({"simulate", bad_file});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Has(refused.err, "replicas[0].shares")) << refused.err;
}

// --usb_hub: the USB TPUs share one hub's bandwidth; a plan that streams loses headroom.
TEST(EtpuPlan, UsbHubSharesTheBandwidth) {
  const std::vector<std::string> base = {"plan", "efficientnet_edgetpu_l@10", "mobilenet_v1_0.25_128@30",
                                         "--devices", "usb3,usb3", "--json"};
  ToolRun apart = RunEtpu(base);
  std::vector<std::string> with_hub = base;
  with_hub.push_back("--usb_hub");
  ToolRun hub = RunEtpu(with_hub);
  ASSERT_EQ(apart.exit_code, 0) << apart.err;
  ASSERT_EQ(hub.exit_code, 0) << hub.err;
  const auto a = nlohmann::json::parse(apart.out), h = nlohmann::json::parse(hub.out);
  EXPECT_EQ(a["shared_usb_hub"], false);
  EXPECT_EQ(h["shared_usb_hub"], true);
  EXPECT_LT(h["throughput_headroom"].get<double>(), a["throughput_headroom"].get<double>());
}

// MODEL@HZ:MSms: a latency objective on the predicted p99. Objectives that the unconstrained
// optimum misses change the plan (less headroom, every objective met); objectives no plan meets
// give the plan that misses by least, exit 1 and write nothing.
TEST(EtpuPlan, LatencyObjectivesChangeThePlanOrAreReportedInfeasible) {
  const std::vector<std::string> free_args = {"plan", "efficientnet_edgetpu_s@30", "mobilenet_v2_1.0_224@50",
                                              "efficientnet_edgetpu_m@10", "mobilenet_v1_0.25_128@100",
                                              "--devices", "usb3,usb3", "--json"};
  std::vector<std::string> slo_args = free_args;
  slo_args[2] += ":8ms";
  slo_args[4] += ":3ms";
  ToolRun free = RunEtpu(free_args), slo = RunEtpu(slo_args);
  ASSERT_EQ(free.exit_code, 0) << free.err;
  ASSERT_EQ(slo.exit_code, 0) << slo.err;
  const auto f = nlohmann::json::parse(free.out), s = nlohmann::json::parse(slo.out);
  const auto p99_of = [](const nlohmann::json& plan, const std::string& name) {
    for (const auto& d : plan["devices"]) {
      for (const auto& g : d["groups"]) {
        for (const auto& m : g["members"]) {
          if (m["name"] == name) return m["latency_p99_ms"].get<double>();
        }
      }
    }
    return -1.0;
  };
  EXPECT_EQ(s["slo_met"], true);
  EXPECT_LE(p99_of(s, "mobilenet_v2_1.0_224"), 8.0);
  EXPECT_LE(p99_of(s, "mobilenet_v1_0.25_128"), 3.0);
  EXPECT_GT(p99_of(f, "mobilenet_v2_1.0_224"), 8.0) << "the objective does not bind: the test shows nothing";
  EXPECT_LT(s["throughput_headroom"].get<double>(), f["throughput_headroom"].get<double>());
  // Infeasible: 1 ms for a model whose steady time alone is about 2 ms.
  const std::string dir = testutil::MakeTempDir("etpu-plan-slo");
  ToolRun none = RunEtpu({"plan", "mobilenet_v2_1.0_224@50:1ms", "mobilenet_v1_0.25_128@10", "--devices", "usb3",
                          "--json", "--write", dir});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(Has(none.err, "no feasible plan: mobilenet_v2_1.0_224: p99")) << none.err;
  EXPECT_TRUE(Has(none.err, "nothing written")) << none.err;
  const auto n = nlohmann::json::parse(none.out);
  EXPECT_EQ(n["slo_met"], false);
  EXPECT_GT(n["slo_violation"].get<double>(), 0);
  EXPECT_TRUE(fs::is_empty(dir));
  ToolRun text = RunEtpu({"plan", "mobilenet_v2_1.0_224@50:1ms", "--devices", "usb3"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(Has(text.out, "NO FEASIBLE PLAN")) << text.out;
  ToolRun bad = RunEtpu({"plan", "mobilenet_v2_1.0_224@50:0ms"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Has(bad.err, "latency objective")) << bad.err;
}

// --sequence det,cls,cls --fps F: the workload as a cyclic sequence. The plan's JSON names it,
// rates are occurrences x F, and etpu simulate replays the sequence from the plan file with the
// plan's utilisation and p99 latencies (deterministic: equal to the printed precision).
TEST(EtpuPlan, SequenceWorkloadIsPlannedAndReplayedBySimulate) {
  const std::string dir = testutil::MakeTempDir("etpu-plan-sequence");
  ToolRun r = RunEtpu({"plan", "--sequence", "mobilenet_v1_0.5_160,mobilenet_v2_1.0_224,mobilenet_v2_1.0_224", "--fps",
                       "20", "--devices", "usb3", "--json", "--write", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["workload"]["kind"], "sequence");
  EXPECT_EQ(plan["workload"]["frames_per_s"], 20);
  EXPECT_EQ(plan["workload"]["sequence"].size(), 3u);
  EXPECT_TRUE(plan["pipelines"].empty());
  double v2_rate = 0;
  for (const auto& g : plan["devices"][0]["groups"]) {
    for (const auto& m : g["members"]) {
      if (m["name"] == "mobilenet_v2_1.0_224") v2_rate = m["rate_hz"].get<double>();
    }
  }
  EXPECT_EQ(v2_rate, 40);
  ToolRun sim = RunEtpu({"simulate", dir + "/plan.json", "--seconds", "60", "--json"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const auto s = nlohmann::json::parse(sim.out);
  const auto& d = s["devices"][0];
  EXPECT_NEAR(d["utilisation"].get<double>(), d["predicted_utilisation"].get<double>(),
              0.005 * d["predicted_utilisation"].get<double>());
  for (const auto& m : d["models"]) {
    EXPECT_NEAR(m["latency_p99_ms"].get<double>(), m["predicted_latency_p99_ms"].get<double>(), 1e-6) << m["name"];
  }
  // Usage errors: both forms, no --fps, --fps alone, a bad objective in the sequence.
  EXPECT_EQ(RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--sequence", "mobilenet_v1_0.25_128", "--fps", "5"}).exit_code, 2);
  ToolRun no_fps = RunEtpu({"plan", "--sequence", "mobilenet_v1_0.25_128"});
  EXPECT_EQ(no_fps.exit_code, 2);
  EXPECT_TRUE(Has(no_fps.err, "--fps")) << no_fps.err;
  EXPECT_EQ(RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--fps", "5"}).exit_code, 2);
  ToolRun bad_slo = RunEtpu({"plan", "--sequence", "mobilenet_v1_0.25_128:0ms", "--fps", "5"});
  EXPECT_EQ(bad_slo.exit_code, 2);
  EXPECT_TRUE(Has(bad_slo.err, "latency objective")) << bad_slo.err;
}

TEST(EtpuPlan, BadInputIsAClearError) {
  ToolRun unknown = RunEtpu({"plan", "no_such_model@10"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Has(unknown.err, "'no_such_model' is neither a .tflite file nor a zoo model")) << unknown.err;
  ToolRun zero_devices = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--devices", ""});
  EXPECT_EQ(zero_devices.exit_code, 2);
  EXPECT_TRUE(Has(zero_devices.err, "--devices names no device")) << zero_devices.err;
  ToolRun bad_device = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--devices", "usb3,floppy"});
  EXPECT_EQ(bad_device.exit_code, 2);
  EXPECT_TRUE(Has(bad_device.err, "unknown device 'floppy'")) << bad_device.err;
  for (const char* bad : {"mobilenet_v1_0.25_128@0", "mobilenet_v1_0.25_128@-5", "mobilenet_v1_0.25_128"}) {
    ToolRun r = RunEtpu({"plan", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_TRUE(Has(r.err, "etpu plan: ")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(RunEtpu({"plan"}).exit_code, 2);
  ToolRun option = RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--no_such_option"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_TRUE(Has(option.err, "--no_such_option")) << option.err;
  EXPECT_EQ(RunEtpu({"plan", "mobilenet_v1_0.25_128@10", "--clock", "fast"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"plan", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace etpu::testing
