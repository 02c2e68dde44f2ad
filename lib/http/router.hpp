// Router: maps request paths to handlers and remembers a one-line summary
// of each endpoint, which /help renders.
//
// Exact paths win over prefixes; among prefixes the longest wins, so
// "/files/" can serve "/files/read" while "/files/browse" has its own route.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/http/handler.hpp"

namespace cairn::http {

class Router {
 public:
  struct Route {
    std::string path;
    std::string summary;
    bool prefix = false;
    Handler handler;
  };

  void add(std::string path, std::string summary, Handler handler);
  void add_prefix(std::string prefix, std::string summary, Handler handler);

  const Route* find(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace cairn::http
