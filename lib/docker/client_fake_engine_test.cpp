// DockerClient against a fake engine: a unix socket server in the test that
// records each request and answers with canned responses. Checks the
// requests the client sends and how it reports what comes back, without
// a Docker engine.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "lib/docker/docker_client.hpp"
#include "lib/docker/log_demuxer.hpp"

namespace cairn::docker {
namespace {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool hang = false;  // never answer
};

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    default:
      return "Status";
  }
}

class TempDir {
 public:
  TempDir() {
    char path[] = "/tmp/cairn-docker-unit-XXXXXX";
    path_ = ::mkdtemp(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Serves one connection at a time; the replies are used in order and the
// last one repeats.
class FakeEngine {
 public:
  explicit FakeEngine(std::vector<Reply> replies) : replies_(std::move(replies)) {
    socket_path_ = dir_.path() + "/docker.sock";
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, socket_path_.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_, 8) != 0) {
      ADD_FAILURE() << "cannot listen on " << socket_path_ << ": " << std::strerror(errno);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeEngine() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
  }

  const std::string& socket_path() const { return socket_path_; }
  DockerClient client(Duration timeout = Duration::seconds(5)) const {
    return DockerClient(DockerClientOptions{.socket_path = socket_path_,
                                            .connect_timeout = Duration::seconds(5),
                                            .request_timeout = timeout});
  }

  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // The request line of request `i`: "POST /v1.41/... HTTP/1.1".
  std::string request_line(size_t i) {
    auto all = requests();
    if (i >= all.size()) return "";
    return all[i].substr(0, all[i].find("\r\n"));
  }
  std::string request_body(size_t i) {
    auto all = requests();
    if (i >= all.size()) return "";
    auto end = all[i].find("\r\n\r\n");
    return end == std::string::npos ? "" : all[i].substr(end + 4);
  }

 private:
  bool readable(int fd) {
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void serve() {
    size_t next = 0;
    while (readable(listener_)) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string request;
      size_t body_size = 0;
      size_t head_end = std::string::npos;
      char buffer[65536];
      while (head_end == std::string::npos || request.size() < head_end + 4 + body_size) {
        if (!readable(fd)) break;
        ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
        if (head_end == std::string::npos) {
          head_end = request.find("\r\n\r\n");
          if (head_end != std::string::npos) {
            std::string head = request.substr(0, head_end);
            for (auto& c : head)
              c = static_cast<char>(std::tolower(c));
            auto at = head.find("content-length:");
            if (at != std::string::npos) body_size = std::stoul(head.substr(at + 15));
          }
        }
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const Reply& reply = replies_[std::min(next++, replies_.size() - 1)];
      if (reply.hang) {
        while (!stopping_)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      } else {
        std::ostringstream out;
        out << "HTTP/1.1 " << reply.status << " " << reason(reply.status) << "\r\n"
            << "Content-Type: " << reply.content_type << "\r\n"
            << "Content-Length: " << reply.body.size() << "\r\n"
            << "Connection: close\r\n\r\n"
            << reply.body;
        std::string text = out.str();
        ssize_t written = ::write(fd, text.data(), text.size());
        (void)written;
      }
      ::close(fd);
    }
  }

  TempDir dir_;
  std::string socket_path_;
  int listener_ = -1;
  std::vector<Reply> replies_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DockerClientErrors, NamesAMissingSocket) {
  DockerClient client("/nonexistent/cairn/docker.sock");
  auto version = client.version();
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error(),
            "docker version: cannot reach the Docker engine at /nonexistent/cairn/docker.sock: No "
            "such file or directory (is dockerd running?)");
  Status started = client.start("c1");
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("docker start c1: cannot reach the Docker engine"),
            std::string::npos);
}

TEST(DockerClientErrors, NamesASocketNobodyListensOn) {
  TempDir dir;
  std::string path = dir.path() + "/docker.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);  // leaves a stale socket file, as a crashed dockerd does
  auto version = DockerClient(path).version();
  ASSERT_FALSE(version.ok());
  EXPECT_NE(
      version.error().find("cannot reach the Docker engine at " + path + ": Connection refused"),
      std::string::npos)
      << version.error();
}

TEST(DockerClientErrors, ReportsTheEngineMessageAndStatus) {
  FakeEngine engine({{404, R"({"message":"No such container: mesos-1"})"}});
  auto state = engine.client().inspect("mesos-1");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error(), "docker inspect mesos-1: No such container: mesos-1 (HTTP 404)");
  EXPECT_EQ(engine.request_line(0), "GET /v1.41/containers/mesos-1/json HTTP/1.1");
  auto exists = engine.client().exists("mesos-1");
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
  EXPECT_TRUE(engine.client().remove("mesos-1").ok()) << "removing what is gone is fine";
  EXPECT_EQ(engine.request_line(2), "DELETE /v1.41/containers/mesos-1?force=0&v=1 HTTP/1.1");
}

