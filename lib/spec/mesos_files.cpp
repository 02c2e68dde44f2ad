#include "lib/spec/mesos_files.hpp"

#include <nlohmann/json.hpp>

namespace cairn::spec {
namespace {

using nlohmann::json;

// Parses `text` as a JSON object; "" or an error message.
std::string parse_object(const std::string& text, json& out) {
  out = json::parse(text, nullptr, false);
  if (out.is_discarded()) return "is not valid JSON";
  if (!out.is_object()) return "must be a JSON object";
  return "";
}

std::string check_list_of_objects(const json& doc, const std::string& key,
                                  const std::string& required_string, const char* example) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) {
    return std::string("must have a \"") + key + "\" list (expected " + example + ")";
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    if (!entry.is_object() || !entry.contains(required_string) ||
        !entry[required_string].is_string() || entry[required_string].get<std::string>().empty()) {
      return key + "[" + std::to_string(i) + "] needs a non-empty \"" + required_string +
             "\" string (expected " + example + ")";
    }
  }
  return "";
}

}  // namespace

std::string check_credentials_json(const std::string& text) {
  json doc;
  if (auto e = parse_object(text, doc); !e.empty()) return e;
  constexpr const char* kExample = R"({"credentials":[{"principal":"ops","secret":"..."}]})";
  if (auto e = check_list_of_objects(doc, "credentials", "principal", kExample); !e.empty()) {
    return e;
  }
  for (size_t i = 0; i < doc["credentials"].size(); ++i) {
    const json& c = doc["credentials"][i];
    if (!c.contains("secret") || !c["secret"].is_string()) {
      return "credentials[" + std::to_string(i) + "] needs a \"secret\" string (expected " +
             kExample + ")";
    }
  }
  return "";
}

std::string check_acls_json(const std::string& text) {
  json doc;
  if (auto e = parse_object(text, doc); !e.empty()) return e;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "permissive") {
      if (!it->is_boolean()) return "\"permissive\" must be true or false";
      continue;
    }
    if (!it->is_array()) {
      return "\"" + it.key() + "\" must be a list of rules (expected e.g. " +
             R"({"register_frameworks":[{"principals":{"type":"ANY"},"roles":{"values":["prod"]}}]})" +
             ")";
    }
    for (const json& rule : *it) {
      if (!rule.is_object()) return "rules in \"" + it.key() + "\" must be JSON objects";
    }
  }
  return "";
}

std::string check_rate_limits_json(const std::string& text) {
  json doc;
  if (auto e = parse_object(text, doc); !e.empty()) return e;
  constexpr const char* kExample = R"({"limits":[{"principal":"fw1","qps":10}]})";
  if (auto e = check_list_of_objects(doc, "limits", "principal", kExample); !e.empty()) return e;
  for (size_t i = 0; i < doc["limits"].size(); ++i) {
    const json& l = doc["limits"][i];
    if (l.contains("qps") && (!l["qps"].is_number() || l["qps"].get<double>() <= 0)) {
      return "limits[" + std::to_string(i) + "].qps must be a number > 0";
    }
  }
  return "";
}

}  // namespace cairn::spec
