// cairn-executor against a fake agent: the real binary runs as a child
// process with the MESOS_* environment an agent gives it, its stdout and
// stderr in a temporary sandbox; FakeAgent serves POST /api/v1/executor
// (SUBSCRIBE → RecordIO stream, UPDATE/MESSAGE → 202), records every call
// and lets the test push events. Plus unit tests of the executor library.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "daemons/executor/environment.hpp"
#include "daemons/executor/health_checker.hpp"
#include "daemons/executor/status_buffer.hpp"
#include "daemons/executor/task_process.hpp"
#include "lib/base/base64.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/api_call.hpp"
#include "lib/http/server.hpp"
#include "lib/process/launch.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::executor {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Polls `done` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string id_of(const json& status) {
  return status.contains("task_id") ? status["task_id"].value("value", "") : "";
}

// --- FakeAgent ---------------------------------------------------------------

struct ReceivedCall {
  std::string type;
  std::string content_type;
  std::string accept;
  json body;
};

class FakeAgent {
 public:
  explicit FakeAgent(uint16_t port = 0) {
    loop_.start_thread();
    loop_.call([&] {
      http::Router router;
      router.add("/api/v1/executor", "Executor API (fake)",
                 [this](http::Request request, http::Responder responder) {
                   handle(std::move(request), std::move(responder));
                 });
      http::ServerOptions options;
      options.address = "127.0.0.1";
      options.port = port;
      server_ = std::make_unique<http::Server>(loop_, options, std::move(router));
      auto bound = server_->start();
      if (bound.ok()) port_ = *bound;
    });
  }
  ~FakeAgent() {
    loop_.call([&] {
      writer_.reset();
      server_.reset();
    });
    loop_.stop();
    loop_.join();
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

  void set_auto_ack(bool on) {
    loop_.call([&] { auto_ack_ = on; });
  }
  void set_capabilities(std::vector<std::string> capabilities) {
    loop_.call([&] { capabilities_ = std::move(capabilities); });
  }
  bool send(const json& event) {
    return loop_.call([&] { return write(event); });
  }
  void close_stream() {
    loop_.call([&] {
      if (auto w = std::move(writer_)) w->close();
    });
  }
  int subscriptions() {
    return loop_.call([&] { return subscriptions_; });
  }
  bool streaming() {
    return loop_.call([&] { return writer_ != nullptr && !writer_->closed(); });
  }
  std::vector<ReceivedCall> calls() {
    return loop_.call([&] { return calls_; });
  }
  std::vector<json> calls_of(const std::string& type) {
    std::vector<json> out;
    for (const auto& c : calls()) {
      if (c.type == type) out.push_back(c.body);
    }
    return out;
  }
  // The statuses of every UPDATE call, in arrival order.
  std::vector<json> updates() {
    std::vector<json> out;
    for (const json& body : calls_of("UPDATE"))
      out.push_back(body["update"]["status"]);
    return out;
  }
  std::vector<std::string> states_of(const std::string& task_id) {
    std::vector<std::string> out;
    for (const json& s : updates()) {
      if (id_of(s) == task_id) out.push_back(s["state"]);
    }
    return out;
  }
  // The first update of `task_id` in `state` that satisfies `also`.
  json wait_update(const std::string& task_id, const std::string& state,
                   const std::function<bool(const json&)>& also = {}) {
    json found;
    eventually([&] {
      for (const json& s : updates()) {
        if (id_of(s) == task_id && s["state"] == state && (!also || also(s))) {
          found = s;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  bool wait_subscribed(int count = 1) {
    return eventually([&] { return subscriptions() >= count; });
  }
  void acknowledge(const json& status) {
    send({{"type", "ACKNOWLEDGED"},
          {"acknowledged", {{"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
  }

 private:
  void handle(http::Request request, http::Responder responder) {
    auto check = http::check_api_call(request);
    if (!check.format) return responder.respond(std::move(check.error));
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return responder.respond(http::text_response(400, "Failed to parse body into JSON"));
    }
    ReceivedCall call;
    call.type = body.value("type", "");
    call.content_type = std::string(request.header("Content-Type").value_or(""));
    call.accept = std::string(request.header("Accept").value_or(""));
    call.body = body;
    if (call.type == "SUBSCRIBE") {
      calls_.push_back(call);
      if (auto old = std::move(writer_)) old->close();
      writer_ = responder.stream(http::Response(200, "application/json", ""));
      if (!writer_) return;
      ++subscriptions_;
      json capabilities = json::array();
      for (const auto& c : capabilities_)
        capabilities.push_back({{"type", c}});
      json framework{{"id", {{"value", "fw-1"}}}, {"name", "test"}, {"user", "root"}};
      if (!capabilities.empty()) framework["capabilities"] = capabilities;
      write({{"type", "SUBSCRIBED"},
             {"subscribed",
              {{"executor_info",
                {{"executor_id", {{"value", "ex-1"}}}, {"framework_id", {{"value", "fw-1"}}}}},
               {"framework_info", framework},
               {"agent_info", {{"id", {{"value", "agent-1"}}}, {"hostname", "localhost"}}},
               {"container_id", {{"value", "container-1"}}}}}});
      return;
    }
    if (!writer_ || writer_->closed())
      return responder.respond(http::text_response(403, "Executor is not subscribed"));
    calls_.push_back(call);
    responder.respond(http::Response(202, "", ""));
    if (call.type == "UPDATE" && auto_ack_) {
      const json& status = body["update"]["status"];
      write({{"type", "ACKNOWLEDGED"},
             {"acknowledged", {{"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
    }
  }

  bool write(const json& event) {
    if (!writer_ || writer_->closed()) return false;
    return writer_->write(recordio::encode(event.dump()));
  }

  EventLoop loop_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::shared_ptr<http::StreamWriter> writer_;
  int subscriptions_ = 0;
  bool auto_ack_ = true;
  std::vector<std::string> capabilities_;
  std::vector<ReceivedCall> calls_;
};

// A tiny HTTP server a task's health check can probe.
class HealthServer {
 public:
  HealthServer() {
    loop_.start_thread();
    loop_.call([&] {
      http::Router router;
      router.add("/health", "healthy", [](http::Request, http::Responder r) {
        r.respond(http::Response(200, "text/plain", "ok"));
      });
      http::ServerOptions options;
      options.address = "127.0.0.1";
      server_ = std::make_unique<http::Server>(loop_, options, std::move(router));
      auto bound = server_->start();
      if (bound.ok()) port_ = *bound;
    });
  }
  ~HealthServer() {
    loop_.call([&] { server_.reset(); });
    loop_.stop();
    loop_.join();
  }
  uint16_t port() const { return port_; }

 private:
  EventLoop loop_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

// --- the executor as a child process -------------------------------------------

class ExecutorProcess {
 public:
  ExecutorProcess(const std::map<std::string, std::string>& env, const std::string& sandbox) {
    process::ProcessSpec spec{
        {CAIRN_EXECUTOR_BINARY}, env, sandbox, sandbox + "/stdout", sandbox + "/stderr"};
    auto pid = process::launch_process(spec);
    if (pid.ok()) pid_ = *pid;
  }
  ~ExecutorProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The exit status once it has exited (waits up to `timeout`).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    eventually([&] { return exited(); }, timeout);
    if (!status_) return std::nullopt;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : 128 + WTERMSIG(*status_);
  }
  bool exited() {
    if (status_) return true;
    int status = 0;
    if (!process::process_alive(pid_, true, &status)) status_ = status;
    return status_.has_value();
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

json command_task(const std::string& id, const std::string& command) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", "agent-1"}}},
          {"resources", json::array()},
          {"command", {{"value", command}}}};
}

json launch_event(const json& task) {
  return {{"type", "LAUNCH"}, {"launch", {{"task", task}}}};
}

json kill_event(const std::string& id, std::optional<int64_t> grace_ns = std::nullopt) {
  json kill{{"task_id", {{"value", id}}}};
  if (grace_ns) kill["kill_policy"] = {{"grace_period", {{"nanoseconds", *grace_ns}}}};
  return {{"type", "KILL"}, {"kill", kill}};
}

// A process that is gone (or a zombie nobody reaped yet).
bool gone(pid_t pid) {
  return !process::process_alive(pid, false);
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ =
        (std::filesystem::temp_directory_path() /
         ("cairn-executor-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++)))
            .string();
    std::filesystem::remove_all(sandbox_);
    std::filesystem::create_directories(sandbox_);
    agent_ = std::make_unique<FakeAgent>();
    ASSERT_NE(agent_->port(), 0);
  }
  void TearDown() override {
    executor_.reset();
    agent_.reset();
    std::filesystem::remove_all(sandbox_);
  }

  std::map<std::string, std::string> environment() {
    const char* path = ::getenv("PATH");
    return {{"PATH", path ? path : "/usr/bin:/bin"},
            {"MESOS_AGENT_ENDPOINT", agent_->endpoint()},
            {"MESOS_FRAMEWORK_ID", "fw-1"},
            {"MESOS_EXECUTOR_ID", "ex-1"},
            {"MESOS_SANDBOX", sandbox_},
            {"MESOS_DIRECTORY", sandbox_},
            {"MESOS_SLAVE_ID", "agent-1"},
            {"MESOS_AGENT_ID", "agent-1"},
            {"MESOS_CHECKPOINT", "1"},
            {"MESOS_RECOVERY_TIMEOUT", "1mins"},
            {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "200ms"},
            {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "3secs"}};
  }

  // Starts the executor and waits for its SUBSCRIBE.
  void start_executor(std::map<std::string, std::string> env = {}) {
    if (env.empty()) env = environment();
    executor_ = std::make_unique<ExecutorProcess>(env, sandbox_);
    ASSERT_TRUE(executor_->started());
    ASSERT_TRUE(agent_->wait_subscribed()) << stderr_text();
  }

  std::string stdout_text() { return read_text(sandbox_ + "/stdout"); }
  std::string stderr_text() { return read_text(sandbox_ + "/stderr"); }

  // The pid a task wrote to `file` in the sandbox.
  pid_t wait_pid_file(const std::string& file) {
    pid_t pid = -1;
    eventually([&] {
      std::string text = read_text(sandbox_ + "/" + file);
      if (text.empty() || text.back() != '\n') return false;
      pid = static_cast<pid_t>(std::stol(text));
      return true;
    });
    return pid;
  }

  static inline int counter_ = 0;
  std::string sandbox_;
  std::unique_ptr<FakeAgent> agent_;
  std::unique_ptr<ExecutorProcess> executor_;
};

// --- the binary ----------------------------------------------------------------

TEST_F(ExecutorTest, MissingEnvironmentExitsWithAMessage) {
  executor_ = std::make_unique<ExecutorProcess>(
      std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}}, sandbox_);
  ASSERT_TRUE(executor_->started());
  EXPECT_EQ(executor_->wait_exit(), 1);
  std::string err = stderr_text();
  for (const char* name :
       {"MESOS_AGENT_ENDPOINT", "MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID", "MESOS_SANDBOX"}) {
    EXPECT_NE(err.find(name), std::string::npos) << name << " not in: " << err;
  }
  EXPECT_EQ(agent_->subscriptions(), 0);
}

TEST_F(ExecutorTest, CommandTaskFinishes) {
  start_executor();
  ReceivedCall subscribe = agent_->calls().front();
  EXPECT_EQ(subscribe.type, "SUBSCRIBE");
  EXPECT_EQ(subscribe.content_type, "application/json");
  EXPECT_EQ(subscribe.accept, "application/json");
  EXPECT_EQ(subscribe.body["framework_id"]["value"], "fw-1");
  EXPECT_EQ(subscribe.body["executor_id"]["value"], "ex-1");

  ASSERT_TRUE(agent_->send(launch_event(command_task("hello", "echo hello; exit 0"))));
  json finished = agent_->wait_update("hello", "TASK_FINISHED");
  ASSERT_FALSE(finished.is_null()) << stderr_text();
  EXPECT_EQ(agent_->states_of("hello"),
            (std::vector<std::string>{"TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"}));
  for (const json& status : agent_->updates()) {
    EXPECT_EQ(status["source"], "SOURCE_EXECUTOR");
    EXPECT_EQ(status["executor_id"]["value"], "ex-1");
    EXPECT_EQ(status["agent_id"]["value"], "agent-1");
    EXPECT_TRUE(status["timestamp"].is_number());
    ASSERT_TRUE(status["uuid"].is_string());
    auto uuid = base64::decode(status["uuid"].get<std::string>());
    ASSERT_TRUE(uuid.ok());
    EXPECT_EQ(uuid->size(), 16u);
    EXPECT_FALSE(status.contains("reason"));
  }
  EXPECT_NE(stdout_text().find("hello"), std::string::npos);
  // Every update was acknowledged: the executor is done.
  EXPECT_EQ(executor_->wait_exit(), 0) << stderr_text();
}

TEST_F(ExecutorTest, FailingTaskReportsItsExitStatus) {
  start_executor();
  agent_->send(launch_event(command_task("fails", "exit 3")));
  json failed = agent_->wait_update("fails", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << stderr_text();
  EXPECT_EQ(failed["message"], "Command exited with status 3");
  EXPECT_FALSE(failed.contains("reason"));
  EXPECT_EQ(executor_->wait_exit(), 0);
}

TEST_F(ExecutorTest, ArgvCommandWithItsEnvironment) {
  start_executor();
  json task = command_task("argv", "");
  task["command"] = {{"shell", false},
                     {"value", "sh"},
                     {"arguments", {"sh", "-c", "echo argv:$GREETING:$MESOS_TASK_ID:$(pwd)"}},
                     {"environment", {{"variables", {{{"name", "GREETING"}, {"value", "hi"}}}}}}};
  agent_->send(launch_event(task));
  ASSERT_FALSE(agent_->wait_update("argv", "TASK_FINISHED").is_null()) << stderr_text();
  EXPECT_NE(stdout_text().find("argv:hi:argv:" + sandbox_), std::string::npos) << stdout_text();
}

TEST_F(ExecutorTest, UnrunnableProgramFails) {
  start_executor();
  json task = command_task("missing", "");
  task["command"] = {{"shell", false}, {"value", "/nonexistent/program"}};
  agent_->send(launch_event(task));
  json failed = agent_->wait_update("missing", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null());
  EXPECT_NE(failed["message"].get<std::string>().find("/nonexistent/program"), std::string::npos);
}

TEST_F(ExecutorTest, KillWithGracePeriodAndKillingState) {
  agent_->set_capabilities({"TASK_KILLING_STATE"});
  start_executor();
  agent_->send(launch_event(command_task("sleeper", "echo $$ > pid; exec sleep 100")));
  ASSERT_FALSE(agent_->wait_update("sleeper", "TASK_RUNNING").is_null());
  pid_t pid = wait_pid_file("pid");
  ASSERT_GT(pid, 0);
  agent_->send(kill_event("sleeper", 1'000'000'000));
  json killed = agent_->wait_update("sleeper", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null()) << stderr_text();
  EXPECT_EQ(killed["message"], "Command terminated with signal Terminated");
  EXPECT_EQ(
      agent_->states_of("sleeper"),
      (std::vector<std::string>{"TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_KILLED"}));
  EXPECT_TRUE(eventually([&] { return gone(pid); }));
  EXPECT_EQ(executor_->wait_exit(), 0);
}

TEST_F(ExecutorTest, IgnoredSigtermIsFollowedBySigkill) {
  start_executor();
  agent_->send(launch_event(
      command_task("stubborn", "trap '' TERM; echo $$ > pid; while :; do sleep 1; done")));
  ASSERT_FALSE(agent_->wait_update("stubborn", "TASK_RUNNING").is_null());
  pid_t pid = wait_pid_file("pid");
  ASSERT_GT(pid, 0);
  agent_->send(kill_event("stubborn", 1'000'000'000));
  json killed = agent_->wait_update("stubborn", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null()) << stderr_text();
  EXPECT_EQ(killed["message"], "Command terminated with signal Killed");
  // No TASK_KILLING without the capability.
  EXPECT_EQ(agent_->states_of("stubborn"),
            (std::vector<std::string>{"TASK_STARTING", "TASK_RUNNING", "TASK_KILLED"}));
  EXPECT_TRUE(eventually([&] { return gone(pid); }));
}

TEST_F(ExecutorTest, FailingCommandHealthCheckKillsTheTask) {
  start_executor();
  json task = command_task("unhealthy", "exec sleep 100");
  task["health_check"] = {{"type", "COMMAND"},        {"command", {{"value", "exit 1"}}},
                          {"delay_seconds", 0},       {"interval_seconds", 0.1},
                          {"timeout_seconds", 10},    {"grace_period_seconds", 0},
                          {"consecutive_failures", 2}};
  agent_->send(launch_event(task));
  json unhealthy = agent_->wait_update("unhealthy", "TASK_RUNNING",
                                       [](const json& s) { return s.contains("healthy"); });
  ASSERT_FALSE(unhealthy.is_null()) << stderr_text();
  EXPECT_EQ(unhealthy["healthy"], false);
  EXPECT_EQ(unhealthy["reason"], "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
  json killed = agent_->wait_update("unhealthy", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null()) << stderr_text();
  EXPECT_EQ(killed["healthy"], false);
  EXPECT_FALSE(killed.contains("reason"));
}

TEST_F(ExecutorTest, HttpHealthCheckReportsHealthy) {
  HealthServer server;
  ASSERT_NE(server.port(), 0);
  start_executor();
  json task = command_task("web", "exec sleep 100");
  task["health_check"] = {{"type", "HTTP"},
                          {"http", {{"port", server.port()}, {"path", "/health"}}},
                          {"delay_seconds", 0},
                          {"interval_seconds", 0.2}};
  agent_->send(launch_event(task));
  json healthy = agent_->wait_update("web", "TASK_RUNNING",
                                     [](const json& s) { return s.contains("healthy"); });
  ASSERT_FALSE(healthy.is_null()) << stderr_text();
  EXPECT_EQ(healthy["healthy"], true);
  EXPECT_EQ(healthy["reason"], "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
  agent_->send({{"type", "SHUTDOWN"}});
  EXPECT_EQ(executor_->wait_exit(), 0);
}

TEST_F(ExecutorTest, TcpHealthCheckReportsHealthy) {
  HealthServer server;
  ASSERT_NE(server.port(), 0);
  start_executor();
  json task = command_task("tcp", "exec sleep 100");
  task["health_check"] = {{"type", "TCP"},
                          {"tcp", {{"port", server.port()}}},
                          {"delay_seconds", 0},
                          {"interval_seconds", 0.2}};
  agent_->send(launch_event(task));
  json healthy = agent_->wait_update("tcp", "TASK_RUNNING",
                                     [](const json& s) { return s.contains("healthy"); });
  ASSERT_FALSE(healthy.is_null()) << stderr_text();
  EXPECT_EQ(healthy["healthy"], true);
}

TEST_F(ExecutorTest, ResubscribesWithUnacknowledgedUpdatesAfterTheAgentRestarts) {
  agent_->set_auto_ack(false);
  start_executor();
  agent_->send(launch_event(command_task("survivor", "echo $$ > pid; exec sleep 100")));
  json running = agent_->wait_update("survivor", "TASK_RUNNING");
  ASSERT_FALSE(running.is_null());
  pid_t pid = wait_pid_file("pid");
  ASSERT_GT(pid, 0);
  std::vector<json> sent = agent_->updates();
  ASSERT_EQ(sent.size(), 2u);

  // The agent goes away and comes back on the same port.
  const uint16_t port = agent_->port();
  agent_.reset();
  agent_ = std::make_unique<FakeAgent>(port);
  ASSERT_EQ(agent_->port(), port);
  agent_->set_auto_ack(false);
  ASSERT_TRUE(agent_->wait_subscribed()) << stderr_text();
  json subscribe = agent_->calls_of("SUBSCRIBE").front()["subscribe"];
  ASSERT_TRUE(subscribe.contains("unacknowledged_updates")) << subscribe.dump();
  const json& updates = subscribe["unacknowledged_updates"];
  ASSERT_EQ(updates.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(updates[i]["status"]["uuid"], sent[i]["uuid"]);
    EXPECT_EQ(updates[i]["status"]["state"], sent[i]["state"]);
    EXPECT_EQ(updates[i]["framework_id"]["value"], "fw-1");
    EXPECT_EQ(updates[i]["executor_id"]["value"], "ex-1");
  }
  ASSERT_EQ(subscribe["unacknowledged_tasks"].size(), 1u);
  EXPECT_EQ(subscribe["unacknowledged_tasks"][0]["task_id"]["value"], "survivor");
  EXPECT_FALSE(gone(pid));  // the task kept running

  // ACKNOWLEDGED clears the buffer: the next SUBSCRIBE carries nothing.
  // (Events written before the stream closes arrive before its end.)
  for (const json& s : sent)
    agent_->acknowledge(s);
  agent_->close_stream();
  ASSERT_TRUE(agent_->wait_subscribed(2)) << stderr_text();
  json again = agent_->calls_of("SUBSCRIBE").back()["subscribe"];
  EXPECT_FALSE(again.contains("unacknowledged_updates")) << again.dump();
  EXPECT_FALSE(again.contains("unacknowledged_tasks")) << again.dump();
  EXPECT_FALSE(gone(pid));

  // The reconnected executor still takes orders.
  agent_->set_auto_ack(true);
  agent_->send(kill_event("survivor", 0));
  EXPECT_FALSE(agent_->wait_update("survivor", "TASK_KILLED").is_null()) << stderr_text();
}

TEST_F(ExecutorTest, UpdatesMadeWhileDisconnectedAreDeliveredOnResubscribe) {
  agent_->set_auto_ack(false);
  start_executor();
  // The task waits on a FIFO so that it ends while the agent is away.
  ASSERT_EQ(::mkfifo((sandbox_ + "/fifo").c_str(), 0600), 0);
  agent_->send(launch_event(command_task("short", "read line < fifo; exit 0")));
  ASSERT_FALSE(agent_->wait_update("short", "TASK_RUNNING").is_null());
  const uint16_t port = agent_->port();
  agent_.reset();
  {
    std::ofstream fifo(sandbox_ + "/fifo");
    fifo << "go\n";
  }
  // The executor has seen the task end before the agent is back.
  ASSERT_TRUE(eventually([&] {
    return stderr_text().find("Task short Command exited with status 0") != std::string::npos;
  })) << stderr_text();
  agent_ = std::make_unique<FakeAgent>(port);
  ASSERT_TRUE(agent_->wait_subscribed()) << stderr_text();
  json subscribe = agent_->calls_of("SUBSCRIBE").front()["subscribe"];
  std::vector<std::string> states;
  for (const json& u : subscribe.value("unacknowledged_updates", json::array()))
    states.push_back(u["status"]["state"]);
  EXPECT_EQ(states, (std::vector<std::string>{"TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"}))
      << subscribe.dump();
}

TEST_F(ExecutorTest, ShutdownKillsTasksAndExitsZero) {
  start_executor();
  agent_->send(launch_event(command_task("a", "echo $$ > pid-a; exec sleep 100")));
  agent_->send(launch_event(command_task("b", "echo $$ > pid-b; exec sleep 100")));
  ASSERT_FALSE(agent_->wait_update("a", "TASK_RUNNING").is_null());
  ASSERT_FALSE(agent_->wait_update("b", "TASK_RUNNING").is_null());
  pid_t a = wait_pid_file("pid-a"), b = wait_pid_file("pid-b");
  agent_->send({{"type", "SHUTDOWN"}});
  EXPECT_FALSE(agent_->wait_update("a", "TASK_KILLED").is_null());
  EXPECT_FALSE(agent_->wait_update("b", "TASK_KILLED").is_null());
  EXPECT_EQ(executor_->wait_exit(), 0) << stderr_text();
  EXPECT_TRUE(eventually([&] { return gone(a) && gone(b); }));
}

TEST_F(ExecutorTest, TaskGroupFailureKillsTheOtherTasks) {
  start_executor();
  json group{{"tasks",
              {command_task("g-sleeper", "exec sleep 100"),
               command_task("g-failer", "sleep 0.3; exit 2")}}};
  agent_->send({{"type", "LAUNCH_GROUP"}, {"launch_group", {{"task_group", group}}}});
  json failed = agent_->wait_update("g-failer", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << stderr_text();
  EXPECT_EQ(failed["message"], "Command exited with status 2");
  EXPECT_FALSE(agent_->wait_update("g-sleeper", "TASK_KILLED").is_null()) << stderr_text();
  EXPECT_EQ(executor_->wait_exit(), 0);
}

TEST_F(ExecutorTest, NonCheckpointedExecutorExitsWhenTheAgentGoes) {
  auto env = environment();
  env["MESOS_CHECKPOINT"] = "0";
  start_executor(env);
  agent_->send(launch_event(command_task("orphan", "echo $$ > pid; exec sleep 100")));
  ASSERT_FALSE(agent_->wait_update("orphan", "TASK_RUNNING").is_null());
  pid_t pid = wait_pid_file("pid");
  agent_.reset();
  EXPECT_EQ(executor_->wait_exit(), 1) << stderr_text();
  EXPECT_TRUE(eventually([&] { return gone(pid); }));
}

TEST_F(ExecutorTest, GivesUpAfterTheRecoveryTimeout) {
  auto env = environment();
  env["MESOS_RECOVERY_TIMEOUT"] = "1secs";
  start_executor(env);
  agent_->send(launch_event(command_task("abandoned", "echo $$ > pid; exec sleep 100")));
  ASSERT_FALSE(agent_->wait_update("abandoned", "TASK_RUNNING").is_null());
  pid_t pid = wait_pid_file("pid");
  agent_.reset();
  EXPECT_EQ(executor_->wait_exit(), 1) << stderr_text();
  EXPECT_TRUE(eventually([&] { return gone(pid); }));
}

// Not a check: prints the executor's resident memory while it runs a task.
TEST_F(ExecutorTest, ReportsItsResidentMemory) {
  start_executor();
  agent_->send(launch_event(command_task("idle", "exec sleep 100")));
  ASSERT_FALSE(agent_->wait_update("idle", "TASK_RUNNING").is_null());
  std::string status = read_text("/proc/" + std::to_string(executor_->pid()) + "/status");
  for (const char* key : {"VmRSS:", "Threads:"}) {
    size_t at = status.find(key);
    if (at != std::string::npos) {
      std::string line = status.substr(at, status.find('\n', at) - at);
      std::cout << "cairn-executor " << line << std::endl;
      RecordProperty(std::string(key, std::strlen(key) - 1), line.substr(std::strlen(key)));
    }
  }
  agent_->send({{"type", "SHUTDOWN"}});
  EXPECT_EQ(executor_->wait_exit(), 0);
}

TEST_F(ExecutorTest, ErrorEventExitsOne) {
  start_executor();
  agent_->send({{"type", "HEARTBEAT"}});
  agent_->send({{"type", "ERROR"}, {"error", {{"message", "go away"}}}});
  EXPECT_EQ(executor_->wait_exit(), 1);
  EXPECT_NE(stderr_text().find("go away"), std::string::npos);
}

// --- the library -----------------------------------------------------------------

TEST(ExecutorEnvironmentTest, ReadsMesosVariables) {
  auto env = ExecutorEnvironment::from({{"MESOS_AGENT_ENDPOINT", "10.0.0.1:5051"},
                                        {"MESOS_FRAMEWORK_ID", "f"},
                                        {"MESOS_EXECUTOR_ID", "e"},
                                        {"MESOS_DIRECTORY", "/sandbox"},
                                        {"MESOS_SLAVE_ID", "s"},
                                        {"MESOS_CHECKPOINT", "1"},
                                        {"MESOS_RECOVERY_TIMEOUT", "15mins"},
                                        {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "2secs"},
                                        {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5secs"}});
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->api_url(), "http://10.0.0.1:5051/api/v1/executor");
  EXPECT_EQ(env->sandbox, "/sandbox");
  EXPECT_EQ(env->agent_id, "s");
  EXPECT_TRUE(env->checkpoint);
  EXPECT_EQ(env->recovery_timeout, Duration::minutes(15));
  EXPECT_EQ(env->subscription_backoff_max, Duration::seconds(2));
  EXPECT_EQ(env->shutdown_grace_period, Duration::seconds(5));
}

TEST(ExecutorEnvironmentTest, NamesEveryProblem) {
  auto env = ExecutorEnvironment::from({{"MESOS_FRAMEWORK_ID", "f"},
                                        {"MESOS_SANDBOX", "/s"},
                                        {"MESOS_CHECKPOINT", "yes"},
                                        {"MESOS_RECOVERY_TIMEOUT", "15"}});
  ASSERT_FALSE(env.ok());
  for (const char* word : {"MESOS_AGENT_ENDPOINT", "MESOS_EXECUTOR_ID", "MESOS_CHECKPOINT",
                           "MESOS_RECOVERY_TIMEOUT"}) {
    EXPECT_NE(env.error().find(word), std::string::npos) << env.error();
  }
  EXPECT_EQ(env.error().find("MESOS_FRAMEWORK_ID"), std::string::npos) << env.error();
}

TEST(StatusBufferTest, KeepsUpdatesUntilAcknowledged) {
  StatusBuffer buffer;
  buffer.add_task("t", {{"task_id", {{"value", "t"}}}});
  buffer.add_update({{"task_id", {{"value", "t"}}}, {"state", "TASK_STARTING"}, {"uuid", "AAA="}});
  buffer.add_update({{"task_id", {{"value", "t"}}}, {"state", "TASK_RUNNING"}, {"uuid", "BBB="}});
  json payload = buffer.subscribe_payload("f", "e");
  ASSERT_EQ(payload["unacknowledged_updates"].size(), 2u);
  EXPECT_EQ(payload["unacknowledged_updates"][1]["status"]["state"], "TASK_RUNNING");
  EXPECT_EQ(payload["unacknowledged_updates"][0]["framework_id"]["value"], "f");
  EXPECT_EQ(payload["unacknowledged_tasks"].size(), 1u);
  EXPECT_FALSE(buffer.acknowledge("t", "CCC="));
  EXPECT_TRUE(buffer.acknowledge("t", "AAA="));
  EXPECT_EQ(buffer.size(), 1u);
  payload = buffer.subscribe_payload("f", "e");
  EXPECT_FALSE(payload.contains("unacknowledged_tasks"));
  EXPECT_TRUE(buffer.acknowledge("t", "BBB="));
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.subscribe_payload("f", "e"), json::object());
}

TEST(TaskProcessTest, DescribesWaitStatusesAsMesosDoes) {
  EXPECT_EQ(describe_wait_status(W_EXITCODE(3, 0)), "exited with status 3");
  EXPECT_EQ(describe_wait_status(W_EXITCODE(0, SIGKILL)), "terminated with signal Killed");
  EXPECT_EQ(describe_wait_status(W_EXITCODE(0, SIGTERM)), "terminated with signal Terminated");
}

TEST(TaskProcessTest, CommandInfoToArgv) {
  auto shell = command_from_json({{"value", "echo hi"}}, {{"A", "1"}}, "/tmp");
  ASSERT_TRUE(shell.ok());
  EXPECT_EQ(shell->argv, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(shell->environment.at("A"), "1");
  auto argv = command_from_json(
      {{"shell", false}, {"value", "/bin/ls"}, {"arguments", {"ls", "-l"}}}, {}, "");
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(argv->program, "/bin/ls");
  EXPECT_EQ(argv->argv, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_FALSE(command_from_json({{"shell", true}}, {}, "").ok());
  EXPECT_FALSE(
      command_from_json(
          {{"value", "x"},
           {"environment",
            {{"variables", {{{"name", "S"}, {"type", "SECRET"}, {"secret", json::object()}}}}}}},
          {}, "")
          .ok());
}

TEST(HealthCheckSpecTest, MesosDefaultsAndErrors) {
  auto command =
      HealthCheckSpec::from_json({{"type", "COMMAND"}, {"command", {{"value", "true"}}}});
  ASSERT_TRUE(command.ok()) << command.error();
  EXPECT_EQ(command->delay, Duration::seconds(15));
  EXPECT_EQ(command->interval, Duration::seconds(10));
  EXPECT_EQ(command->timeout, Duration::seconds(20));
  EXPECT_EQ(command->grace_period, Duration::seconds(10));
  EXPECT_EQ(command->consecutive_failures, 3u);
  auto http = HealthCheckSpec::from_json(
      {{"type", "HTTP"}, {"http", {{"port", 8080}, {"path", "health"}}}});
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->path, "/health");
  EXPECT_EQ(http->scheme, "http");
  EXPECT_FALSE(HealthCheckSpec::from_json({{"type", "HTTP"}, {"http", json::object()}}).ok());
  EXPECT_FALSE(HealthCheckSpec::from_json({{"type", "TCP"}, {"tcp", {{"port", 70000}}}}).ok());
  EXPECT_FALSE(
      HealthCheckSpec::from_json(
          {{"type", "COMMAND"}, {"command", {{"value", "true"}}}, {"interval_seconds", -1}})
          .ok());
  EXPECT_FALSE(HealthCheckSpec::from_json({{"type", "GRPC"}}).ok());
}

}  // namespace
}  // namespace cairn::executor