TEST(DockerClientErrors, ReportsABodyThatIsNotJson) {
  FakeEngine engine({{500, "runc: something broke\n", "text/plain"}});
  Status started = engine.client().start("c1");
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error(), "docker start c1: runc: something broke (HTTP 500)");
}

TEST(DockerClientErrors, TimesOutWhenTheEngineDoesNotAnswer) {
  FakeEngine engine(std::vector<Reply>{Reply{.hang = true}});
  auto begin = std::chrono::steady_clock::now();
  auto version = engine.client(Duration::milliseconds(300)).version();
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error(), "docker version: the Docker engine at " + engine.socket_path() +
                                 " did not answer within 300ms");
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(DockerClientRequests, CreatesWithNameQueryAndJsonBody) {
  FakeEngine engine({{201, R"({"Id":"4fa6e0f0c678","Warnings":["no swap limit"]})"}});
  ContainerSpec spec;
  spec.name = "mesos-c1";
  spec.image = "cairn/test-base";
  spec.set_shell_command("exit 0");
  spec.labels = {{"cairn.task_id", "t 1"}};
  auto id = engine.client().create_container(spec);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(*id, "4fa6e0f0c678");
  EXPECT_EQ(engine.request_line(0), "POST /v1.41/containers/create?name=mesos-c1 HTTP/1.1");
  EXPECT_NE(engine.requests()[0].find("Content-Type: application/json"), std::string::npos);
  auto body = nlohmann::json::parse(engine.request_body(0));
  EXPECT_EQ(body["Image"], "cairn/test-base");
  EXPECT_EQ(body["Labels"]["cairn.task_id"], "t 1");
}

TEST(DockerClientRequests, RefusesAnInvalidSpecWithoutAskingTheEngine) {
  FakeEngine engine({{201, R"({"Id":"x"})"}});
  ContainerSpec spec;
  spec.name = "mesos-c1";
  auto id = engine.client().create_container(spec);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error(), "docker create mesos-c1: the image is empty");
  EXPECT_TRUE(engine.requests().empty());
}

TEST(DockerClientRequests, StopsKillsAndListsWithTheRightQueries) {
  FakeEngine engine({{304, ""}, {204, ""}, {200, "[]"}});
  DockerClient client = engine.client();
  EXPECT_TRUE(client.stop("c1", Duration::milliseconds(1500)).ok()) << "304: already stopped";
  EXPECT_TRUE(client.kill("c1", SIGTERM).ok());
  ContainerFilter filter;
  filter.labels = {"cairn.agent=a1"};
  auto list = client.list(filter);
  ASSERT_TRUE(list.ok()) << list.error();
  EXPECT_TRUE(list->empty());
  EXPECT_EQ(engine.request_line(0), "POST /v1.41/containers/c1/stop?t=2 HTTP/1.1");
  EXPECT_EQ(engine.request_line(1), "POST /v1.41/containers/c1/kill?signal=15 HTTP/1.1");
  EXPECT_EQ(
      engine.request_line(2),
      "GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22cairn.agent%3Da1%22%5D%7D "
      "HTTP/1.1");
}

