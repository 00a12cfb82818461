#include "driver/parsed_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "support/op_support.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

CompileFailure Invalid(const std::string& name, const std::string& message, const std::string& details,
                       std::vector<std::string> interpreter_errors = {}) {
  CompileFailure f;
  f.kind = FailureKind::kInvalidModel;
  f.model_name = name;
  f.message = message;
  f.details = details;
  f.interpreter_errors = std::move(interpreter_errors);
  return f;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

/// A model that could not be read: the embedded TFLite's error lines and "Model could not be parsed".
std::shared_ptr<const ParsedModel> Unreadable(const std::string& name, const Status& status) {
  auto p = std::make_shared<ParsedModel>();
  p->name = name;
  const std::string& msg = status.message();
  std::vector<std::string> errors = {"ERROR: " + msg};
  // Builtins newer than this schema: the real compiler's words for an unknown builtin code.
  if (status.code() == StatusCode::kUnimplemented && msg.find("builtin code") != std::string::npos) {
    errors.push_back("ERROR: Registration failed.");
  }
  p->failure = Invalid(name, "Model could not be parsed", msg, std::move(errors));
  return p;
}

std::shared_ptr<const ParsedModel> Checked(const std::string& name, ir::Model model) {
  auto p = std::make_shared<ParsedModel>();
  p->name = name;
  p->failure = driver::ValidateModel(model, name);
  if (!p->failure) p->model = std::move(model);
  return p;
}

}  // namespace

namespace driver {

std::optional<CompileFailure> ValidateModel(const ir::Model& model, const std::string& name) {
  if (model.HasEdgeTpuCustomOp()) {
    return Invalid(name, "Model already compiled for Edge TPU", "an operator is the edgetpu-custom-op");
  }
  if (Status s = support::CheckOpVersions(model); !s.ok()) {
    return Invalid(name, "Model could not be parsed", s.message(), Lines(s.message()));
  }
  if (std::vector<std::string> why = support::ExplainDynamicShapes(model); !why.empty()) {
    // The real compiler's embedded TFLite refuses dynamic sizes when it applies the delegate
    // (compiler-behaviour.md §7.1); a dynamic batch alone is compiled as batch 1.
    CompileFailure f;
    f.kind = FailureKind::kDynamicShape;
    f.model_name = name;
    f.message = "Model failed in Tflite interpreter. Please ensure model can be loaded/run in Tflite interpreter.";
    f.details = fmt::format("{}", fmt::join(why, "\n"));
    f.interpreter_errors = {
        "ERROR: Attempting to use a delegate that only supports static-sized tensors with a graph that has "
        "dynamic-sized tensors."};
    return f;
  }
  if (std::vector<std::string> why = support::ExplainNotQuantized(model); !why.empty()) {
    return Invalid(name, "Model not quantized", fmt::format("{}", fmt::join(why, "\n")));
  }
  return std::nullopt;
}

}  // namespace driver

std::shared_ptr<const ParsedModel> ParseModel(std::span<const uint8_t> bytes, const std::string& name) {
  auto m = tflite::ReadModelFromBuffer(bytes, name);
  if (!m.ok()) return Unreadable(name, m.status());
  return Checked(name, std::move(m).value());
}

std::shared_ptr<const ParsedModel> ParseModel(const std::string& path) {
  auto m = tflite::ReadModel(path);
  if (!m.ok()) return Unreadable(path, m.status());
  return Checked(path, std::move(m).value());
}

Result<std::shared_ptr<const driver::PreparedModel>> ParsedModel::Prepared(const CompileOptions& options,
                                                                           int max_ops) const {
  if (!model) return FailedPreconditionError(fmt::format("'{}' was refused; it cannot be prepared", name));
  const std::string key = driver::PrepareKey(options, max_ops);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = prepared_.find(key);
    if (it != prepared_.end()) return it->second;
  }
  ETPU_ASSIGN_OR_RETURN(driver::PreparedModel p, driver::PrepareModel(*model, options, max_ops));
  auto shared = std::make_shared<const driver::PreparedModel>(std::move(p));
  std::lock_guard<std::mutex> lock(mu_);
  return prepared_.emplace(key, std::move(shared)).first->second;
}

ModelInput ModelInput::FromParsed(std::shared_ptr<const ParsedModel> p) {
  ModelInput in;
  in.name = p->name;
  in.parsed = std::move(p);
  return in;
}

}  // namespace etpu
