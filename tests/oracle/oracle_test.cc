// Byte-for-byte comparison of etpu's interpreter with the official TFLite reference kernels
// (../shared/oracle) on every CPU model of ../shared/testdata/models.
//
// Models without RESIZE_BILINEAR / UNIDIRECTIONAL_SEQUENCE_LSTM: whole-model outputs against
// libtflite22. Models with them: layer by layer (expose_tensors.mjs): every operator is fed the
// oracle's own input activations and its outputs must equal the oracle's, using libtflite29 for
// RESIZE_BILINEAR and LSTM and libtflite22 for every other operator (oracle README).
// Inputs: fill 0 / 128 / 255, two seeded random byte patterns, and the test images prepared as
// prep.mjs does (our PrepareImage is itself compared with prep.mjs's output).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "oracle/oracle_util.h"
#include "runtime/image_prep.h"
#include "runtime/interpreter.h"
#include "testutil/shared.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"

namespace etpu::oracle_test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> CpuModels() {
  std::vector<std::string> names;
  const std::string dir = testutil::SharedPath("testdata/models");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (e.path().extension() == ".tflite" && n.find("_edgetpu") == std::string::npos) names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// One set of input bytes (one entry per model input) with a label.
struct InputSet {
  std::string label;
  std::vector<std::vector<uint8_t>> tensors;
};

std::vector<InputSet> MakeInputs(const runtime::Interpreter& interp, const std::string& tmp) {
  std::vector<InputSet> sets;
  auto sizes = [&] {
    std::vector<size_t> s;
    for (int i = 0; i < interp.num_inputs(); ++i) s.push_back(static_cast<size_t>(interp.input_tensor(i).size_bytes()));
    return s;
  }();
  for (int v : {0, 128, 255}) {
    InputSet set{"fill:" + std::to_string(v), {}};
    for (size_t n : sizes) set.tensors.emplace_back(n, static_cast<uint8_t>(v));
    sets.push_back(std::move(set));
  }
  for (uint32_t seed : {1u, 2u}) {
    std::mt19937 rng(seed);
    InputSet set{"random(seed " + std::to_string(seed) + ")", {}};
    for (size_t n : sizes) {
      std::vector<uint8_t> b(n);
      for (auto& x : b) x = static_cast<uint8_t>(rng() >> 24);
      set.tensors.push_back(std::move(b));
    }
    sets.push_back(std::move(set));
  }
  // Images, for single-input uint8 HxWx3 (or x1) models.
  const ir::Tensor& in0 = interp.input_tensor(0);
  if (interp.num_inputs() == 1 && in0.type == ir::TensorType::UINT8 && in0.shape.size() == 4 &&
      (in0.shape[3] == 3 || in0.shape[3] == 1)) {
    for (const char* img : {"cat.bmp", "bird.bmp", "grace_hopper.bmp"}) {
      const std::string path = testutil::SharedPath(std::string("testdata/images/") + img);
      auto image = runtime::ReadBmp(path);
      EXPECT_TRUE(image.ok()) << image.status().ToString();
      if (!image.ok()) continue;
      auto ours = runtime::PrepareImage(*image, in0.shape[1], in0.shape[2], in0.shape[3]);
      EXPECT_TRUE(ours.ok()) << ours.status().ToString();
      if (!ours.ok()) continue;
      // prep.mjs is the reference of the preparation itself.
      const std::string ref = tmp + "/prep_" + img + ".raw";
      std::string log;
      const int rc = RunCommand("node " + Quote(testutil::SharedPath("oracle/prep.mjs")) + " " + Quote(path) + " " +
                                    std::to_string(in0.shape[1]) + " " + std::to_string(in0.shape[2]) + " " +
                                    std::to_string(in0.shape[3]) + " " + Quote(ref),
                                &log);
      EXPECT_EQ(rc, 0) << log;
      EXPECT_TRUE(ReadBytes(ref) == *ours) << "PrepareImage differs from prep.mjs on " << img;
      sets.push_back({std::string("image:") + img, {*ours}});
    }
  }
  return sets;
}

/// Writes the input files of one set; returns the runner's input specs.
std::vector<std::string> WriteInputs(const InputSet& set, const std::string& dir) {
  std::vector<std::string> specs;
  for (size_t i = 0; i < set.tensors.size(); ++i) {
    const std::string p = dir + "/in" + std::to_string(i) + ".raw";
    WriteBytes(p, set.tensors[i]);
    specs.push_back(p);
  }
  return specs;
}

std::string Describe(const std::vector<uint8_t>& ours, const std::vector<uint8_t>& ref) {
  if (ours.size() != ref.size()) return "size " + std::to_string(ours.size()) + " vs " + std::to_string(ref.size());
  size_t diff = 0, first = ours.size();
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] != ref[i]) {
      if (diff++ == 0) first = i;
    }
  }
  std::ostringstream s;
  s << diff << " of " << ours.size() << " bytes differ";
  if (diff) s << ", first at " << first << " (ours " << int(ours[first]) << ", oracle " << int(ref[first]) << ")";
  return s.str();
}

