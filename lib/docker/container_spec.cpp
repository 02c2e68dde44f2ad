#include "lib/docker/container_spec.hpp"

#include <nlohmann/json.hpp>

namespace cairn::docker {
namespace {

using Json = nlohmann::json;

bool is_absolute(const std::string& path) {
  return !path.empty() && path[0] == '/';
}

bool valid_name(const std::string& name) {
  // The engine's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.size() < 2 || !alnum(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool publishes_ports(const std::string& network_mode) {
  return network_mode != "host" && network_mode != "none" &&
         network_mode.rfind("container:", 0) != 0;
}

std::string port_key(const PortMapping& port) {
  return std::to_string(port.container_port) + "/" + port.protocol;
}

int64_t whole_microseconds(Duration d) {
  return d.ns() / 1000;
}

}  // namespace

std::string mesos_container_name(std::string_view container_id) {
  return std::string(kContainerNamePrefix) + std::string(container_id);
}

void ContainerSpec::set_shell_command(std::string script) {
  entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  command = {std::move(script)};
}

Status validate(const ContainerSpec& spec) {
  std::vector<std::string> problems;
  if (spec.image.empty()) problems.push_back("the image is empty");
  if (!spec.name.empty() && !valid_name(spec.name)) {
    problems.push_back("container name '" + spec.name +
                       "' is not valid: use letters, digits, '_', '.' and '-', starting with a "
                       "letter or digit");
  }
  for (const auto& [key, value] : spec.environment) {
    if (key.empty() || key.find('=') != std::string::npos) {
      problems.push_back("environment variable name '" + key + "' is empty or contains '='");
    }
  }
  if (!spec.sandbox_dir.empty() && !is_absolute(spec.sandbox_dir)) {
    problems.push_back("sandbox directory '" + spec.sandbox_dir + "' is not an absolute path");
  }
  for (const auto& mount : spec.mounts) {
    if (!is_absolute(mount.host_path) || !is_absolute(mount.container_path)) {
      problems.push_back("bind mount '" + mount.host_path + "' -> '" + mount.container_path +
                         "' needs absolute paths on both sides");
    }
  }
  for (const auto& port : spec.ports) {
    if (port.container_port == 0) problems.push_back("a port mapping has container port 0");
    if (port.protocol != "tcp" && port.protocol != "udp" && port.protocol != "sctp") {
      problems.push_back("port mapping " + std::to_string(port.container_port) + " has protocol '" +
                         port.protocol + "'; valid: tcp, udp, sctp");
    }
  }
  if (!spec.ports.empty() && !publishes_ports(spec.network_mode)) {
    problems.push_back("port mappings need bridge or a user-defined network, not network mode '" +
                       spec.network_mode + "'");
  }
  if (spec.cpu_period &&
      (*spec.cpu_period < Duration::milliseconds(1) || *spec.cpu_period > Duration::seconds(1))) {
    problems.push_back("cpu period " + spec.cpu_period->to_string() +
                       " is outside 1ms..1secs, which the kernel accepts");
  }
  if (spec.cpu_quota && *spec.cpu_quota < Duration::milliseconds(1)) {
    problems.push_back("cpu quota " + spec.cpu_quota->to_string() +
                       " is below the kernel's minimum of 1ms");
  }
  if (spec.memory_limit && spec.memory_limit->bytes() < 6 * Bytes::MB) {
    problems.push_back("memory limit " + spec.memory_limit->to_string() +
                       " is below Docker's minimum of 6MB");
  }
  if (problems.empty()) return ok_status();
  std::string message;
  for (const auto& problem : problems) {
    if (!message.empty()) message += "\n";
    message += problem;
  }
  return Error(message);
}

std::string create_container_body(const ContainerSpec& spec) {
  Json body = Json::object();
  body["Image"] = spec.image;
  if (!spec.command.empty()) body["Cmd"] = spec.command;
  if (spec.entrypoint) body["Entrypoint"] = *spec.entrypoint;
  if (!spec.environment.empty()) {
    Json env = Json::array();
    for (const auto& [key, value] : spec.environment)
      env.push_back(key + "=" + value);
    body["Env"] = std::move(env);
  }
  if (!spec.labels.empty()) body["Labels"] = spec.labels;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.hostname.empty()) body["Hostname"] = spec.hostname;
  body["AttachStdin"] = false;
  body["AttachStdout"] = false;
  body["AttachStderr"] = false;
  body["OpenStdin"] = false;
  body["Tty"] = false;  // follow_logs() reads the multiplexed stream

  Json host = Json::object();
  Json mounts = Json::array();
  if (!spec.sandbox_dir.empty()) {
    mounts.push_back({{"Type", "bind"},
                      {"Source", spec.sandbox_dir},
                      {"Target", std::string(kSandboxMountPoint)},
                      {"ReadOnly", false}});
  }
  for (const auto& mount : spec.mounts) {
    mounts.push_back({{"Type", "bind"},
                      {"Source", mount.host_path},
                      {"Target", mount.container_path},
                      {"ReadOnly", mount.read_only}});
  }
  if (!mounts.empty()) host["Mounts"] = std::move(mounts);
  if (!spec.network_mode.empty()) host["NetworkMode"] = spec.network_mode;
  if (!spec.ports.empty()) {
    Json exposed = Json::object();
    Json bindings = Json::object();
    for (const auto& port : spec.ports) {
      std::string key = port_key(port);
      exposed[key] = Json::object();
      Json binding = {{"HostIp", port.host_ip},
                      {"HostPort", port.host_port == 0 ? "" : std::to_string(port.host_port)}};
      if (!bindings.contains(key)) bindings[key] = Json::array();
      bindings[key].push_back(std::move(binding));
    }
    body["ExposedPorts"] = std::move(exposed);
    host["PortBindings"] = std::move(bindings);
  }
  if (spec.memory_limit) {
    host["Memory"] = spec.memory_limit->bytes();
    host["MemorySwap"] = spec.memory_limit->bytes();
  }
  if (spec.cpu_shares) host["CpuShares"] = *spec.cpu_shares;
  if (spec.cpu_period) host["CpuPeriod"] = whole_microseconds(*spec.cpu_period);
  if (spec.cpu_quota) host["CpuQuota"] = whole_microseconds(*spec.cpu_quota);
  host["Privileged"] = spec.privileged;
  if (!spec.log_driver.empty()) {
    host["LogConfig"] = {{"Type", spec.log_driver}, {"Config", spec.log_options}};
  }
  body["HostConfig"] = std::move(host);
  return body.dump();
}

}  // namespace cairn::docker
