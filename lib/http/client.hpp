// Asynchronous HTTP/1.1 client for daemon-to-daemon calls (Boost.Beast).
//
// Runs on an EventLoop; callbacks run on the loop thread. send() makes one
// request and delivers the whole response (keep-alive connections are pooled
// per host and reused; a request that fails on a reused connection before any
// response byte arrived is retried once on a fresh one). open_stream() is for
// long-lived chunked responses such as the scheduler event stream: the head
// arrives first, then body bytes as they come. https URLs use TLS with
// server verification (CA file or the system store, host name checked) and
// an optional client certificate.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/message.hpp"
#include "lib/http/tls.hpp"
#include "lib/http/url.hpp"

namespace cairn::http {

struct ClientOptions {
  TlsClientOptions tls;  // used for https URLs
  Duration connect_timeout = Duration::seconds(10);
  // send(): the whole exchange; open_stream(): until the response head.
  Duration request_timeout = Duration::seconds(60);
  size_t max_response_bytes = 64 * 1024 * 1024;
  size_t max_idle_per_host = 8;
  std::string user_agent = std::string("cairn/") + CAIRN_VERSION;
};

struct ClientStats {
  uint64_t connections_opened = 0;
  uint64_t connections_reused = 0;
  uint64_t requests = 0;
};

// Handle of an open response stream; cancel() closes it without further
// callbacks.
class ClientStream {
 public:
  virtual ~ClientStream() = default;
  virtual void cancel() = 0;
};

class Client {
 public:
  using Callback = std::function<void(Result<Response>)>;

  struct StreamCallbacks {
    // The response head. For a status other than 2xx the whole (bounded)
    // body is in it, no data follows, and on_end(ok) comes next.
    std::function<void(const Response& head)> on_head;
    std::function<void(std::string_view data)> on_data;
    // Ok when the server ended the response; an error when connecting,
    // reading or TLS failed (on_head may not have been called).
    std::function<void(Status)> on_end;
  };

  explicit Client(EventLoop& loop, ClientOptions options = {});
  ~Client();  // cancels everything in flight; no callback runs afterwards
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `request.target` is replaced by the URL's path and query. Call on the
  // loop thread.
  void send(const Url& url, Request request, Callback done);
  std::shared_ptr<ClientStream> open_stream(const Url& url, Request request,
                                            StreamCallbacks callbacks);

  ClientStats stats() const;

  // Defined in the .cpp; public only so that its helpers can name it.
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::http
