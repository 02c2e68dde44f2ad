// The Mesos v1 operator API on the master: POST /api/v1.
#include <fmt/core.h>

#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"
#include "lib/base/ascii.hpp"
#include "lib/base/uuid.hpp"
#include "lib/http/api_call.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"
#include "lib/metrics/mesos_json.hpp"
#include "lib/resources/role.hpp"

namespace cairn::master {

using mesos::Fields;
using mesos::id_json;

namespace {

const std::vector<std::string_view> kOperatorCalls{"GET_HEALTH",
                                                   "GET_FLAGS",
                                                   "GET_VERSION",
                                                   "GET_METRICS",
                                                   "GET_LOGGING_LEVEL",
                                                   "GET_STATE",
                                                   "GET_AGENTS",
                                                   "GET_FRAMEWORKS",
                                                   "GET_EXECUTORS",
                                                   "GET_TASKS",
                                                   "GET_ROLES",
                                                   "GET_MASTER",
                                                   "RESERVE_RESOURCES",
                                                   "UNRESERVE_RESOURCES",
                                                   "GET_QUOTA",
                                                   "UPDATE_QUOTA",
                                                   "SET_QUOTA",
                                                   "REMOVE_QUOTA",
                                                   "GET_WEIGHTS",
                                                   "UPDATE_WEIGHTS",
                                                   "SUBSCRIBE",
                                                   "GET_MAINTENANCE_STATUS",
                                                   "GET_MAINTENANCE_SCHEDULE",
                                                   "UPDATE_MAINTENANCE_SCHEDULE",
                                                   "START_MAINTENANCE",
                                                   "STOP_MAINTENANCE"};

http::Response json_response(const nlohmann::json& body) {
  return http::Response(200, "application/json", body.dump());
}

// Quota guarantees: v1 Resources (SET_QUOTA) or the 1.9 `guarantees` map
// {"cpus": {"value": 4}} (UPDATE_QUOTA).
Resources read_guarantees(const Fields& config) {
  Resources out;
  if (auto guarantees = config.optional_object("guarantees")) {
    for (const auto& [name, value] : guarantees->json().items()) {
      Fields quantity(value, guarantees->path_of(name));
      double amount = quantity.number("value", 0);
      if (amount < 0) quantity.fail("value", "must not be negative");
      if (auto problem = resource_name_problem(name)) guarantees->fail(name, *problem);
      Result<Scalar> scalar = Scalar::from_double(amount);
      if (!scalar.ok()) quantity.fail("value", scalar.error());
      out += Resource::unreserved(name, *scalar);
    }
  }
  return out;
}

}  // namespace

void Master::handle_operator_call(http::Request request, http::Responder responder) {
  if (!recovered_) return responder.respond(http::text_response(503, "Master is recovering"));
  http::ApiCallCheck check = http::check_api_call(request);
  if (!check.format) return responder.respond(std::move(check.error));
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return responder.respond(http::text_response(400, "Failed to parse body into JSON"));
  }
  auto type = mesos::parse_fields([&] { return Fields(body, "").required_enum("type", kOperatorCalls); });
  if (!type.ok()) {
    return responder.respond(http::text_response(400, "Failed to validate master::Call: " + type.error()));
  }
  auto reply = [&](const std::string& name, nlohmann::json payload) {
    responder.respond(json_response({{"type", name}, {ascii_lower(name), std::move(payload)}}));
  };

