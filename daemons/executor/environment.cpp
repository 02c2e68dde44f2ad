#include "daemons/executor/environment.hpp"

#include <vector>

namespace cairn::executor {

namespace {

std::optional<std::string> lookup(const flags::Environment& env, std::string_view name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

std::string ExecutorEnvironment::api_url() const {
  return "http://" + agent_endpoint + "/api/v1/executor";
}

Result<ExecutorEnvironment> ExecutorEnvironment::from(const flags::Environment& env) {
  ExecutorEnvironment out;
  std::vector<std::string> missing;
  std::vector<std::string> invalid;

  auto required = [&](std::string_view name, std::string& into) {
    if (auto value = lookup(env, name)) {
      into = *value;
    } else {
      missing.emplace_back(name);
    }
  };
  required("MESOS_AGENT_ENDPOINT", out.agent_endpoint);
  required("MESOS_FRAMEWORK_ID", out.framework_id);
  required("MESOS_EXECUTOR_ID", out.executor_id);
  if (auto sandbox = lookup(env, "MESOS_SANDBOX")) {
    out.sandbox = *sandbox;
  } else if (auto directory = lookup(env, "MESOS_DIRECTORY")) {
    out.sandbox = *directory;
  } else {
    missing.emplace_back("MESOS_SANDBOX (or MESOS_DIRECTORY)");
  }

  if (!out.agent_endpoint.empty()) {
    size_t colon = out.agent_endpoint.rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < out.agent_endpoint.size();
    for (size_t i = ok ? colon + 1 : 0; ok && i < out.agent_endpoint.size(); ++i) {
      ok = out.agent_endpoint[i] >= '0' && out.agent_endpoint[i] <= '9';
    }
    if (!ok || out.agent_endpoint.find('/') != std::string::npos) {
      invalid.push_back("MESOS_AGENT_ENDPOINT='" + out.agent_endpoint + "' (expected ip:port)");
    }
  }

  out.agent_id = lookup(env, "MESOS_AGENT_ID");
  if (!out.agent_id) out.agent_id = lookup(env, "MESOS_SLAVE_ID");

  if (auto checkpoint = lookup(env, "MESOS_CHECKPOINT")) {
    if (*checkpoint == "1" || *checkpoint == "true") {
      out.checkpoint = true;
    } else if (*checkpoint == "0" || *checkpoint == "false") {
      out.checkpoint = false;
    } else {
      invalid.push_back("MESOS_CHECKPOINT='" + *checkpoint + "' (expected 1 or 0)");
    }
  }

  auto duration = [&](std::string_view name, Duration& into) {
    auto value = lookup(env, name);
    if (!value) return;
    Result<Duration> parsed = Duration::parse(*value);
    if (parsed.ok()) {
      into = *parsed;
    } else {
      invalid.push_back(std::string(name) + ": " + parsed.error());
    }
  };
  duration("MESOS_RECOVERY_TIMEOUT", out.recovery_timeout);
  duration("MESOS_SUBSCRIPTION_BACKOFF_MAX", out.subscription_backoff_max);
  duration("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", out.shutdown_grace_period);

  if (missing.empty() && invalid.empty()) return out;
  std::string message;
  if (!missing.empty()) {
    message = "missing environment variable" + std::string(missing.size() > 1 ? "s " : " ");
    for (size_t i = 0; i < missing.size(); ++i)
      message += (i ? ", " : "") + missing[i];
    message += " (cairn-executor is meant to be started by an agent)";
  }
  for (const std::string& problem : invalid) {
    message += (message.empty() ? "invalid " : "; invalid ") + problem;
  }
  return Error(message);
}

}  // namespace cairn::executor
