#include "lib/docker/api_path.hpp"

namespace cairn::docker::detail {

std::string percent_encode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string api_target(std::string_view path,
                       const std::vector<std::pair<std::string, std::string>>& query) {
  std::string target = "/v";
  target += kApiVersion;
  target += path;
  char separator = '?';
  for (const auto& [key, value] : query) {
    target += separator;
    target += percent_encode(key);
    target += '=';
    target += percent_encode(value);
    separator = '&';
  }
  return target;
}

std::string container_path(std::string_view id, std::string_view suffix) {
  return "/containers/" + percent_encode(id) + std::string(suffix);
}

std::string image_path(std::string_view reference, std::string_view suffix) {
  return "/images/" + percent_encode(reference, "/:@") + std::string(suffix);
}

}  // namespace cairn::docker::detail
