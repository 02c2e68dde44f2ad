#include "lib/docker/container_state.hpp"

#include <charconv>
#include <ctime>

#include "lib/docker/json_read.hpp"

namespace cairn::docker {
namespace {

using detail::Json;

bool read_int(std::string_view text, size_t pos, size_t digits, int& out) {
  if (pos + digits > text.size()) return false;
  auto first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, first + digits, out);
  return ec == std::errc() && end == first + digits;
}

std::string strip_slash(std::string name) {
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name;
}

std::vector<PublishedPort> read_ports(const Json& settings) {
  std::vector<PublishedPort> ports;
  const Json* map = detail::object_field(settings, "Ports");
  if (!map) return ports;
  for (const auto& [key, bindings] : map->items()) {
    PublishedPort base;
    auto slash = key.find('/');
    unsigned port = 0;
    std::from_chars(key.data(), key.data() + (slash == std::string::npos ? key.size() : slash),
                    port);
    base.container_port = static_cast<uint16_t>(port);
    base.protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
    if (!bindings.is_array()) continue;  // exposed but not published
    for (const auto& binding : bindings) {
      PublishedPort published = base;
      published.host_ip = detail::string_field(binding, "HostIp");
      std::string host_port = detail::string_field(binding, "HostPort");
      unsigned value = 0;
      std::from_chars(host_port.data(), host_port.data() + host_port.size(), value);
      published.host_port = static_cast<uint16_t>(value);
      ports.push_back(std::move(published));
    }
  }
  return ports;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_engine_time(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' ||
      !read_int(text, 0, 4, year) || !read_int(text, 5, 2, month) || !read_int(text, 8, 2, day) ||
      !read_int(text, 11, 2, hour) || !read_int(text, 14, 2, minute) ||
      !read_int(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (year <= 1) return std::nullopt;  // the engine's "never"
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!read_int(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_int(text, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t seconds = timegm(&tm);
  auto point = std::chrono::system_clock::from_time_t(seconds - offset_seconds);
  return point + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                     std::chrono::nanoseconds(nanos));
}

Result<ContainerState> parse_container_state(std::string_view text) {
  auto parsed = detail::parse_json_object(text, "the engine's container description");
  if (!parsed.ok()) return Error(parsed.error());
  const Json& json = *parsed;
  ContainerState state;
  state.id = detail::string_field(json, "Id");
  state.name = strip_slash(detail::string_field(json, "Name"));
  state.image_id = detail::string_field(json, "Image");
  if (const Json* config = detail::object_field(json, "Config")) {
    state.image = detail::string_field(*config, "Image");
    state.labels = detail::string_map_field(*config, "Labels");
  }
  if (const Json* s = detail::object_field(json, "State")) {
    state.status = detail::string_field(*s, "Status");
    state.running = detail::bool_field(*s, "Running");
    state.paused = detail::bool_field(*s, "Paused");
    state.restarting = detail::bool_field(*s, "Restarting");
    state.oom_killed = detail::bool_field(*s, "OOMKilled");
    state.dead = detail::bool_field(*s, "Dead");
    state.pid = static_cast<int>(detail::int_field(*s, "Pid"));
    state.exit_code = static_cast<int>(detail::int_field(*s, "ExitCode"));
    state.error = detail::string_field(*s, "Error");
    state.started_at = parse_engine_time(detail::string_field(*s, "StartedAt"));
    state.finished_at = parse_engine_time(detail::string_field(*s, "FinishedAt"));
  }
  if (const Json* host = detail::object_field(json, "HostConfig")) {
    state.network_mode = detail::string_field(*host, "NetworkMode");
  }
  if (const Json* net = detail::object_field(json, "NetworkSettings")) {
    state.ip_address = detail::string_field(*net, "IPAddress");
    if (state.ip_address.empty()) {
      if (const Json* networks = detail::object_field(*net, "Networks")) {
        for (const auto& [name, network] : networks->items()) {
          state.ip_address = detail::string_field(network, "IPAddress");
          if (!state.ip_address.empty()) break;
        }
      }
    }
    state.ports = read_ports(*net);
  }
  if (state.id.empty()) return Error("the engine's container description has no Id");
  return state;
}

}  // namespace cairn::docker
