#include "lib/http/router.hpp"

namespace cairn::http {

void Router::add(std::string path, std::string summary, Handler handler) {
  routes_.push_back({std::move(path), std::move(summary), false, std::move(handler)});
}

void Router::add_prefix(std::string prefix, std::string summary, Handler handler) {
  routes_.push_back({std::move(prefix), std::move(summary), true, std::move(handler)});
}

const Router::Route* Router::find(std::string_view path) const {
  const Route* best = nullptr;
  for (const Route& r : routes_) {
    if (!r.prefix) {
      if (r.path == path) return &r;
    } else if (path.starts_with(r.path) && (!best || r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  return best;
}

}  // namespace cairn::http
