#include "compiler/cli_json_schema.h"

#include <regex>
#include <set>

namespace etpu::testing {
namespace {

using nlohmann::json;

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

bool HasType(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  return false;
}

void Check(const json& root, const json& schema, const json& v, const std::string& path,
           std::vector<std::string>* errors) {
  static const std::set<std::string> kKnown = {"$schema", "$id", "$defs", "$ref", "title", "description", "type",
                                               "properties", "required", "additionalProperties", "items", "enum",
                                               "pattern", "minimum"};
  if (!schema.is_object()) {
    errors->push_back(path + ": schema is not an object");
    return;
  }
  if (schema.contains("$ref")) {  // Only local definitions: "#/$defs/<name>".
    const std::string ref = schema["$ref"].get<std::string>();
    const std::string prefix = "#/$defs/";
    const std::string name = ref.rfind(prefix, 0) == 0 ? ref.substr(prefix.size()) : "";
    if (name.empty() || !root.contains("$defs") || !root["$defs"].contains(name)) {
      errors->push_back(path + ": unresolved $ref '" + ref + "'");
    } else {
      Check(root, root["$defs"][name], v, path, errors);
    }
  }
  for (const auto& [key, _] : schema.items()) {
    if (!kKnown.count(key)) errors->push_back(path + ": unsupported schema keyword '" + key + "'");
  }
  if (schema.contains("type")) {
    const json& t = schema["type"];
    bool ok = false;
    if (t.is_string()) ok = HasType(v, t.get<std::string>());
    for (const auto& one : t.is_array() ? t : json::array()) ok = ok || HasType(v, one.get<std::string>());
    if (!ok) {
      errors->push_back(path + ": expected type " + t.dump() + ", got " + v.dump().substr(0, 80));
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == v;
    if (!found) errors->push_back(path + ": " + v.dump() + " is not one of " + schema["enum"].dump());
  }
  if (schema.contains("pattern") && v.is_string() &&
      !std::regex_search(v.get<std::string>(), std::regex(schema["pattern"].get<std::string>()))) {
    errors->push_back(path + ": '" + v.get<std::string>() + "' does not match " + schema["pattern"].dump());
  }
  if (schema.contains("minimum") && v.is_number() && v.get<double>() < schema["minimum"].get<double>()) {
    errors->push_back(path + ": " + v.dump() + " is below the minimum " + schema["minimum"].dump());
  }
  if (v.is_object()) {
    const json props = schema.value("properties", json::object());
    for (const auto& r : schema.value("required", json::array())) {
      if (!v.contains(r.get<std::string>())) errors->push_back(path + ": missing required '" + r.get<std::string>() + "'");
    }
    for (const auto& [key, value] : v.items()) {
      if (props.contains(key)) {
        Check(root, props[key], value, path + "/" + key, errors);
      } else if (schema.contains("additionalProperties")) {
        const json& extra = schema["additionalProperties"];
        if (extra.is_boolean() && !extra.get<bool>()) errors->push_back(path + ": unexpected property '" + key + "'");
        if (extra.is_object()) Check(root, extra, value, path + "/" + key, errors);
      }
    }
  }
  if (v.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i) Check(root, schema["items"], v[i], path + "/" + std::to_string(i), errors);
  }
}

void CheckSafeIntegers(const json& v, const std::string& path, std::vector<std::string>* errors) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)) {
    errors->push_back(path + ": integer " + v.dump() + " is beyond 2^53 - 1 (JavaScript cannot read it; use a string)");
  } else if (v.is_number_integer() && !v.is_number_unsigned() &&
             (v.get<int64_t>() > kMaxSafeInteger || v.get<int64_t>() < -kMaxSafeInteger)) {
    errors->push_back(path + ": integer " + v.dump() + " is beyond 2^53 - 1 (JavaScript cannot read it; use a string)");
  }
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) CheckSafeIntegers(value, path + "/" + key, errors);
  }
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) CheckSafeIntegers(v[i], path + "/" + std::to_string(i), errors);
  }
}

}  // namespace

std::vector<std::string> CheckJsonSchema(const json& schema, const json& doc) {
  std::vector<std::string> errors;
  Check(schema, schema, doc, "", &errors);
  CheckSafeIntegers(doc, "", &errors);
  return errors;
}

}  // namespace etpu::testing
