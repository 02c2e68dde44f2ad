#include "lib/docker/docker_client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "lib/docker/api_path.hpp"
#include "lib/docker/engine_http.hpp"
#include "lib/docker/json_read.hpp"
#include "lib/docker/log_demuxer.hpp"
#include "lib/logging/log.hpp"

namespace cairn::docker {
namespace {

using detail::EngineRequest;
using detail::EngineResponse;
using detail::Json;

bool success(long status) {
  return status >= 200 && status < 300;
}

Error engine_error(const std::string& operation, const EngineResponse& response) {
  return Error(operation + ": " + detail::engine_message(response) + " (HTTP " +
               std::to_string(response.status) + ")");
}

// The exchange, with transport errors prefixed by the operation.
Result<EngineResponse> exchange(const DockerClientOptions& options, const EngineRequest& request,
                                const std::string& operation) {
  auto response = detail::perform(options.socket_path, options.connect_timeout, request);
  if (!response.ok()) return Error(operation + ": " + response.error());
  return response;
}

EngineRequest make_request(std::string method, std::string target, Duration timeout) {
  EngineRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.timeout = timeout;
  return request;
}

// The outcome of an exchange whose successful answer carries nothing we need.
Status expect_success(Result<EngineResponse> response, const std::string& operation,
                      std::initializer_list<long> also_ok = {}) {
  if (!response.ok()) return Error(response.error());
  if (success(response->status)) return ok_status();
  for (long status : also_ok) {
    if (response->status == status) return ok_status();
  }
  return engine_error(operation, *response);
}

// Splits "repo[:tag]" or "repo@digest" into the fromImage and tag query
// values; no tag means "latest" (an empty tag would pull every tag).
std::pair<std::string, std::string> split_reference(const std::string& reference) {
  if (reference.find('@') != std::string::npos) return {reference, ""};
  auto colon = reference.rfind(':');
  auto slash = reference.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return {reference.substr(0, colon), reference.substr(colon + 1)};
  }
  return {reference, "latest"};
}

// The JSON messages of a progress stream (pull, import); the first error in
// it, or the last "status" text.
Result<std::string> read_progress(const std::string& body) {
  std::string last_status;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty()) continue;
    auto message = Json::parse(line, nullptr, false);
    if (!message.is_object()) continue;
    std::string error = detail::string_field(message, "error");
    if (error.empty()) {
      if (const Json* detail_object = detail::object_field(message, "errorDetail")) {
        error = detail::string_field(*detail_object, "message");
      }
    }
    if (!error.empty()) return Error(error);
    std::string status = detail::string_field(message, "status");
    if (!status.empty()) last_status = status;
  }
  return last_status;
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("cannot write " + path + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

class AppendFile {
 public:
  explicit AppendFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) error_ = std::strerror(errno);
  }
  ~AppendFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  Status opened() const {
    if (fd_ >= 0) return ok_status();
    return Error("cannot open " + path_ + ": " + error_);
  }
  Status write(std::string_view data) const { return write_all(fd_, data, path_); }

 private:
  std::string path_;
  std::string error_;
  int fd_ = -1;
};

