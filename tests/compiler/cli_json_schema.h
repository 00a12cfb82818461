// A checker for the subset of JSON Schema (draft 2020-12 keywords) that docs/json/*.schema.json
// use: type (one name or a list), properties, required, additionalProperties (false or a schema),
// items, enum, pattern (std::regex ECMAScript, searched as JSON Schema says), minimum, $ref to the
// root's $defs ("#/$defs/<name>"), and the annotations $schema, $id, title, description. Any other keyword is reported as unsupported, so a
// schema cannot silently rely on something this checker ignores. Debian 12 packages no C++ JSON
// Schema validator (apt-cache search json schema), hence this small one for the tests.
//
// Beyond the schema, every integer in the document must be exactly representable in JavaScript
// (|n| <= 2^53 - 1): 64-bit values belong in strings.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace etpu::testing {

/// Problems found ("/models/0/edgetpu_ops/0/caching_token: expected type string"); empty = valid.
std::vector<std::string> CheckJsonSchema(const nlohmann::json& schema, const nlohmann::json& doc);

}  // namespace etpu::testing
