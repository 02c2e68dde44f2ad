// Agent::routes(): the executor API, the v1 operator API on the agent, the
// classic endpoints (/state, /monitor/statistics, /files/*), metrics.
#include <fmt/core.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <filesystem>

#include "daemons/agent/agent.hpp"
#include "lib/base/ascii.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/http/api_call.hpp"
#include "lib/metrics/mesos_json.hpp"
#include "lib/metrics/prometheus.hpp"

namespace cairn::agent {

using mesos::id_json;

namespace {

http::Response json_ok(const nlohmann::json& body) { return http::Response(200, "application/json", body.dump()); }

std::string mode_string(mode_t mode) {
  std::string s = S_ISDIR(mode) ? "d" : S_ISLNK(mode) ? "l" : "-";
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) s += (mode & (1 << (8 - i))) ? rwx[i] : '-';
  return s;
}

std::string user_name(uid_t uid) {
  struct passwd* pw = getpwuid(uid);
  return pw ? pw->pw_name : std::to_string(uid);
}

std::string group_name(gid_t gid) {
  struct group* gr = getgrgid(gid);
  return gr ? gr->gr_name : std::to_string(gid);
}

}  // namespace

nlohmann::json Agent::task_v0(const AgentTask& task) const {
  Result<Resources> resources = task.info.contains("resources") ? Resources::from_json(task.info["resources"])
                                                                : Result<Resources>(Resources());
  nlohmann::json out{{"id", task.task_id},
                     {"name", task.info.value("name", "")},
                     {"framework_id", task.framework_id},
                     {"executor_id", task.executor_id},
                     {"slave_id", agent_id_.value_or("")},
                     {"state", std::string(mesos::to_string(task.state))},
                     {"resources", resources.ok() ? resources->to_v0_json() : nlohmann::json::object()}};
  for (const char* key : {"labels", "container", "health_check", "discovery"}) {
    if (task.info.contains(key)) out[key] = task.info[key];
  }
  return out;
}

nlohmann::json Agent::executor_v0(const ExecutorRun& run) const {
  nlohmann::json tasks = nlohmann::json::array(), queued = nlohmann::json::array(),
                 completed = nlohmann::json::array();
  for (const auto& [id, t] : run.launched) tasks.push_back(task_v0(t));
  for (const auto& [id, t] : run.queued) queued.push_back(task_v0(t));
  for (const auto& t : run.terminated) completed.push_back(task_v0(t));
  return {{"id", run.executor_id},
          {"name", run.executor_info.value("name", "")},
          {"source", run.executor_info.value("source", "")},
          {"container", run.container_id},
          {"directory", run.directory},
          {"sandbox", run.directory},
          {"resources", run.resources.to_v0_json()},
          {"type", run.executor_info.value("type", "CUSTOM")},
          {"state", std::string(to_string(run.state))},
          {"pid", run.pid},
          {"tasks", tasks},
          {"queued_tasks", queued},
          {"completed_tasks", completed}};
}

nlohmann::json Agent::state_v0() const {
  nlohmann::json frameworks = nlohmann::json::array(), completed_frameworks = nlohmann::json::array();
  for (const auto& [fid, framework] : frameworks_) {
    nlohmann::json executors = nlohmann::json::array(), completed = nlohmann::json::array();
    for (const auto& [eid, run] : framework.executors) {
      (run.state == RunState::kTerminated ? completed : executors).push_back(executor_v0(run));
    }
    for (const auto& run : framework.completed) completed.push_back(executor_v0(run));
    frameworks.push_back({{"id", fid},
                          {"name", framework.info.value("name", "")},
                          {"user", framework.info.value("user", "")},
                          {"role", framework.info.value("role", "*")},
                          {"executors", executors},
                          {"completed_executors", completed}});
  }
  nlohmann::json flags = nlohmann::json::object();
  for (const auto& [k, v] : options_.flag_values) flags[k] = v;
  return {{"version", CAIRN_VERSION},
          {"id", agent_id_.value_or("")},
          {"pid", fmt::format("slave(1)@{}:{}", options_.advertised_ip, port_)},
          {"hostname", options_.hostname},
          {"start_time", start_time_},
          {"resources", options_.resources.to_v0_json()},
          {"reserved_resources_full", nlohmann::json::object()},
          {"attributes", options_.attributes.to_v0_json()},
          {"master_hostname", master_info_.is_object() ? master_info_.value("hostname", "") : ""},
          {"registered", registered_},
          {"flags", flags},
          {"frameworks", frameworks},
          {"completed_frameworks", completed_frameworks}};
}

