// Master::routes(): every HTTP endpoint of the master, the Mesos v1 APIs and
// the classic JSON endpoints (/master/state, /metrics/snapshot, ...).
#include <fmt/core.h>

#include "daemons/master/master.hpp"
#include "lib/http/url.hpp"
#include "lib/metrics/mesos_json.hpp"
#include "lib/metrics/prometheus.hpp"
#include "lib/resources/role.hpp"

namespace cairn::master {

namespace {

http::Response json_ok(const nlohmann::json& body) {
  return http::Response(200, "application/json", body.dump());
}

// Mesos serves JSONP when asked with ?jsonp=callback; old web UIs use it.
http::Response json_or_jsonp(const http::Request& request, const nlohmann::json& body) {
  if (auto callback = request.param("jsonp")) {
    return http::Response(200, "text/javascript", *callback + "(" + body.dump() + ");");
  }
  return json_ok(body);
}

bool method_is(const http::Request& request, std::initializer_list<const char*> allowed,
               http::Responder& responder) {
  for (const char* m : allowed) {
    if (request.method == m) return true;
  }
  std::string list;
  for (const char* m : allowed) list += (list.empty() ? "" : ", ") + std::string(m);
  http::Response response =
      http::text_response(405, "Expecting one of { " + list + " }, received '" + request.method + "'");
  response.headers.set("Allow", list);
  responder.respond(std::move(response));
  return false;
}

// Form parameters of a POST (application/x-www-form-urlencoded) or the query.
std::map<std::string, std::string> form_of(const http::Request& request) {
  std::map<std::string, std::string> out = request.query;
  if (!request.body.empty()) {
    Result<std::map<std::string, std::string>> form = http::parse_query(request.body);
    if (form.ok()) {
      for (const auto& [k, v] : *form) out[k] = v;
    }
  }
  return out;
}

Result<size_t> size_param(const http::Request& request, const std::string& name, size_t fallback) {
  auto value = request.param(name);
  if (!value) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || errno != 0 || n < 0) {
    return Error("Failed to parse '" + name + "': '" + *value + "' is not a non-negative integer");
  }
  return static_cast<size_t>(n);
}

}  // namespace