TEST(DockerClientRequests, WaitsForTheExitCode) {
  FakeEngine engine({{200, R"({"Error":null,"StatusCode":3})"},
                     {200, R"({"Error":{"Message":"container gone"},"StatusCode":-1})"}});
  auto code = engine.client().wait("c1");
  ASSERT_TRUE(code.ok()) << code.error();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(engine.request_line(0),
            "POST /v1.41/containers/c1/wait?condition=not-running HTTP/1.1");
  auto failed = engine.client().wait("c1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error(), "docker wait c1: container gone");
}

TEST(DockerClientRequests, AbandonsAWaitWhenAskedTo) {
  FakeEngine engine(std::vector<Reply>{Reply{.hang = true}});
  auto begin = std::chrono::steady_clock::now();
  std::atomic<bool> keep{true};
  std::thread cancel([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    keep = false;
  });
  // No request timeout applies to wait().
  auto code = engine.client(Duration::milliseconds(50)).wait("c1", [&] { return keep.load(); });
  cancel.join();
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.error(), "docker wait c1: abandoned before the container stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST(DockerClientRequests, FollowsLogsIntoTwoFiles) {
  std::string stream = encode_log_frame(LogStream::kStdout, "hello\n") +
                       encode_log_frame(LogStream::kStderr, "oops\n") +
                       encode_log_frame(LogStream::kStdout, "bye\n");
  FakeEngine engine({{200, stream, "application/vnd.docker.raw-stream"}});
  TempDir dir;
  std::string out = dir.path() + "/stdout";
  std::string err = dir.path() + "/stderr";
  { std::ofstream(out) << "earlier\n"; }
  auto since = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1700000000000000123));
  Status followed = engine.client().follow_logs("c1", out, err, {}, since);
  ASSERT_TRUE(followed.ok()) << followed.error();
  EXPECT_EQ(read_text(out), "earlier\nhello\nbye\n");
  EXPECT_EQ(read_text(err), "oops\n");
  EXPECT_EQ(engine.request_line(0),
            "GET /v1.41/containers/c1/logs?follow=1&stdout=1&stderr=1&since=1700000000.000000123 "
            "HTTP/1.1");
}

TEST(DockerClientRequests, ReportsLogsOfAMissingContainer) {
  FakeEngine engine({{404, R"({"message":"No such container: c1"})"}});
  TempDir dir;
  Status followed =
      engine.client().follow_logs("c1", dir.path() + "/stdout", dir.path() + "/stderr");
  ASSERT_FALSE(followed.ok());
  EXPECT_EQ(followed.error(), "docker logs c1: No such container: c1 (HTTP 404)");
  Status unwritable = engine.client().follow_logs("c1", "/nonexistent/dir/stdout", "/x");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.error(),
            "docker logs c1: cannot open /nonexistent/dir/stdout: No such file or directory");
}

TEST(DockerClientRequests, ReportsErrorsInsideAPullProgressStream) {
  FakeEngine engine({{200,
                      "{\"status\":\"Pulling from library/debian\",\"id\":\"12\"}\r\n"
                      "{\"errorDetail\":{\"message\":\"toomanyrequests: rate "
                      "limit\"},\"error\":\"toomanyrequests: "
                      "rate limit\"}\r\n"},
                     {200, "{\"status\":\"Status: Image is up to date for debian:12\"}\r\n"}});
  Status pulled = engine.client().pull_image("debian", Duration::seconds(5));
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.error(), "docker pull debian: toomanyrequests: rate limit");
  EXPECT_EQ(engine.request_line(0),
            "POST /v1.41/images/create?fromImage=debian&tag=latest HTTP/1.1");
  EXPECT_TRUE(engine.client().pull_image("registry:5000/a/b:12", Duration::seconds(5)).ok());
  EXPECT_EQ(engine.request_line(1),
            "POST /v1.41/images/create?fromImage=registry%3A5000%2Fa%2Fb&tag=12 HTTP/1.1");
}

TEST(DockerClientRequests, UploadsAnImageTarball) {
  FakeEngine engine({{200, "{\"status\":\"sha256:abcd\"}\r\n"}});
  TempDir dir;
  std::string tarball = dir.path() + "/rootfs.tar";
  std::string content(300000, 'x');
  { std::ofstream(tarball) << content; }
  auto id = engine.client().import_image(tarball, "cairn/test-base", Duration::seconds(5));
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(*id, "sha256:abcd");
  EXPECT_EQ(engine.request_line(0),
            "POST /v1.41/images/create?fromSrc=-&repo=cairn%2Ftest-base&tag=latest HTTP/1.1");
  EXPECT_EQ(engine.request_body(0), content);
  EXPECT_NE(engine.requests()[0].find("Content-Type: application/x-tar"), std::string::npos);
}

TEST(DockerClientRequests, ReadsImagePresence) {
  FakeEngine engine({{404, R"({"message":"No such image: nope:1"})"}});
  auto exists = engine.client().image_exists("nope:1");
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
  EXPECT_EQ(engine.request_line(0), "GET /v1.41/images/nope:1/json HTTP/1.1");
  auto info = engine.client().inspect_image("nope:1");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error(), "docker image inspect nope:1: No such image: nope:1 (HTTP 404)");
}

}  // namespace
}  // namespace cairn::docker
