#include "daemons/executor/health_checker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "lib/http/client.hpp"
#include "lib/logging/log.hpp"

namespace cairn::executor {

namespace {

// Seconds from a HealthCheck field; `fallback` when absent.
Duration seconds_field(const nlohmann::json& json, const char* key, Duration fallback) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return fallback;
  if (!it->is_number())
    throw std::invalid_argument(std::string(key) + ": expected a number of seconds");
  double value = it->get<double>();
  if (!(value >= 0)) throw std::invalid_argument(std::string(key) + ": must not be negative");
  return Duration::from_seconds(value);
}

uint16_t port_field(const nlohmann::json& json, const std::string& where) {
  auto it = json.find("port");
  if (it == json.end() || !it->is_number_integer()) {
    throw std::invalid_argument(where + ".port: required port number is missing");
  }
  int64_t port = it->get<int64_t>();
  if (port < 1 || port > 65535) throw std::invalid_argument(where + ".port: not a port number");
  return static_cast<uint16_t>(port);
}

}  // namespace

std::string_view to_string(HealthCheckSpec::Type type) {
  switch (type) {
    case HealthCheckSpec::Type::kCommand:
      return "COMMAND";
    case HealthCheckSpec::Type::kHttp:
      return "HTTP";
    case HealthCheckSpec::Type::kTcp:
      return "TCP";
  }
  return "UNKNOWN";
}

Result<HealthCheckSpec> HealthCheckSpec::from_json(const nlohmann::json& json) {
  if (!json.is_object()) return Error("health_check: expected a HealthCheck object");
  try {
    HealthCheckSpec spec;
    std::string type;
    if (auto it = json.find("type"); it != json.end() && !it->is_null()) {
      if (!it->is_string()) return Error("health_check.type: expected COMMAND, HTTP or TCP");
      type = it->get<std::string>();
    } else if (json.contains("command")) {
      type = "COMMAND";
    } else if (json.contains("http")) {
      type = "HTTP";
    } else if (json.contains("tcp")) {
      type = "TCP";
    }
    if (type == "COMMAND") {
      spec.type = Type::kCommand;
      auto it = json.find("command");
      if (it == json.end() || !it->is_object()) {
        return Error("health_check.command: a COMMAND check needs a CommandInfo");
      }
      spec.command = *it;
    } else if (type == "HTTP") {
      spec.type = Type::kHttp;
      auto it = json.find("http");
      if (it == json.end() || !it->is_object())
        return Error("health_check.http: an HTTP check needs it");
      spec.port = port_field(*it, "health_check.http");
      spec.scheme = it->value("scheme", std::string("http"));
      if (spec.scheme != "http" && spec.scheme != "https") {
        return Error("health_check.http.scheme: expected http or https, got '" + spec.scheme + "'");
      }
      spec.path = it->value("path", std::string("/"));
      if (spec.path.empty() || spec.path[0] != '/') spec.path = "/" + spec.path;
    } else if (type == "TCP") {
      spec.type = Type::kTcp;
      auto it = json.find("tcp");
      if (it == json.end() || !it->is_object())
        return Error("health_check.tcp: a TCP check needs it");
      spec.port = port_field(*it, "health_check.tcp");
    } else {
      return Error("health_check.type: '" + type + "' is not supported (COMMAND, HTTP or TCP)");
    }
    spec.delay = seconds_field(json, "delay_seconds", spec.delay);
    spec.interval = seconds_field(json, "interval_seconds", spec.interval);
    spec.timeout = seconds_field(json, "timeout_seconds", spec.timeout);
    spec.grace_period = seconds_field(json, "grace_period_seconds", spec.grace_period);
    if (auto it = json.find("consecutive_failures"); it != json.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0) {
        return Error("health_check.consecutive_failures: expected a non-negative integer");
      }
      spec.consecutive_failures = static_cast<uint32_t>(it->get<int64_t>());
    }
    return spec;
  } catch (const std::exception& e) {
    return Error(std::string("health_check: ") + e.what());
  }
}

struct HealthChecker::Impl : std::enable_shared_from_this<Impl> {
  Impl(EventLoop& l, ProcessReaper& r, HealthCheckSpec s, std::map<std::string, std::string> env,
       std::string dir, std::string task, Callback cb)
      : loop(l),
        reaper(r),
        spec(std::move(s)),
        environment(std::move(env)),
        sandbox(std::move(dir)),
        task_id(std::move(task)),
        callback(std::move(cb)) {}

  EventLoop& loop;
  ProcessReaper& reaper;
  const HealthCheckSpec spec;
  const std::map<std::string, std::string> environment;
  const std::string sandbox;
  const std::string task_id;
  Callback callback;

  bool stopped = false;
  bool initializing = true;  // no success yet
  uint32_t failures = 0;
  std::chrono::steady_clock::time_point started;
  uint64_t attempt = 0;  // results of older attempts are ignored
  Timer next;
  Timer deadline;
  std::shared_ptr<http::Client> client;
  pid_t command_pid = -1;
  int tcp_fd = -1;
  Timer tcp_poll;

  template <typename F>
  auto guarded(F&& fn) {
    return [weak = weak_from_this(), fn = std::forward<F>(fn)](auto&&... args) mutable {
      if (auto self = weak.lock()) {
        if (!self->stopped) fn(*self, std::forward<decltype(args)>(args)...);
      }
    };
  }

