#include "daemons/agent/fetcher/http_download.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

#include "daemons/agent/fetcher/uri_location.hpp"

namespace cairn::fetcher {

namespace {

using Clock = std::chrono::steady_clock;

// State shared with curl's callbacks for one transfer.
struct Transfer {
  int fd = -1;
  uint64_t written = 0;
  uint64_t max_bytes = 0;
  bool too_large = false;
  int write_errno = 0;
  Clock::duration stall_limit{};
  Clock::time_point last_progress = Clock::now();
  curl_off_t last_received = -1;
  bool stalled = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  if (t->max_bytes > 0 && t->written + length > t->max_bytes) {
    t->too_large = true;
    return 0;  // anything but `length` aborts the transfer
  }
  for (size_t done = 0; done < length;) {
    ssize_t n = ::write(t->fd, data + done, length - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      t->write_errno = errno;
      return 0;
    }
    done += static_cast<size_t>(n);
  }
  t->written += length;
  t->last_progress = Clock::now();
  return length;
}

// curl calls this about once a second even when nothing arrives, which is
// what makes the stall timeout work while waiting for headers or body.
int on_progress(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  Clock::time_point now = Clock::now();
  if (received != t->last_received) {
    t->last_received = received;
    t->last_progress = now;
  }
  if (t->stall_limit > Clock::duration::zero() && now - t->last_progress > t->stall_limit) {
    t->stalled = true;
    return 1;
  }
  return 0;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

}  // namespace

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<uint64_t> http_download(const std::string& url, int fd, const FetcherOptions& options) {
  init_curl();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error("cannot create a libcurl handle");
  CURL* c = curl.get();

  Transfer transfer;
  transfer.fd = fd;
  transfer.max_bytes = options.max_download.bytes();
  transfer.stall_limit = options.stall_timeout.chrono();
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on worker threads
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (options.ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file->c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "cairn-fetcher/" CAIRN_VERSION);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  if (options.stall_timeout > Duration())
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.stall_timeout.ms()));
  if (transfer.max_bytes > 0)  // refused up front when Content-Length says so
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(transfer.max_bytes));

  CURLcode code = curl_easy_perform(c);

  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  std::string where;
  if (effective != nullptr && url != effective)
    where = " (redirected to " + redact_uri(effective) + ")";

  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED)
    return Error("larger than the download limit of " + options.max_download.to_string() + where);
  if (transfer.stalled)
    return Error("no data received for " + options.stall_timeout.to_string() + " (stall timeout)" +
                 where);
  if (transfer.write_errno != 0)
    return Error(std::string("cannot write the download: ") + std::strerror(transfer.write_errno));
  if (code == CURLE_HTTP_RETURNED_ERROR)
    return Error("server answered HTTP " + std::to_string(status) + where);
  if (code == CURLE_OPERATION_TIMEDOUT && options.stall_timeout > Duration())
    return Error("no connection within " + options.stall_timeout.to_string() + " (stall timeout)" +
                 where);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return Error("download failed: " + detail + where);
  }
  if (status < 200 || status >= 300)
    return Error("server answered HTTP " + std::to_string(status) + " (expected 2xx)" + where);
  return transfer.written;
}

}  // namespace cairn::fetcher