bool NeedsLayerByLayer(const ir::Model& m) {
  for (const auto& op : m.ops) {
    if (op.code == ir::BuiltinOperator::RESIZE_BILINEAR || op.code == ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM) {
      return true;
    }
  }
  return false;
}

bool UsesLib29(const ir::Operator& op) {
  return op.code == ir::BuiltinOperator::RESIZE_BILINEAR || op.code == ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM;
}

/// The part of a model the oracle can run: every operator that neither is a custom operator nor
/// reads (directly or not) a custom operator's output, with the tensors to compare: the model
/// outputs it computes and the non-constant tensors the custom operators read, in that order.
struct OracleCut {
  std::vector<int> ops;
  std::vector<int> outputs;
  bool is_whole_model = true;
};

OracleCut CutBeforeCustomOps(const ir::Model& m) {
  OracleCut cut;
  std::vector<bool> tainted(m.tensors.size(), false);
  std::vector<int> custom_inputs;
  for (const ir::Operator& op : m.ops) {
    bool taint = op.code == ir::BuiltinOperator::CUSTOM;
    for (int t : op.inputs) taint = taint || (t >= 0 && tainted[static_cast<size_t>(t)]);
    if (taint) {
      cut.is_whole_model = false;
      for (int t : op.outputs) tainted[static_cast<size_t>(t)] = true;
      if (op.code == ir::BuiltinOperator::CUSTOM) {
        for (int t : op.inputs) {
          if (t >= 0 && !tainted[static_cast<size_t>(t)] && !m.tensor(t).is_constant()) custom_inputs.push_back(t);
        }
      }
    } else {
      cut.ops.push_back(op.index);
    }
  }
  for (int t : m.outputs) {
    if (!tainted[static_cast<size_t>(t)]) cut.outputs.push_back(t);
  }
  for (int t : custom_inputs) {
    if (std::find(cut.outputs.begin(), cut.outputs.end(), t) == cut.outputs.end()) cut.outputs.push_back(t);
  }
  return cut;
}

class OracleModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OracleModelTest, OutputsAreByteIdenticalToTfliteReference) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/" + GetParam() + ".tflite");
  std::string why;
  auto oracle = GetOracle(&why);
  if (!oracle) {
    if (testutil::SharedRequired()) FAIL() << why << " (ETPU_REQUIRE_SHARED=1)";
    GTEST_SKIP() << why;
  }
  auto model = tflite::ReadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto shared = std::make_shared<ir::Model>(std::move(model).value());
  // A backbone cut before custom operators is checked at tensors inside the model: they keep their
  // storage. A whole model is checked at its outputs, with the intermediates in the shared arena.
  runtime::InterpreterOptions interp_options;
  interp_options.preserve_all_tensors = !CutBeforeCustomOps(*shared).is_whole_model;
  auto interp_r = runtime::Interpreter::Create(shared, interp_options);
  ASSERT_TRUE(interp_r.ok()) << interp_r.status().ToString();
  runtime::Interpreter& interp = **interp_r;
  const std::string tmp = testutil::MakeTempDir("oracle");
  const std::vector<InputSet> sets = MakeInputs(interp, tmp);
  ASSERT_GE(sets.size(), 5u);

  if (!NeedsLayerByLayer(*shared)) {
    // The oracle has no custom operators: it runs the part of the model before them (the
    // backbone), whose outputs are the tensors the custom operators read and the model outputs
    // computed without them. Our interpreter runs the whole model; the custom operators are
    // checked on their own (kernel tests, and CustomOpsDecodeTheOraclesBackbone below).
    const OracleCut cut = CutBeforeCustomOps(*shared);
    std::string oracle_model = path;
    if (!cut.is_whole_model) {
      auto sub = tflite::ExtractSubModel(*shared, cut.ops, shared->inputs, cut.outputs);
      ASSERT_TRUE(sub.ok()) << sub.status().ToString();
      oracle_model = tmp + "/backbone.tflite";
      WriteBytes(oracle_model, tflite::SerializeModel(**sub));
    }
    for (const InputSet& set : sets) {
      SCOPED_TRACE(set.label);
      const std::string dump = tmp + "/dump";
      fs::remove_all(dump);
      std::string log;
      ASSERT_TRUE(RunOracle(*oracle, oracle->lib22, oracle_model, WriteInputs(set, tmp), dump, &log)) << log;
      interp.ResetVariables();
      for (int i = 0; i < interp.num_inputs(); ++i) ASSERT_TRUE(interp.SetInput(i, set.tensors[static_cast<size_t>(i)]).ok());
      const Status run = interp.Invoke();
      ASSERT_TRUE(run.ok()) << run.ToString();
      for (size_t k = 0; k < cut.outputs.size(); ++k) {
        auto out = interp.tensor_data(cut.outputs[k]);
        const std::vector<uint8_t> ours(out.begin(), out.end());
        const std::vector<uint8_t> ref = ReadBytes(dump + "/out" + std::to_string(k) + ".bin");
        EXPECT_TRUE(ours == ref) << GetParam() << " tensor '" << shared->tensor(cut.outputs[k]).name << "' ("
                                 << set.label << "): " << Describe(ours, ref);
      }
    }
    if (!cut.is_whole_model) {
      std::printf("[ oracle ] %s: backbone of %zu of %zu operators checked (%zu tensors); custom operators on their own\n",
                  GetParam().c_str(), cut.ops.size(), shared->ops.size(), cut.outputs.size());
    }
    return;
  }

  // Layer by layer: expose every operator output, run both libraries, check each op on the inputs
  // its own library computed.
  const std::string exposed = tmp + "/exposed.tflite";
  std::string names;
  ASSERT_EQ(RunCommand("node " + Quote(testutil::SharedPath("oracle/expose_tensors.mjs")) + " " + Quote(path) + " " +
                           Quote(exposed) + " 2>/dev/null",
                       &names),
            0)
      << names;
  std::map<int, int> dump_of_tensor;  // tensor index -> out<K>.bin
  {
    std::istringstream in(names);
    int k, t;
    std::string name;
    while (in >> k >> t >> name) dump_of_tensor[t] = k;
  }
  // Only a couple of input sets for the heavy layer-by-layer mode (runtime budget).
  std::vector<const InputSet*> chosen;
  for (const InputSet& s : sets) {
    if (s.label == "fill:128" || s.label == "random(seed 1)" || s.label.rfind("image:cat", 0) == 0 ||
        (s.label == "random(seed 2)" && sets.size() == 5)) {
      chosen.push_back(&s);
    }
  }
  for (const InputSet* set : chosen) {
    SCOPED_TRACE(set->label);
    const std::vector<std::string> specs = WriteInputs(*set, tmp);
    std::map<std::string, std::string> dumps = {{oracle->lib22, tmp + "/d22"}, {oracle->lib29, tmp + "/d29"}};
    std::map<std::string, bool> ran;
    for (auto& [lib, dir] : dumps) {
      fs::remove_all(dir);
      std::string log;
      ran[lib] = RunOracle(*oracle, lib, exposed, specs, dir, &log);
      if (!ran[lib]) std::printf("[ oracle ] %s cannot run %s: %s\n", lib.c_str(), GetParam().c_str(), log.substr(0, 300).c_str());
    }
    ASSERT_TRUE(ran[oracle->lib29]) << "libtflite29 must run " << GetParam();
    int checked = 0, mismatched = 0, via29_fallback = 0;
    for (const ir::Operator& op : shared->ops) {
      std::string lib = UsesLib29(op) ? oracle->lib29 : oracle->lib22;
      if (!ran[lib]) {
        lib = oracle->lib29;  // libtflite22 cannot load the model: every layer against 2.9.
        ++via29_fallback;
      }
      const std::string& dir = dumps[lib];
      interp.ResetVariables();
      for (int t : op.inputs) {
        if (t < 0 || shared->tensor(t).is_constant() || shared->tensor(t).is_variable) continue;
        std::vector<uint8_t> bytes;
        auto it = std::find(shared->inputs.begin(), shared->inputs.end(), t);
        if (it != shared->inputs.end()) {
          bytes = set->tensors[static_cast<size_t>(it - shared->inputs.begin())];
        } else {
          ASSERT_TRUE(dump_of_tensor.count(t)) << "tensor " << t << " not exposed";
          bytes = ReadBytes(dir + "/out" + std::to_string(dump_of_tensor[t]) + ".bin");
        }
        auto dst = interp.mutable_tensor_data(t);
        ASSERT_EQ(dst.size(), bytes.size()) << "tensor " << t;
        std::copy(bytes.begin(), bytes.end(), dst.begin());
      }
      ASSERT_TRUE(interp.InvokeOps(op.index, op.index + 1).ok());
      for (int t : op.outputs) {
        auto out = interp.tensor_data(t);
        const std::vector<uint8_t> ours(out.begin(), out.end());
        const std::vector<uint8_t> ref = ReadBytes(dir + "/out" + std::to_string(dump_of_tensor[t]) + ".bin");
        ++checked;
        if (ours != ref) {
          ++mismatched;
          ADD_FAILURE() << GetParam() << " op #" << op.index << " " << op.name() << " output '"
                        << shared->tensor(t).name << "' vs " << fs::path(lib).filename() << ": " << Describe(ours, ref);
        }
      }
    }
    std::printf("[ oracle ] %s %s: %d layer outputs checked, %d mismatches%s\n", GetParam().c_str(),
                set->label.c_str(), checked, mismatched,
                via29_fallback ? " (libtflite22 could not run it: every layer vs libtflite29)" : "");
  }
}