  void start() {
    started = std::chrono::steady_clock::now();
    log::info("Health checking task {} ({}) in {}, every {}", task_id, to_string(spec.type),
              spec.delay.to_string(), spec.interval.to_string());
    next = loop.after(spec.delay, guarded([](Impl& self) { self.run(); }));
  }

  void stop() {
    stopped = true;
    next.cancel();
    deadline.cancel();
    end_attempt();
    // Safe even from inside one of its callbacks: it cancels what is in
    // flight and its calls keep what they use alive.
    client.reset();
  }

  void run() {
    const uint64_t id = ++attempt;
    deadline = loop.after(spec.timeout, guarded([id, timeout = spec.timeout](Impl& self) {
                            self.finish(id, false, "timed out after " + timeout.to_string());
                          }));
    switch (spec.type) {
      case HealthCheckSpec::Type::kCommand:
        return run_command(id);
      case HealthCheckSpec::Type::kHttp:
        return run_http(id);
      case HealthCheckSpec::Type::kTcp:
        return run_tcp(id);
    }
  }

  void run_command(uint64_t id) {
    Result<CommandSpec> command = command_from_json(spec.command, environment, sandbox);
    if (!command.ok()) return finish(id, false, command.error());
    Result<pid_t> pid = spawn(*command);
    if (!pid.ok()) return finish(id, false, pid.error());
    command_pid = *pid;
    reaper.watch(*pid, true, guarded([id, pid = *pid](Impl& self, int status) {
      if (self.command_pid == pid) self.command_pid = -1;
      bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      self.finish(id, ok, "command " + describe_wait_status(status));
    }));
  }

  void run_http(uint64_t id) {
    if (!client) {
      http::ClientOptions options;
      options.connect_timeout = spec.timeout;
      options.request_timeout = spec.timeout;
      options.max_response_bytes = 1024 * 1024;
      options.tls.verify_peer = false;  // as Mesos' checks (curl -k)
      client = std::make_shared<http::Client>(loop, options);
    }
    Result<http::Url> url =
        http::Url::parse(spec.scheme + "://127.0.0.1:" + std::to_string(spec.port) + spec.path);
    if (!url.ok()) return finish(id, false, url.error());
    http::Request request;
    request.method = "GET";
    request.headers.set("Connection", "close");
    client->send(*url, std::move(request),
                 guarded([id](Impl& self, Result<http::Response> response) {
                   if (!response.ok()) return self.finish(id, false, response.error());
                   int status = response->status;
                   self.finish(id, status >= 200 && status < 400,
                               "HTTP status " + std::to_string(status) + " is not 200-399");
                 }));
  }

  void run_tcp(uint64_t id) {
    tcp_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (tcp_fd < 0) return finish(id, false, std::string("socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(spec.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(tcp_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      return finish(id, true, "");
    }
    if (errno != EINPROGRESS) {
      return finish(id, false,
                    "connect to port " + std::to_string(spec.port) + ": " + std::strerror(errno));
    }
    poll_tcp(id);
  }

  void poll_tcp(uint64_t id) {
    if (id != attempt || tcp_fd < 0) return;
    pollfd p{tcp_fd, POLLOUT, 0};
    if (::poll(&p, 1, 0) > 0) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(tcp_fd, SOL_SOCKET, SO_ERROR, &error, &length);
      return finish(id, error == 0,
                    "connect to port " + std::to_string(spec.port) + ": " + std::strerror(error));
    }
    tcp_poll =
        loop.after(Duration::milliseconds(20), guarded([id](Impl& self) { self.poll_tcp(id); }));
  }

  // Whatever the current attempt still holds is let go.
  void end_attempt() {
    deadline.cancel();
    tcp_poll.cancel();
    if (tcp_fd >= 0) {
      ::close(tcp_fd);
      tcp_fd = -1;
    }
    if (command_pid > 0) {
      ::kill(-command_pid, SIGKILL);
      reaper.forget(command_pid);
      command_pid = -1;
    }
  }

  void finish(uint64_t id, bool healthy, const std::string& why) {
    if (stopped || id != attempt) return;
    ++attempt;
    end_attempt();
    auto self = shared_from_this();  // the callback may destroy the checker
    if (healthy) {
      const bool report = initializing || failures > 0;
      initializing = false;
      failures = 0;
      if (report) {
        log::info("Task {} is healthy", task_id);
        callback(HealthResult{true, false, 0, ""});
      }
    } else if (initializing &&
               std::chrono::steady_clock::now() - started <= spec.grace_period.chrono()) {
      log::info("Ignoring a failed health check of task {} in its grace period: {}", task_id, why);
    } else {
      ++failures;
      const bool kill = failures >= spec.consecutive_failures;
      log::warning("Health check of task {} failed ({} in a row): {}", task_id, failures, why);
      callback(HealthResult{false, kill, failures, why});
    }
    if (stopped) return;
    next = loop.after(spec.interval, guarded([](Impl& s) { s.run(); }));
  }
};

HealthChecker::HealthChecker(EventLoop& loop, ProcessReaper& reaper, HealthCheckSpec spec,
                             std::map<std::string, std::string> environment, std::string sandbox,
                             std::string task_id, Callback callback)
    : impl_(std::make_shared<Impl>(loop, reaper, std::move(spec), std::move(environment),
                                   std::move(sandbox), std::move(task_id), std::move(callback))) {}

HealthChecker::~HealthChecker() {
  impl_->stop();
}

void HealthChecker::start() {
  impl_->start();
}

void HealthChecker::stop() {
  impl_->stop();
}

}  // namespace cairn::executor
