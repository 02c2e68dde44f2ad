// DockerClient: the agent's client of the Docker Engine API (v1.41, Docker
// 20.10) over the engine's unix socket.
//
// Every call is blocking and independent (its own connection), so the agent
// runs them on its WorkerPool, several at a time if it likes; the client
// holds no mutable state. Calls are bounded by the request timeout except
// wait() and follow_logs(), which last as long as the container runs and
// can be abandoned through their keep_going() poll (polled about once a
// second), stop(), which also waits out the grace period, and the image
// transfers, which take their own timeout. Failures are errors that name the
// operation and carry the engine's own message and HTTP status ("docker
// start mesos-1: No such container: mesos-1 (HTTP 404)"); an engine that
// cannot be reached gives "cannot reach the Docker engine at <socket>:
// <reason> (is dockerd running?)".
#pragma once

#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/docker/container_list.hpp"
#include "lib/docker/container_spec.hpp"
#include "lib/docker/container_state.hpp"
#include "lib/docker/container_stats.hpp"
#include "lib/docker/image_info.hpp"
#include "lib/docker/version_info.hpp"
#include "lib/units/duration.hpp"

namespace cairn::docker {

inline constexpr char kDefaultSocketPath[] = "/var/run/docker.sock";

struct DockerClientOptions {
  std::string socket_path = kDefaultSocketPath;
  Duration connect_timeout = Duration::seconds(5);
  // Every call except wait(), follow_logs() and pull_image(); stop() adds
  // its grace period.
  Duration request_timeout = Duration::seconds(60);
};

class DockerClient {
 public:
  explicit DockerClient(std::string socket_path = kDefaultSocketPath);
  explicit DockerClient(DockerClientOptions options);

  const DockerClientOptions& options() const { return options_; }

  // GET /version (unversioned, so that an old engine still answers; see
  // check_engine()).
  Result<VersionInfo> version() const;

  // POST /containers/create; returns the new container's id. Validates the
  // spec first; the engine's warnings (such as a kernel without swap
  // accounting) are logged.
  Result<std::string> create_container(const ContainerSpec& spec) const;
  // Ok when it already runs.
  Status start(const std::string& id) const;
  // SIGTERM (or the image's stop signal), then SIGKILL after `grace` (whole
  // seconds, rounded up). Ok when it was not running.
  Status stop(const std::string& id, Duration grace) const;
  Status kill(const std::string& id, int signal = SIGKILL) const;
  // Removes the container and its anonymous volumes; `force` kills it first
  // if it runs. Ok when there is no such container.
  Status remove(const std::string& id, bool force = false) const;

  Result<ContainerState> inspect(const std::string& id) const;
  // False (not an error) when the engine has no such container.
  Result<bool> exists(const std::string& id) const;

  // Blocks until the container is not running and returns its exit code
  // (at once for one that already exited). Start the container first: one
  // that was only created counts as not running. An error when
  // keep_going() returned false.
  Result<int> wait(const std::string& id, std::function<bool()> keep_going = {}) const;

  Result<std::vector<ContainerSummary>> list(const ContainerFilter& filter = {}) const;

  // One sample, taken at once (stream=false, one-shot=true).
  Result<ContainerStats> stats(const std::string& id) const;

  // Streams the container's stdout and stderr (from its start, or from
  // `since`) and appends them to the two files, creating them if needed,
  // until the container stops or keep_going() returns false (ok in both
  // cases). The container must have no TTY (ContainerSpec never asks for one).
  Status follow_logs(const std::string& id, const std::string& stdout_path,
                     const std::string& stderr_path, std::function<bool()> keep_going = {},
                     std::optional<std::chrono::system_clock::time_point> since = {}) const;

  Result<ImageInfo> inspect_image(const std::string& reference) const;
  // False (not an error) when the image is not present locally.
  Result<bool> image_exists(const std::string& reference) const;
  // POST /images/create?fromImage=...; a reference without a tag or digest
  // means ":latest". `registry_auth` is the X-Registry-Auth value (base64 of
  // the JSON credentials), empty for anonymous pulls. Errors the engine
  // reports in its progress stream are errors here.
  Status pull_image(const std::string& reference, Duration timeout,
                    const std::string& registry_auth = {}) const;
  // POST /images/create?fromSrc=-: a root file system tarball becomes the
  // image `reference` ("repo[:tag]"); returns the image id.
  Result<std::string> import_image(const std::string& tarball_path, const std::string& reference,
                                   Duration timeout) const;

 private:
  DockerClientOptions options_;
};

}  // namespace cairn::docker