std::string unix_time_text(std::chrono::system_clock::time_point point) {
  auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(point.time_since_epoch()).count();
  char text[48];
  std::snprintf(text, sizeof(text), "%lld.%09lld", static_cast<long long>(nanos / 1'000'000'000),
                static_cast<long long>(nanos % 1'000'000'000));
  return text;
}

}  // namespace

DockerClient::DockerClient(std::string socket_path)
    : DockerClient(DockerClientOptions{.socket_path = std::move(socket_path)}) {}

DockerClient::DockerClient(DockerClientOptions options) : options_(std::move(options)) {}

Result<VersionInfo> DockerClient::version() const {
  const std::string operation = "docker version";
  auto response =
      exchange(options_, make_request("GET", "/version", options_.request_timeout), operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto info = parse_version_info(response->body);
  if (!info.ok()) return Error(operation + ": " + info.error());
  return info;
}

Result<std::string> DockerClient::create_container(const ContainerSpec& spec) const {
  const std::string operation = "docker create " + (spec.name.empty() ? spec.image : spec.name);
  if (Status valid = validate(spec); !valid.ok()) return Error(operation + ": " + valid.error());
  std::vector<std::pair<std::string, std::string>> query;
  if (!spec.name.empty()) query.emplace_back("name", spec.name);
  auto request = make_request("POST", detail::api_target("/containers/create", query),
                              options_.request_timeout);
  request.body = create_container_body(spec);
  auto response = exchange(options_, request, operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto json = detail::parse_json_object(response->body, "the engine's answer to create");
  if (!json.ok()) return Error(operation + ": " + json.error());
  std::string id = detail::string_field(*json, "Id");
  if (id.empty()) return Error(operation + ": the engine's answer has no Id");
  for (const auto& warning : detail::string_list_field(*json, "Warnings")) {
    log::warning("{}: the Docker engine warns: {}", operation, warning);
  }
  return id;
}

Status DockerClient::start(const std::string& id) const {
  const std::string operation = "docker start " + id;
  auto request = make_request("POST", detail::api_target(detail::container_path(id, "/start")),
                              options_.request_timeout);
  return expect_success(exchange(options_, request, operation), operation, {304});
}

Status DockerClient::stop(const std::string& id, Duration grace) const {
  const std::string operation = "docker stop " + id;
  int64_t seconds = grace.ns() <= 0 ? 0 : (grace.ns() + 999'999'999) / 1'000'000'000;
  auto request = make_request(
      "POST",
      detail::api_target(detail::container_path(id, "/stop"), {{"t", std::to_string(seconds)}}),
      options_.request_timeout + Duration::seconds(seconds));
  return expect_success(exchange(options_, request, operation), operation, {304});
}

Status DockerClient::kill(const std::string& id, int signal) const {
  const std::string operation = "docker kill " + id;
  auto request = make_request(
      "POST",
      detail::api_target(detail::container_path(id, "/kill"), {{"signal", std::to_string(signal)}}),
      options_.request_timeout);
  return expect_success(exchange(options_, request, operation), operation);
}

Status DockerClient::remove(const std::string& id, bool force) const {
  const std::string operation = "docker rm " + id;
  auto request = make_request(
      "DELETE",
      detail::api_target(detail::container_path(id), {{"force", force ? "1" : "0"}, {"v", "1"}}),
      options_.request_timeout);
  return expect_success(exchange(options_, request, operation), operation, {404});
}

Result<ContainerState> DockerClient::inspect(const std::string& id) const {
  const std::string operation = "docker inspect " + id;
  auto response =
      exchange(options_,
               make_request("GET", detail::api_target(detail::container_path(id, "/json")),
                            options_.request_timeout),
               operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto state = parse_container_state(response->body);
  if (!state.ok()) return Error(operation + ": " + state.error());
  return state;
}

Result<bool> DockerClient::exists(const std::string& id) const {
  const std::string operation = "docker inspect " + id;
  auto response =
      exchange(options_,
               make_request("GET", detail::api_target(detail::container_path(id, "/json")),
                            options_.request_timeout),
               operation);
  if (!response.ok()) return Error(response.error());
  if (response->status == 404) return false;
  if (!success(response->status)) return engine_error(operation, *response);
  return true;
}

Result<int> DockerClient::wait(const std::string& id, std::function<bool()> keep_going) const {
  const std::string operation = "docker wait " + id;
  auto request = make_request(
      "POST",
      detail::api_target(detail::container_path(id, "/wait"), {{"condition", "not-running"}}),
      Duration());
  request.keep_going = std::move(keep_going);
  auto response = exchange(options_, request, operation);
  if (!response.ok()) return Error(response.error());
  if (response->stopped) return Error(operation + ": abandoned before the container stopped");
  if (!success(response->status)) return engine_error(operation, *response);
  auto json = detail::parse_json_object(response->body, "the engine's answer to wait");
  if (!json.ok()) return Error(operation + ": " + json.error());
  if (const Json* error = detail::object_field(*json, "Error")) {
    std::string message = detail::string_field(*error, "Message");
    if (!message.empty()) return Error(operation + ": " + message);
  }
  if (!json->contains("StatusCode")) return Error(operation + ": the answer has no StatusCode");
  return static_cast<int>(detail::int_field(*json, "StatusCode"));
}

Result<std::vector<ContainerSummary>> DockerClient::list(const ContainerFilter& filter) const {
  const std::string operation = "docker ps";
  std::vector<std::pair<std::string, std::string>> query;
  if (filter.include_stopped) query.emplace_back("all", "1");
  std::string filters = list_filters_json(filter);
  if (!filters.empty()) query.emplace_back("filters", filters);
  auto response = exchange(
      options_,
      make_request("GET", detail::api_target("/containers/json", query), options_.request_timeout),
      operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto list = parse_container_list(response->body);
  if (!list.ok()) return Error(operation + ": " + list.error());
  return list;
}

Result<ContainerStats> DockerClient::stats(const std::string& id) const {
  const std::string operation = "docker stats " + id;
  auto response =
      exchange(options_,
               make_request("GET",
                            detail::api_target(detail::container_path(id, "/stats"),
                                               {{"stream", "false"}, {"one-shot", "true"}}),
                            options_.request_timeout),
               operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto stats = parse_container_stats(response->body);
  if (!stats.ok()) return Error(operation + ": " + stats.error());
  return stats;
}

Status DockerClient::follow_logs(const std::string& id, const std::string& stdout_path,
                                 const std::string& stderr_path, std::function<bool()> keep_going,
                                 std::optional<std::chrono::system_clock::time_point> since) const {
  const std::string operation = "docker logs " + id;
  AppendFile out(stdout_path);
  AppendFile err(stderr_path);
  if (Status s = out.opened(); !s.ok()) return Error(operation + ": " + s.error());
  if (Status s = err.opened(); !s.ok()) return Error(operation + ": " + s.error());

  LogDemuxer demuxer([&](LogStream stream, std::string_view data) {
    return stream == LogStream::kStderr ? err.write(data) : out.write(data);
  });
  std::optional<Status> failure;

  std::vector<std::pair<std::string, std::string>> query = {
      {"follow", "1"}, {"stdout", "1"}, {"stderr", "1"}};
  if (since) query.emplace_back("since", unix_time_text(*since));
  auto request = make_request("GET", detail::api_target(detail::container_path(id, "/logs"), query),
                              Duration());
  request.keep_going = std::move(keep_going);
  request.on_data = [&](std::string_view bytes) {
    Status fed = demuxer.feed(bytes);
    if (fed.ok()) return true;
    failure = std::move(fed);
    return false;
  };
  auto response = exchange(options_, request, operation);
  if (failure) return Error(operation + ": " + failure->error());
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  if (!response->stopped && demuxer.mid_frame()) {
    log::warning("{}: the log stream ended inside a frame", operation);
  }
  return ok_status();
}

Result<ImageInfo> DockerClient::inspect_image(const std::string& reference) const {
  const std::string operation = "docker image inspect " + reference;
  auto response =
      exchange(options_,
               make_request("GET", detail::api_target(detail::image_path(reference, "/json")),
                            options_.request_timeout),
               operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto info = parse_image_info(response->body);
  if (!info.ok()) return Error(operation + ": " + info.error());
  return info;
}

Result<bool> DockerClient::image_exists(const std::string& reference) const {
  const std::string operation = "docker image inspect " + reference;
  auto response =
      exchange(options_,
               make_request("GET", detail::api_target(detail::image_path(reference, "/json")),
                            options_.request_timeout),
               operation);
  if (!response.ok()) return Error(response.error());
  if (response->status == 404) return false;
  if (!success(response->status)) return engine_error(operation, *response);
  return true;
}

Status DockerClient::pull_image(const std::string& reference, Duration timeout,
                                const std::string& registry_auth) const {
  const std::string operation = "docker pull " + reference;
  auto [name, tag] = split_reference(reference);
  std::vector<std::pair<std::string, std::string>> query = {{"fromImage", name}};
  if (!tag.empty()) query.emplace_back("tag", tag);
  auto request = make_request("POST", detail::api_target("/images/create", query), timeout);
  if (!registry_auth.empty()) request.headers.push_back("X-Registry-Auth: " + registry_auth);
  auto response = exchange(options_, request, operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto progress = read_progress(response->body);
  if (!progress.ok()) return Error(operation + ": " + progress.error());
  return ok_status();
}

Result<std::string> DockerClient::import_image(const std::string& tarball_path,
                                               const std::string& reference,
                                               Duration timeout) const {
  const std::string operation = "docker import " + tarball_path + " " + reference;
  auto [name, tag] = split_reference(reference);
  std::vector<std::pair<std::string, std::string>> query = {
      {"fromSrc", "-"}, {"repo", name}, {"tag", tag.empty() ? "latest" : tag}};
  auto request = make_request("POST", detail::api_target("/images/create", query), timeout);
  request.upload_path = tarball_path;
  request.content_type = "application/x-tar";
  auto response = exchange(options_, request, operation);
  if (!response.ok()) return Error(response.error());
  if (!success(response->status)) return engine_error(operation, *response);
  auto progress = read_progress(response->body);
  if (!progress.ok()) return Error(operation + ": " + progress.error());
  if (progress->rfind("sha256:", 0) != 0) {
    return Error(operation + ": the engine's answer has no image id");
  }
  return *progress;
}

}  // namespace cairn::docker