nlohmann::json Agent::monitor_statistics() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [fid, framework] : frameworks_) {
    for (const auto& [eid, run] : framework.executors) {
      if (run.state == RunState::kTerminated || run.pid <= 0) continue;
      Result<ContainerUsage> usage = containerizer_->usage(run.container_id, run.pid);
      if (!usage.ok()) continue;
      out.push_back({{"executor_id", eid},
                     {"executor_name", run.executor_info.value("name", "")},
                     {"framework_id", fid},
                     {"source", run.executor_info.value("source", "")},
                     {"statistics",
                      {{"timestamp", usage->timestamp},
                       {"cpus_user_time_secs", usage->cpus_user_time_secs},
                       {"cpus_system_time_secs", usage->cpus_system_time_secs},
                       {"cpus_limit", usage->cpus_limit},
                       {"cpus_nr_periods", usage->cpus_nr_periods},
                       {"cpus_nr_throttled", usage->cpus_nr_throttled},
                       {"cpus_throttled_time_secs", usage->cpus_throttled_time_secs},
                       {"mem_rss_bytes", usage->mem_rss_bytes},
                       {"mem_limit_bytes", usage->mem_limit_bytes},
                       {"processes", usage->processes}}}});
    }
  }
  return out;
}

http::Router Agent::routes() {
  http::Router router;
  auto both = [&](const std::string& path, const std::string& summary, http::Handler handler) {
    router.add(path, summary, handler);
    router.add("/slave(1)" + path, summary, std::move(handler));
  };
  both("/api/v1/executor", "Mesos v1 executor API: executors subscribe and send updates.",
       [this](http::Request r, http::Responder p) { handle_executor_call(std::move(r), std::move(p)); });
  both("/api/v1", "Mesos v1 operator API of the agent (GET_STATE, GET_CONTAINERS, ...).",
       [this](http::Request request, http::Responder responder) {
         http::ApiCallCheck check = http::check_api_call(request);
         if (!check.format) return responder.respond(std::move(check.error));
         nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
         auto type = mesos::parse_fields([&] {
           return mesos::Fields(body, "").required_enum(
               "type", {"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_STATE", "GET_CONTAINERS",
                        "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_AGENT"});
         });
         if (!type.ok()) return responder.respond(http::text_response(400, "Failed to validate agent::Call: " + type.error()));
         std::string t = *type, key = ascii_lower(t);
         nlohmann::json payload;
         if (t == "GET_HEALTH") payload = {{"healthy", true}};
         else if (t == "GET_VERSION") payload = {{"version_info", {{"version", CAIRN_VERSION}}}};
         else if (t == "GET_FLAGS") {
           payload = {{"flags", nlohmann::json::array()}};
           for (const auto& [k, v] : options_.flag_values) payload["flags"].push_back({{"name", k}, {"value", v}});
         } else if (t == "GET_METRICS") {
           nlohmann::json snapshot = nlohmann::json::parse(metrics::render_mesos_json(metrics_.snapshot()));
           payload = {{"metrics", nlohmann::json::array()}};
           for (const auto& [k, v] : snapshot.items()) payload["metrics"].push_back({{"name", k}, {"value", v}});
         } else if (t == "GET_AGENT") {
           payload = {{"agent_info", agent_info()}};
         } else if (t == "GET_CONTAINERS") {
           payload = {{"containers", nlohmann::json::array()}};
           for (const auto& s : monitor_statistics()) {
             const ExecutorRun* run = nullptr;
             auto f = frameworks_.find(s["framework_id"]);
             if (f != frameworks_.end()) {
               auto e = f->second.executors.find(s["executor_id"]);
               if (e != f->second.executors.end()) run = &e->second;
             }
             payload["containers"].push_back({{"framework_id", id_json(s["framework_id"])},
                                              {"executor_id", id_json(s["executor_id"])},
                                              {"executor_name", s["executor_name"]},
                                              {"container_id", {{"value", run ? run->container_id : ""}}},
                                              {"resource_statistics", s["statistics"]}});
           }
         } else {
           // GET_STATE, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS from the same walk.
           nlohmann::json frameworks = nlohmann::json::array(), executors = nlohmann::json::array(),
                          tasks = nlohmann::json::array(), completed_tasks = nlohmann::json::array();
           for (const auto& [fid, framework] : frameworks_) {
             frameworks.push_back({{"framework_info", framework.info}});
             for (const auto& [eid, run] : framework.executors) {
               executors.push_back({{"executor_info", run.executor_info}});
               auto task_json = [&](const AgentTask& task) {
                 nlohmann::json j = task.info;
                 j["framework_id"] = id_json(fid);
                 j["executor_id"] = id_json(eid);
                 j["agent_id"] = id_json(agent_id_.value_or(""));
                 j["state"] = std::string(mesos::to_string(task.state));
                 return j;
               };
               for (const auto& [tid, t] : run.queued) tasks.push_back(task_json(t));
               for (const auto& [tid, t] : run.launched) tasks.push_back(task_json(t));
               for (const auto& t : run.terminated) completed_tasks.push_back(task_json(t));
             }
           }
           nlohmann::json get_tasks{{"launched_tasks", tasks}, {"completed_tasks", completed_tasks}};
           if (t == "GET_FRAMEWORKS") payload = {{"frameworks", frameworks}};
           else if (t == "GET_EXECUTORS") payload = {{"executors", executors}};
           else if (t == "GET_TASKS") payload = get_tasks;
           else payload = {{"get_tasks", get_tasks}, {"get_executors", {{"executors", executors}}},
                           {"get_frameworks", {{"frameworks", frameworks}}}};
         }
         responder.respond(json_ok({{"type", t}, {key, payload}}));
       });
  for (const char* path : {"/state", "/state.json"}) {
    both(path, "Agent state: frameworks, executors, tasks (v0 JSON).",
         [this](http::Request, http::Responder responder) { responder.respond(json_ok(state_v0())); });
  }
  both("/health", "200 when the agent is up.", [](http::Request, http::Responder r) { r.respond(http::Response(200, "", "")); });
  both("/flags", "The agent's effective flags.", [this](http::Request, http::Responder responder) {
    nlohmann::json flags = nlohmann::json::object();
    for (const auto& [k, v] : options_.flag_values) flags[k] = v;
    responder.respond(json_ok({{"flags", flags}}));
  });
  for (const char* path : {"/monitor/statistics", "/monitor/statistics.json"}) {
    router.add(path, "Resource usage of every running executor (cgroups or /proc).",
               [this](http::Request, http::Responder responder) { responder.respond(json_ok(monitor_statistics())); });
  }
  router.add("/metrics/snapshot", "Metrics with Mesos' names (slave/...).", [this](http::Request, http::Responder responder) {
    responder.respond(http::Response(200, "application/json", metrics::render_mesos_json(metrics_.snapshot())));
  });
  router.add("/metrics", "Metrics in the Prometheus text format.", [this](http::Request, http::Responder responder) {
    responder.respond(http::Response(200, "text/plain; version=0.0.4", metrics::render_prometheus(metrics_.snapshot())));
  });
  router.add("/version", "Version of this agent.", [](http::Request, http::Responder responder) {
    responder.respond(json_ok({{"version", CAIRN_VERSION}}));
  });

  // /files/*: only inside this agent's sandboxes, symlinks resolved first.
  auto resolve = [this](const http::Request& request, http::Responder& responder) -> std::optional<std::filesystem::path> {
    auto path = request.param("path");
    if (!path || path->empty()) {
      responder.respond(http::text_response(400, "Expecting 'path' in the query"));
      return std::nullopt;
    }
    std::error_code ec;
    std::filesystem::path real = std::filesystem::canonical(*path, ec);
    if (ec) {
      responder.respond(http::text_response(404, "No such file or directory: " + *path));
      return std::nullopt;
    }
    std::filesystem::path root =
        std::filesystem::weakly_canonical(checkpointer_.sandboxes_root(agent_id_.value_or("-")), ec);
    auto rel = real.lexically_relative(root);
    if (!agent_id_ || rel.empty() || rel.native().rfind("..", 0) == 0) {
      responder.respond(http::text_response(403, "Access to '" + *path + "' is not allowed: /files serves only "
                                                 "task sandboxes under " + root.string()));
      return std::nullopt;
    }
    return real;
  };
  router.add("/files/browse", "List a sandbox directory (?path=).", [resolve](http::Request request, http::Responder responder) {
    auto path = resolve(request, responder);
    if (!path) return;
    std::error_code ec;
    if (!std::filesystem::is_directory(*path, ec)) {
      return responder.respond(http::text_response(400, path->string() + " is not a directory"));
    }
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : std::filesystem::directory_iterator(*path, ec)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0) continue;
      entries.push_back({{"path", entry.path().string()},
                         {"nlink", st.st_nlink},
                         {"size", st.st_size},
                         {"mode", mode_string(st.st_mode)},
                         {"uid", user_name(st.st_uid)},
                         {"gid", group_name(st.st_gid)},
                         {"mtime", st.st_mtime}});
    }
    responder.respond(json_ok(entries));
  });
  router.add("/files/read", "Read part of a sandbox file (?path=&offset=&length=; offset=-1 gives the size).",
             [resolve](http::Request request, http::Responder responder) {
               auto path = resolve(request, responder);
               if (!path) return;
               auto number = [&](const char* name, long long fallback) -> std::optional<long long> {
                 auto v = request.param(name);
                 if (!v) return fallback;
                 char* end = nullptr;
                 long long n = std::strtoll(v->c_str(), &end, 10);
                 if (v->empty() || *end != '\0') return std::nullopt;
                 return n;
               };
               auto offset = number("offset", 0), length = number("length", -1);
               if (!offset || !length || *offset < -1 || *length < -1) {
                 return responder.respond(http::text_response(400, "'offset' and 'length' must be integers >= -1"));
               }
               std::error_code ec;
               if (std::filesystem::is_directory(*path, ec)) {
                 return responder.respond(http::text_response(400, path->string() + " is a directory"));
               }
               uintmax_t size = std::filesystem::file_size(*path, ec);
               if (ec) return responder.respond(http::text_response(404, ec.message()));
               if (*offset == -1) return responder.respond(json_ok({{"offset", size}, {"data", ""}}));
               constexpr long long kMaxChunk = 16 * 1024 * 1024;
               long long start = std::min<long long>(*offset, static_cast<long long>(size));
               long long want = *length == -1 ? static_cast<long long>(size) - start : *length;
               want = std::min({want, static_cast<long long>(size) - start, kMaxChunk});
               std::string data(static_cast<size_t>(std::max(0LL, want)), '\0');
               FILE* file = std::fopen(path->c_str(), "rb");
               if (file == nullptr) return responder.respond(http::text_response(404, "cannot open " + path->string()));
               std::fseek(file, start, SEEK_SET);
               size_t got = std::fread(data.data(), 1, data.size(), file);
               std::fclose(file);
               data.resize(got);
               // Mesos returns raw bytes in a JSON string; invalid UTF-8 is replaced.
               nlohmann::json out{{"offset", start}, {"data", data}};
               responder.respond(http::Response(200, "application/json",
                                                out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
             });
  router.add("/files/download", "Download a sandbox file (?path=).", [resolve](http::Request request, http::Responder responder) {
    auto path = resolve(request, responder);
    if (!path) return;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec)) {
      return responder.respond(http::text_response(400, path->string() + " is not a regular file"));
    }
    Result<std::string> content = fs::read_file(path->string());
    if (!content.ok()) return responder.respond(http::text_response(404, content.error()));
    http::Response response(200, "application/octet-stream", std::move(content).value());
    response.headers.set("Content-Disposition", "attachment; filename=" + path->filename().string());
    responder.respond(std::move(response));
  });
  auto help = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
  router.add("/help", "This list.", [help](http::Request, http::Responder responder) {
    std::string text = "cairn-agent endpoints:\n";
    for (const auto& [path, summary] : *help) text += fmt::format("  {:<34} {}\n", path, summary);
    responder.respond(http::text_response(200, text));
  });
  for (const auto& route : router.routes()) help->emplace_back(route.path, route.summary);
  return router;
}

}  // namespace cairn::agent