http::Router Master::routes() {
  http::Router router;
  auto add_both = [&](const std::string& path, const std::string& summary, http::Handler handler) {
    router.add("/master" + path, summary, handler);
    router.add(path, summary, std::move(handler));
  };
  // Endpoints that need the leader's state: a standby redirects them.
  auto add_leader = [&](const std::string& path, const std::string& summary, http::Handler handler) {
    add_both(path, summary, leader_only(std::move(handler)));
  };
  auto state_json = [this](http::Request request, http::Responder responder) {
    if (!method_is(request, {"GET"}, responder)) return;
    responder.respond(json_or_jsonp(request, state_v0()));
  };

  add_leader("/api/v1/scheduler", "Mesos v1 scheduler API: frameworks subscribe and send calls.",
           [this](http::Request r, http::Responder p) { handle_scheduler_call(std::move(r), std::move(p)); });
  add_leader("/api/v1", "Mesos v1 operator API (GET_STATE, GET_AGENTS, UPDATE_WEIGHTS, SUBSCRIBE...).",
           [this](http::Request r, http::Responder p) { handle_operator_call(std::move(r), std::move(p)); });
  add_leader("/api/v1/agent", "Cairn master-agent protocol (agents register and report here).",
           [this](http::Request r, http::Responder p) { handle_agent_call(std::move(r), std::move(p)); });
  add_leader("/state", "Full cluster state: agents, frameworks, tasks (v0 JSON).", state_json);
  add_leader("/state.json", "Alias of /state for older tools.", state_json);
  add_leader("/state-summary", "Agents and frameworks with task counts, without task details.",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET"}, responder)) return;
             responder.respond(json_or_jsonp(request, state_summary_v0()));
           });
  add_leader("/frameworks", "Frameworks (?framework_id= to select one).",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET"}, responder)) return;
             auto wanted = request.param("framework_id");
             nlohmann::json frameworks = nlohmann::json::array(), completed = nlohmann::json::array();
             for (const auto& [id, f] : frameworks_) {
               if (!wanted || *wanted == id) frameworks.push_back(framework_v0(f));
             }
             for (const CompletedFramework& f : completed_frameworks_) {
               if (!wanted || *wanted == f.id) completed.push_back(completed_framework_v0(f));
             }
             responder.respond(json_or_jsonp(
                 request, {{"frameworks", frameworks},
                           {"completed_frameworks", completed},
                           {"unregistered_frameworks", nlohmann::json::array()}}));
           });
  add_leader("/slaves", "Agents (?slave_id= to select one).",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET"}, responder)) return;
             auto wanted = request.param("slave_id");
             nlohmann::json agents = nlohmann::json::array(), unreachable = nlohmann::json::array();
             for (const auto& [id, agent] : agents_) {
               if (!wanted || *wanted == id) agents.push_back(agent_v0(agent));
             }
             for (const auto& [id, info] : unreachable_agents_) {
               if (!wanted || *wanted == id) unreachable.push_back({{"id", id}, {"info", info}});
             }
             responder.respond(json_or_jsonp(request, {{"slaves", agents}, {"recovered_slaves", nlohmann::json::array()},
                                                       {"unreachable_slaves", unreachable}}));
           });
  add_leader("/tasks",
           "Tasks, newest first by default (?framework_id=&task_id=&limit=100&offset=0&order=des).",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET"}, responder)) return;
             Result<size_t> limit = size_param(request, "limit", 100);
             Result<size_t> offset = size_param(request, "offset", 0);
             std::string order = request.param("order").value_or("des");
             if (!limit.ok() || !offset.ok() || (order != "asc" && order != "des")) {
               std::string problem = !limit.ok() ? limit.error()
                                     : !offset.ok() ? offset.error()
                                                    : "'order' must be 'asc' or 'des', got '" + order + "'";
               return responder.respond(http::text_response(400, problem));
             }
             auto framework_id = request.param("framework_id");
             auto task_id = request.param("task_id");
             std::vector<const Task*> tasks;
             auto consider = [&](const Task& task) {
               if (framework_id && task.framework_id != *framework_id) return;
               if (task_id && task.task_id != *task_id) return;
               tasks.push_back(&task);
             };
             for (const auto& [id, f] : frameworks_) {
               for (const auto& [tid, t] : f.tasks) consider(t);
               for (const auto& [tid, t] : f.unreachable_tasks) consider(t);
               for (const Task& t : f.completed_tasks) consider(t);
             }
             for (const CompletedFramework& f : completed_frameworks_) {
               for (const Task& t : f.completed_tasks) consider(t);
             }
             auto started = [](const Task* t) {
               return t->statuses.empty() ? 0.0 : t->statuses.front().timestamp;
             };
             std::stable_sort(tasks.begin(), tasks.end(), [&](const Task* a, const Task* b) {
               return order == "asc" ? started(a) < started(b) : started(a) > started(b);
             });
             nlohmann::json out = nlohmann::json::array();
             for (size_t i = *offset; i < tasks.size() && out.size() < *limit; ++i) {
               out.push_back(task_v0(*tasks[i]));
             }
             responder.respond(json_or_jsonp(request, {{"tasks", out}}));
           });
  add_leader("/roles", "Roles with their weights, quotas and allocations.",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET"}, responder)) return;
             responder.respond(json_or_jsonp(request, roles_v0()));
           });
  add_leader("/roles.json", "Alias of /roles.", [this](http::Request request, http::Responder responder) {
    responder.respond(json_or_jsonp(request, roles_v0()));
  });
  add_both("/health", "200 when the master is up.", [](http::Request, http::Responder responder) {
    responder.respond(http::Response(200, "", ""));
  });
  add_both("/redirect", "307 to the leading master.", [this](http::Request, http::Responder responder) {
    std::optional<std::string> leader = leader_location();
    if (!leader) return responder.respond(http::text_response(503, "No master is leading"));
    http::Response response(307, "", "");
    response.headers.set("Location", *leader);
    responder.respond(std::move(response));
  });
  add_both("/flags", "The master's effective flags.", [this](http::Request request, http::Responder responder) {
    nlohmann::json flags = nlohmann::json::object();
    for (const auto& [name, value] : options_.flag_values) flags[name] = value;
    responder.respond(json_or_jsonp(request, {{"flags", flags}}));
  });
  add_leader("/teardown", "POST framework_id=ID: tear a framework down (kills its tasks).",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"POST"}, responder)) return;
             auto form = form_of(request);
             auto id = form.find("frameworkId");
             if (id == form.end()) id = form.find("framework_id");
             if (id == form.end()) {
               return responder.respond(http::text_response(400, "Missing 'framework_id' in the request body"));
             }
             if (!frameworks_.count(id->second)) {
               return responder.respond(http::text_response(400, "No framework found with specified ID"));
             }
             teardown_framework(id->second, "torn down by an operator");
             responder.respond(http::Response(200, "", ""));
           });
  // The answer to an operation that reports (status, message): the message
  // as text on an error, an empty body otherwise.
  auto answer = [](http::Responder responder) {
    return [responder](int status, std::string message) mutable {
      responder.respond(status >= 400 ? http::text_response(status, message)
                                      : http::Response(status, "", ""));
    };
  };
  for (bool reserve : {true, false}) {
    add_leader(reserve ? "/reserve" : "/unreserve",
               reserve ? "POST slaveId=ID&resources=JSON: reserve resources dynamically."
                       : "POST slaveId=ID&resources=JSON: remove dynamic reservations.",
               [this, reserve, answer](http::Request request, http::Responder responder) {
                 if (!method_is(request, {"POST"}, responder)) return;
                 auto form = form_of(request);
                 auto agent = form.find("slaveId");
                 auto resources = form.find("resources");
                 if (agent == form.end() || resources == form.end()) {
                   return responder.respond(http::text_response(
                       400, "Expecting 'slaveId' and 'resources' in the request body"));
                 }
                 nlohmann::json json = nlohmann::json::parse(resources->second, nullptr, false);
                 Result<Resources> parsed = json.is_discarded()
                                                ? Result<Resources>(Error("not valid JSON"))
                                                : Resources::from_json(json);
                 if (!parsed.ok()) {
                   return responder.respond(
                       http::text_response(400, "Invalid 'resources': " + parsed.error()));
                 }
                 reserve_resources(agent->second, *parsed, reserve, answer(responder));
               });
  }
  add_leader("/quota", "GET: quotas; POST {role, guarantee}: set; DELETE /quota/ROLE: remove.",
           [this](http::Request request, http::Responder responder) {
             if (!method_is(request, {"GET", "POST"}, responder)) return;
             if (request.method == "GET") {
               nlohmann::json infos = nlohmann::json::array();
               for (const auto& [role, guarantee] : quotas_) infos.push_back({{"role", role}, {"guarantee", guarantee.to_json()}});
               return responder.respond(json_ok({{"infos", infos}}));
             }
             nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
             if (!body.is_object() || !body.contains("role") || !body["role"].is_string() || !body.contains("guarantee")) {
               return responder.respond(http::text_response(400, "Expecting a JSON object with 'role' and 'guarantee'"));
             }
             Result<Resources> guarantee = Resources::from_json(body["guarantee"]);
             if (!guarantee.ok()) return responder.respond(http::text_response(400, "Invalid 'guarantee': " + guarantee.error()));
             update_quota(body["role"], *guarantee, [responder](Status st) mutable {
               responder.respond(st.ok() ? http::Response(200, "", "") : http::text_response(503, st.error()));
             });
           });
  router.add_prefix("/master/quota/", "DELETE /master/quota/ROLE: remove a role's quota.",
                    leader_only([this](http::Request request, http::Responder responder) {
                      if (!method_is(request, {"DELETE"}, responder)) return;
                      std::string role = request.path.substr(std::string("/master/quota/").size());
                      if (!quotas_.count(role)) {
                        return responder.respond(http::text_response(400, "No quota set for role '" + role + "'"));
                      }
                      update_quota(role, Resources(), [responder](Status st) mutable {
                        responder.respond(st.ok() ? http::Response(200, "", "") : http::text_response(503, st.error()));
                      });
                    }));
  add_leader("/weights", "GET: role weights; PUT [{role, weight}]: update them.",
             [this](http::Request request, http::Responder responder) {
               if (!method_is(request, {"GET", "PUT"}, responder)) return;
               if (request.method == "GET") {
                 nlohmann::json out = nlohmann::json::array();
                 for (const auto& [role, weight] : weights_)
                   out.push_back({{"role", role}, {"weight", weight}});
                 return responder.respond(json_ok(out));
               }
               nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
               std::map<std::string, double> weights;
               std::string problem =
                   body.is_array() ? "" : "Expecting a JSON array of {\"role\", \"weight\"}";
               if (problem.empty()) {
                 for (const auto& item : body) {
                   if (!item.is_object() || !item.contains("role") || !item["role"].is_string() ||
                       !item.contains("weight") || !item["weight"].is_number() ||
                       !(item["weight"].get<double>() > 0)) {
                     problem = "Each entry needs a string 'role' and a positive 'weight', got " +
                               item.dump();
                     break;
                   }
                   Status valid = validate_role_name(item["role"].get<std::string>());
                   if (!valid.ok()) {
                     problem = valid.error();
                     break;
                   }
                   weights[item["role"]] = item["weight"];
                 }
               }
               if (!problem.empty()) return responder.respond(http::text_response(400, problem));
               update_weights(weights, [responder](Status st) mutable {
                 responder.respond(st.ok() ? http::Response(200, "", "")
                                           : http::text_response(503, st.error()));
               });
             });
  add_leader("/maintenance/schedule", "GET: the maintenance schedule; POST: replace it.",
             [this, answer](http::Request request, http::Responder responder) {
               if (!method_is(request, {"GET", "POST"}, responder)) return;
               if (request.method == "GET")
                 return responder.respond(json_ok(maintenance_.schedule_json()));
               nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
               if (body.is_discarded()) {
                 return responder.respond(
                     http::text_response(400, "Expecting a JSON maintenance schedule"));
               }
               Result<std::vector<MaintenanceWindow>> schedule = parse_schedule(body);
               if (!schedule.ok())
                 return responder.respond(http::text_response(400, schedule.error()));
               change_maintenance(maintenance_.with_schedule(std::move(*schedule)),
                                  answer(responder));
             });
  add_leader("/maintenance/status", "Machines draining and down for maintenance.",
             [this](http::Request request, http::Responder responder) {
               if (!method_is(request, {"GET"}, responder)) return;
               responder.respond(json_ok(maintenance_.status_json()));
             });
  for (bool down : {true, false}) {
    add_leader(down ? "/machine/down" : "/machine/up",
               down ? "POST [machine ids]: start maintenance (their agents are shut down)."
                    : "POST [machine ids]: end maintenance (their agents may register again).",
               [this, down, answer](http::Request request, http::Responder responder) {
                 if (!method_is(request, {"POST"}, responder)) return;
                 nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
                 Result<std::vector<MachineId>> machines = parse_machines(body, "machines");
                 if (!machines.ok())
                   return responder.respond(http::text_response(400, machines.error()));
                 change_maintenance(
                     down ? maintenance_.with_down(*machines) : maintenance_.with_up(*machines),
                     answer(responder));
               });
  }
  router.add("/metrics/snapshot", "Metrics as a flat JSON object with Mesos' names.",
             [this](http::Request, http::Responder responder) {
               responder.respond(http::Response(200, "application/json", metrics::render_mesos_json(metrics_.snapshot())));
             });
  router.add("/metrics", "Metrics in the Prometheus text format.", [this](http::Request, http::Responder responder) {
    responder.respond(http::Response(200, "text/plain; version=0.0.4", metrics::render_prometheus(metrics_.snapshot())));
  });
  router.add("/version", "Version of this master.", [](http::Request, http::Responder responder) {
    responder.respond(json_ok({{"version", CAIRN_VERSION}, {"build_date", __DATE__}, {"git_sha", ""}}));
  });
  // /help needs the finished route list: it reads a copy made below.
  auto help = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
  router.add("/help", "This list (?format=json for JSON).", [help](http::Request request, http::Responder responder) {
    if (request.param("format") == std::optional<std::string>("json")) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& [path, summary] : *help) out.push_back({{"path", path}, {"summary", summary}});
      return responder.respond(json_ok({{"endpoints", out}}));
    }
    std::string text = "cairn-master endpoints:\n";
    for (const auto& [path, summary] : *help) text += fmt::format("  {:<28} {}\n", path, summary);
    responder.respond(http::text_response(200, text));
  });
  for (const auto& route : router.routes()) help->emplace_back(route.path + (route.prefix ? "*" : ""), route.summary);
  return router;
}

}  // namespace cairn::master