  const std::string& t = *type;
  if (t == "GET_HEALTH") return reply(t, {{"healthy", true}});
  if (t == "GET_VERSION") {
    return reply(t, {{"version_info", {{"version", CAIRN_VERSION}, {"build_date", __DATE__}}}});
  }
  if (t == "GET_LOGGING_LEVEL") return reply(t, {{"level", 0}});
  if (t == "GET_FLAGS") {
    nlohmann::json flags = nlohmann::json::array();
    for (const auto& [name, value] : options_.flag_values) flags.push_back({{"name", name}, {"value", value}});
    return reply(t, {{"flags", flags}});
  }
  if (t == "GET_METRICS") {
    nlohmann::json snapshot = nlohmann::json::parse(metrics::render_mesos_json(metrics_.snapshot()));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, value] : snapshot.items()) list.push_back({{"name", name}, {"value", value}});
    return reply(t, {{"metrics", list}});
  }
  if (t == "GET_STATE") return reply(t, get_state_v1());
  if (t == "GET_AGENTS") return reply(t, get_agents_v1());
  if (t == "GET_FRAMEWORKS") return reply(t, get_frameworks_v1());
  if (t == "GET_EXECUTORS") return reply(t, get_executors_v1());
  if (t == "GET_TASKS") return reply(t, get_tasks_v1());
  if (t == "GET_ROLES") return reply(t, get_roles_v1());
  if (t == "GET_MASTER") {
    return reply(t, {{"master_info", master_info()},
                     {"start_time", start_time_secs_},
                     {"elected_time", elected_time_secs_}});
  }
  if (t == "GET_MAINTENANCE_STATUS") return reply(t, {{"status", maintenance_.status_json()}});
  if (t == "GET_MAINTENANCE_SCHEDULE")
    return reply(t, {{"schedule", maintenance_.schedule_json()}});
  if (t == "GET_WEIGHTS") {
    nlohmann::json infos = nlohmann::json::array();
    for (const auto& [role, weight] : weights_) infos.push_back({{"role", role}, {"weight", weight}});
    return reply(t, {{"weight_infos", infos}});
  }
  if (t == "GET_QUOTA") {
    nlohmann::json infos = nlohmann::json::array(), configs = nlohmann::json::array();
    for (const auto& [role, guarantee] : quotas_) {
      infos.push_back({{"role", role}, {"guarantee", guarantee.to_json()}});
      nlohmann::json guarantees = nlohmann::json::object();
      for (const auto& [name, amount] : guarantee.scalar_totals()) guarantees[name] = {{"value", amount}};
      configs.push_back({{"role", role}, {"guarantees", guarantees}, {"limits", guarantees}});
    }
    return reply(t, {{"status", {{"infos", infos}, {"configs", configs}}}});
  }
  if (t == "SUBSCRIBE") {
    http::Response head(200, check.format->recordio ? "application/recordio" : "application/json", "");
    std::string stream_id = Uuid::random().to_string();
    std::shared_ptr<http::StreamWriter> writer = responder.stream(std::move(head));
    if (writer == nullptr) return;
    auto stream = std::make_shared<http::EventStream>(writer, stream_id);
    operator_streams_[stream_id] = stream;
    writer->on_close([this, stream_id] { defer([this, stream_id] { operator_streams_.erase(stream_id); }); });
    stream->send({{"type", "SUBSCRIBED"},
                  {"subscribed",
                   {{"get_state", get_state_v1()},
                    {"heartbeat_interval_seconds", options_.flags.heartbeat_interval.secs()}}}});
    if (!operator_heartbeat_.pending()) {
      operator_heartbeat_ = loop_.after(options_.flags.heartbeat_interval, [this] { operator_heartbeat(); });
    }
    return;
  }

  // Calls that change state: parse the payload, then act.
  auto done = [responder](int status, std::string message) mutable {
    if (status >= 400) return responder.respond(http::text_response(status, std::move(message)));
    responder.respond(http::Response(status, "", ""));
  };
  if (t == "RESERVE_RESOURCES" || t == "UNRESERVE_RESOURCES") {
    auto parsed = mesos::parse_fields([&] {
      Fields payload = Fields(body, "").required_object(ascii_lower(t));
      std::string agent_id = payload.required_id("agent_id");
      const nlohmann::json* resources = payload.get("resources");
      if (resources == nullptr) payload.fail("resources", "required resources are missing");
      Result<Resources> parsed_resources = Resources::from_json(*resources);
      if (!parsed_resources.ok()) payload.fail("resources", parsed_resources.error());
      if (parsed_resources->empty()) payload.fail("resources", "must not be empty");
      return std::make_pair(agent_id, *parsed_resources);
    });
    if (!parsed.ok()) return done(400, parsed.error());
    return reserve_resources(parsed->first, parsed->second, t == "RESERVE_RESOURCES", done);
  }
  if (t == "UPDATE_MAINTENANCE_SCHEDULE") {
    auto schedule = mesos::parse_fields([&] {
      return Fields(body, "")
          .required_object("update_maintenance_schedule")
          .required_object("schedule")
          .json();
    });
    if (!schedule.ok()) return done(400, schedule.error());
    Result<std::vector<MaintenanceWindow>> windows = parse_schedule(*schedule);
    if (!windows.ok()) return done(400, "update_maintenance_schedule." + windows.error());
    return change_maintenance(maintenance_.with_schedule(std::move(*windows)), done);
  }
  if (t == "START_MAINTENANCE" || t == "STOP_MAINTENANCE") {
    const std::string name = ascii_lower(t);
    auto list = mesos::parse_fields([&] {
      Fields payload = Fields(body, "").required_object(name);
      const auto& items = payload.array("machines");
      return nlohmann::json(items);
    });
    if (!list.ok()) return done(400, list.error());
    Result<std::vector<MachineId>> machines = parse_machines(*list, name + ".machines");
    if (!machines.ok()) return done(400, machines.error());
    return change_maintenance(t == "START_MAINTENANCE" ? maintenance_.with_down(*machines)
                                                       : maintenance_.with_up(*machines),
                              done);
  }
  if (t == "UPDATE_WEIGHTS") {
    auto parsed = mesos::parse_fields([&] {
      Fields payload = Fields(body, "").required_object("update_weights");
      std::map<std::string, double> weights;
      const auto& infos = payload.array("weight_infos");
      for (size_t i = 0; i < infos.size(); ++i) {
        Fields info(infos[i], fmt::format("update_weights.weight_infos[{}]", i));
        std::string role = info.required_string("role");
        Status valid = validate_role_name(role);
        if (!valid.ok()) info.fail("role", valid.error());
        double weight = info.number("weight", 1.0);
        if (!(weight > 0) || std::isinf(weight)) info.fail("weight", "must be a positive number");
        weights[role] = weight;
      }
      return weights;
    });
    if (!parsed.ok()) return done(400, parsed.error());
    return update_weights(*parsed, [done](Status st) mutable {
      st.ok() ? done(200, "") : done(503, st.error());
    });
  }
  if (t == "SET_QUOTA" || t == "REMOVE_QUOTA" || t == "UPDATE_QUOTA") {
    auto parsed = mesos::parse_fields([&] {
      Fields call(body, "");
      std::vector<std::pair<std::string, Resources>> changes;
      if (t == "SET_QUOTA") {
        Fields request_fields = call.required_object("set_quota").required_object("quota_request");
        std::string role = request_fields.required_string("role");
        const nlohmann::json* guarantee = request_fields.get("guarantee");
        if (guarantee == nullptr) request_fields.fail("guarantee", "required resources are missing");
        Result<Resources> resources = Resources::from_json(*guarantee);
        if (!resources.ok()) request_fields.fail("guarantee", resources.error());
        changes.emplace_back(role, *resources);
      } else if (t == "REMOVE_QUOTA") {
        changes.emplace_back(call.required_object("remove_quota").required_string("role"), Resources());
      } else {
        Fields payload = call.required_object("update_quota");
        const auto& configs = payload.array("quota_configs");
        for (size_t i = 0; i < configs.size(); ++i) {
          Fields config(configs[i], fmt::format("update_quota.quota_configs[{}]", i));
          changes.emplace_back(config.required_string("role"), read_guarantees(config));
        }
      }
      for (const auto& [role, guarantee] : changes) {
        Status valid = validate_role_name(role);
        if (!valid.ok() || role == "*") {
          throw mesos::FieldError("role '" + role + "': " + (valid.ok() ? "quota cannot be set on '*'" : valid.error()));
        }
        for (const Resource& r : guarantee) {
          if (r.type() != ValueType::kScalar || r.is_reserved()) {
            throw mesos::FieldError("quota of role '" + role + "': only unreserved scalar resources (" +
                                    r.to_string() + " is not)");
          }
        }
      }
      return changes;
    });
    if (!parsed.ok()) return done(400, parsed.error());
    auto remaining = std::make_shared<size_t>(parsed->size());
    auto failed = std::make_shared<std::string>();
    if (parsed->empty()) return done(200, "");
    for (const auto& [role, guarantee] : *parsed) {
      update_quota(role, guarantee, [remaining, failed, done](Status st) mutable {
        if (!st.ok()) *failed = st.error();
        if (--*remaining == 0) failed->empty() ? done(200, "") : done(503, *failed);
      });
    }
    return;
  }
}

