#include "lib/docker/engine_http.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace cairn::docker::detail {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* curl = nullptr;
  const EngineRequest* request = nullptr;
  EngineResponse response;
  bool too_large = false;
  FILE* upload = nullptr;
};

bool success(long status) {
  return status >= 200 && status < 300;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  if (t->response.status == 0)
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->response.status);
  if (t->request->on_data && success(t->response.status)) {
    if (!t->request->on_data(std::string_view(data, length))) {
      t->response.stopped = true;
      return 0;  // anything but `length` aborts the transfer
    }
    return length;
  }
  if (t->response.body.size() + length > t->request->max_body_bytes) {
    t->too_large = true;
    return 0;
  }
  t->response.body.append(data, length);
  return length;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = std::fread(buffer, 1, size * count, t->upload);
  if (n == 0 && std::ferror(t->upload)) return CURL_READFUNC_ABORT;
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->request->keep_going && !t->request->keep_going()) {
    t->response.stopped = true;
    return 1;
  }
  return 0;
}

// Why connecting failed, in the words of connect(2): curl's own message
// talks about "localhost port 80", which only confuses.
std::string connect_failure(const std::string& socket_path) {
  sockaddr_un address{};
  if (socket_path.size() >= sizeof(address.sun_path)) {
    return "the socket path is longer than " + std::to_string(sizeof(address.sun_path) - 1) +
           " bytes";
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  int error = errno;
  ::close(fd);
  if (rc == 0) return "the connection failed";
  return std::strerror(error);
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

}  // namespace

Result<EngineResponse> perform(const std::string& socket_path, Duration connect_timeout,
                               const EngineRequest& request) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error("cannot create a curl handle");
  CURL* c = curl.get();

  Transfer transfer;
  transfer.curl = c;
  transfer.request = &request;

  std::unique_ptr<FILE, FileCloser> upload;
  long long upload_size = 0;
  if (!request.upload_path.empty()) {
    upload.reset(std::fopen(request.upload_path.c_str(), "rbe"));
    struct stat info {};
    if (!upload || ::fstat(fileno(upload.get()), &info) != 0) {
      return Error("cannot read " + request.upload_path + ": " + std::strerror(errno));
    }
    upload_size = info.st_size;
    transfer.upload = upload.get();
  }

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  bool has_body = !request.body.empty() || upload;
  if (has_body) add_header("Content-Type: " + request.content_type);
  add_header("Expect:");  // no 100-continue round trip for large uploads
  for (const auto& line : request.headers)
    add_header(line);

  std::string url = "http://docker" + request.target;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "cairn/" CAIRN_VERSION);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.ms()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.ms()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    if (upload) {
      curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(upload_size));
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  if (code == CURLE_OK) return std::move(transfer.response);

  if (transfer.response.stopped &&
      (code == CURLE_WRITE_ERROR || code == CURLE_ABORTED_BY_CALLBACK)) {
    return std::move(transfer.response);
  }
  if (transfer.too_large) {
    return Error("the engine's answer is larger than " + std::to_string(request.max_body_bytes) +
                 " bytes");
  }
  if (code == CURLE_COULDNT_CONNECT) {
    return Error("cannot reach the Docker engine at " + socket_path + ": " +
                 connect_failure(socket_path) + " (is dockerd running?)");
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    // Connecting to a unix socket is immediate, so the limit that ran out is
    // the request's (or, for requests without one, the connect timeout).
    Duration limit = request.timeout.ns() > 0 ? request.timeout : connect_timeout;
    return Error("the Docker engine at " + socket_path + " did not answer within " +
                 limit.to_string());
  }
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  return Error("talking to the Docker engine at " + socket_path + ": " + detail);
}

std::string engine_message(const EngineResponse& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object()) {
    auto it = json.find("message");
    if (it != json.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  std::string text = response.body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.size() > 500) text = text.substr(0, 500) + "...";
  if (!text.empty()) return text;
  return "HTTP " + std::to_string(response.status);
}

}  // namespace cairn::docker::detail