// The custom operators the oracle cannot run, on their own: PosenetDecoderOp fed the oracle's
// backbone outputs (the tensors it reads, computed by the official library) gives exactly what our
// whole-model run gives, and on a portrait finds one person with the face where a face is.
TEST(CustomOpsOnTheOraclesBackbone, PosenetDecoderFindsTheFaceInGraceHopper) {
  int models_checked = 0;
  for (const std::string& name : CpuModels()) {
    ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/" + name + ".tflite");
    auto model = tflite::ReadModel(path);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto shared = std::make_shared<ir::Model>(std::move(model).value());
    const ir::Operator* decoder = nullptr;
    for (const ir::Operator& op : shared->ops) {
      if (op.code == ir::BuiltinOperator::CUSTOM && op.custom_code == "PosenetDecoderOp") decoder = &op;
    }
    if (decoder == nullptr) continue;
    SCOPED_TRACE(name);
    std::string why;
    auto oracle = GetOracle(&why);
    if (!oracle) {
      if (testutil::SharedRequired()) FAIL() << why << " (ETPU_REQUIRE_SHARED=1)";
      GTEST_SKIP() << why;
    }
    auto interp_r = runtime::Interpreter::Create(shared);
    ASSERT_TRUE(interp_r.ok()) << interp_r.status().ToString();
    runtime::Interpreter& interp = **interp_r;
    const ir::Tensor& in0 = interp.input_tensor(0);
    ASSERT_EQ(in0.shape.size(), 4u);
    auto image = runtime::ReadBmp(testutil::SharedPath("testdata/images/grace_hopper.bmp"));
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    auto input = runtime::PrepareImage(*image, in0.shape[1], in0.shape[2], in0.shape[3]);
    ASSERT_TRUE(input.ok()) << input.status().ToString();

    // Our whole-model run.
    ASSERT_TRUE(interp.SetInput(0, *input).ok());
    const Status run = interp.Invoke();
    ASSERT_TRUE(run.ok()) << run.ToString();
    std::vector<std::vector<uint8_t>> whole;
    for (int k = 0; k < interp.num_outputs(); ++k) whole.emplace_back(interp.output(k).begin(), interp.output(k).end());

    // The oracle's backbone, then our decoder alone on its outputs.
    const OracleCut cut = CutBeforeCustomOps(*shared);
    auto sub = tflite::ExtractSubModel(*shared, cut.ops, shared->inputs, cut.outputs);
    ASSERT_TRUE(sub.ok()) << sub.status().ToString();
    const std::string tmp = testutil::MakeTempDir("posenet");
    WriteBytes(tmp + "/backbone.tflite", tflite::SerializeModel(**sub));
    WriteBytes(tmp + "/in0.raw", *input);
    std::string log;
    ASSERT_TRUE(RunOracle(*oracle, oracle->lib22, tmp + "/backbone.tflite", {tmp + "/in0.raw"}, tmp + "/dump", &log)) << log;
    for (size_t k = 0; k < cut.outputs.size(); ++k) {
      const std::vector<uint8_t> ref = ReadBytes(tmp + "/dump/out" + std::to_string(k) + ".bin");
      auto dst = interp.mutable_tensor_data(cut.outputs[k]);
      ASSERT_EQ(dst.size(), ref.size());
      std::copy(ref.begin(), ref.end(), dst.begin());
    }
    for (int t : shared->outputs) {
      auto o = interp.mutable_tensor_data(t);
      std::fill(o.begin(), o.end(), uint8_t{0});
    }
    ASSERT_TRUE(interp.InvokeOps(decoder->index, decoder->index + 1).ok());
    for (int k = 0; k < interp.num_outputs(); ++k) {
      const std::vector<uint8_t> alone(interp.output(k).begin(), interp.output(k).end());
      EXPECT_TRUE(alone == whole[static_cast<size_t>(k)]) << "decoder output " << k << " differs from the whole-model run";
    }

    // Outputs: keypoints [1, D, 17, 2] (y, x in input pixels), keypoint scores [1, D, 17],
    // pose scores [1, D], count [1]; sized by the operator (the file declares them as []).
    ASSERT_EQ(interp.output_tensor(0).shape.size(), 4u);
    ASSERT_EQ(interp.output_tensor(3).num_elements(), 1);
    auto f = [&](int k) { return reinterpret_cast<const float*>(interp.output(k).data()); };
    const float count = f(3)[0];
    const float* kp = f(0);
    const float* kp_score = f(1);
    const float pose_score = f(2)[0];
    std::printf("[ oracle ] %s on grace_hopper: %g poses, best score %.3f, nose (%.1f, %.1f) %.2f, eyes (%.1f, %.1f) %.2f / (%.1f, %.1f) %.2f\n",
                name.c_str(), count, pose_score, kp[0], kp[1], kp_score[0], kp[2], kp[3], kp_score[1], kp[4], kp[5], kp_score[2]);
    EXPECT_GE(count, 1.0f);
    EXPECT_GT(pose_score, 0.25f);  // the mean over 17 keypoints; a portrait shows few of them
    // Keypoint order: 0 nose, 1 left eye, 2 right eye. A frontal portrait: both eyes seen, above
    // the nose, the subject's left eye on the image's right.
    for (int k = 0; k < 3; ++k) EXPECT_GT(kp_score[k], 0.5f) << "keypoint " << k;
    EXPECT_LT(kp[2 * 1 + 0], kp[0]) << "left eye below the nose";
    EXPECT_LT(kp[2 * 2 + 0], kp[0]) << "right eye below the nose";
    EXPECT_GT(kp[2 * 1 + 1], kp[2 * 2 + 1]) << "left eye left of the right eye in the image";
    for (int k = 0; k < 3; ++k) {
      EXPECT_GE(kp[2 * k], 0.0f);
      EXPECT_LE(kp[2 * k], static_cast<float>(in0.shape[1]));
      EXPECT_GE(kp[2 * k + 1], 0.0f);
      EXPECT_LE(kp[2 * k + 1], static_cast<float>(in0.shape[2]));
    }
    ++models_checked;
  }
  if (testutil::SharedRequired()) {
    EXPECT_GE(models_checked, 1) << "no shared model with a PosenetDecoderOp";
  }
}

INSTANTIATE_TEST_SUITE_P(SharedModels, OracleModelTest, ::testing::ValuesIn(CpuModels()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OracleModelTest);

}  // namespace
}  // namespace etpu::oracle_test