void Master::update_weights(std::map<std::string, double> weights, std::function<void(Status)> done) {
  registry_->apply(
      [weights](RegistryState& state) {
        for (const auto& [role, weight] : weights) state.weights[role] = weight;
      },
      [this, weights, done = std::move(done)](Status written) {
        if (written.ok()) {
          for (const auto& [role, weight] : weights) weights_[role] = weight;
          allocator_->update_weights(weights_);
          schedule_allocation();
        }
        done(written);
      });
}

void Master::update_quota(const std::string& role, Resources guarantee, std::function<void(Status)> done) {
  nlohmann::json json = guarantee.to_json();
  registry_->apply(
      [role, json, remove = guarantee.empty()](RegistryState& state) {
        if (remove) {
          state.quotas.erase(role);
        } else {
          state.quotas[role] = json;
        }
      },
      [this, role, guarantee, done = std::move(done)](Status written) {
        if (written.ok()) {
          if (guarantee.empty()) {
            quotas_.erase(role);
          } else {
            quotas_[role] = guarantee;
          }
          allocator_->update_quota(role, guarantee);
          schedule_allocation();
        }
        done(written);
      });
}

void Master::reserve_resources(const std::string& agent_id, const Resources& resources, bool reserve,
                               std::function<void(int, std::string)> done) {
  Agent* agent = find_agent(agent_id);
  if (agent == nullptr) return done(400, "Agent " + agent_id + " is not registered");
  Resources plain;
  for (Resource r : resources) {
    if (!r.is_dynamically_reserved()) {
      return done(400, "Only dynamic reservations can be made or removed: " + r.to_string());
    }
    r.reservation.reset();
    plain += r;
  }
  Resources from = reserve ? plain : resources;
  Resources to = reserve ? resources : plain;
  // Outstanding offers of the agent go back so their resources can be used.
  std::set<std::string> offers = agent->offers;
  for (const std::string& offer : offers) rescind_offer(offer, true, std::nullopt);
  if (!allocator_->available(agent_id).contains(from)) {
    return done(409, fmt::format("Agent {} has no {} available to {} (available: {})", agent_id,
                                 from.to_string(), reserve ? "reserve" : "unreserve",
                                 allocator_->available(agent_id).to_string()));
  }
  agent->total -= from;
  agent->total += to;
  allocator_->update_agent_total(agent_id, agent->total);
  send_to_agent(*agent, {{"type", "APPLY_OPERATION"},
                         {"apply_operation",
                          {{"type", reserve ? "RESERVE" : "UNRESERVE"},
                           {"resources", resources.to_json(ResourceFormat::kPostRefinement)}}}});
  schedule_allocation();
  done(202, "");
}

void Master::operator_heartbeat() {
  broadcast_operator_event({{"type", "HEARTBEAT"}});
  if (operator_streams_.empty()) return;
  operator_heartbeat_ = loop_.after(options_.flags.heartbeat_interval, [this] { operator_heartbeat(); });
}

void Master::broadcast_operator_event(const nlohmann::json& event) {
  for (auto it = operator_streams_.begin(); it != operator_streams_.end();) {
    if (!it->second->send(event)) {
      it = operator_streams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace cairn::master
