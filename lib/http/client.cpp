#include "lib/http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <unordered_map>
#include <vector>

#include "lib/http/tls_context.hpp"

namespace cairn::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

using SslStream = beast::ssl_stream<beast::tcp_stream>;

// One TCP or TLS connection, with the read buffer that belongs to it.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<SslStream> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  template <typename F>
  void visit(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }
  void close() {
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }
};

std::string pool_key(const Url& url) {
  return url.scheme + "://" + url.authority();
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

class Call;

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(EventLoop& l, ClientOptions o) : loop(l), options(std::move(o)) {}

  EventLoop& loop;
  ClientOptions options;
  std::shared_ptr<asio::ssl::context> tls;
  std::string tls_error;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::vector<std::weak_ptr<Call>> calls;
  ClientStats stats;

  asio::ssl::context* tls_context() {
    if (!tls && tls_error.empty()) {
      auto ctx = make_client_context(options.tls);
      if (ctx.ok()) {
        tls = *ctx;
      } else {
        tls_error = ctx.error();
      }
    }
    return tls.get();
  }

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    auto c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> c) {
    auto& list = idle[key];
    if (list.size() >= options.max_idle_per_host) return c->close();
    list.push_back(std::move(c));
  }

  void track(const std::shared_ptr<Call>& call) {
    std::erase_if(calls, [](const auto& w) { return w.expired(); });
    calls.push_back(call);
  }
};

// What a request and a stream share: connecting (resolve, TCP, TLS) and
// cancellation.
class Call : public ClientStream, public std::enable_shared_from_this<Call> {
 public:
  Call(std::shared_ptr<Client::Impl> client, Url url, Request request)
      : client_(std::move(client)),
        url_(std::move(url)),
        request_(std::move(request)),
        resolver_(client_->loop.context()) {}

  void cancel() override {
    if (cancelled_) return;
    cancelled_ = true;
    resolver_.cancel();
    if (conn_) conn_->close();
  }

 protected:
  // Opens a new connection to url_ and calls next() with "" or an error.
  void connect(std::function<void(std::string)> next) {
    ++client_->stats.connections_opened;
    conn_ = std::make_unique<Connection>();
    if (url_.tls()) {
      asio::ssl::context* ctx = client_->tls_context();
      if (!ctx) return next("TLS client setup failed: " + client_->tls_error);
      conn_->tls = std::make_unique<SslStream>(client_->loop.context(), *ctx);
      if (!is_ip_literal(url_.host)) {
        SSL_set_tlsext_host_name(conn_->tls->native_handle(), url_.host.c_str());
      }
      if (client_->options.tls.verify_peer) {
        conn_->tls->set_verify_callback(asio::ssl::host_name_verification(url_.host));
      }
    } else {
      conn_->plain = std::make_unique<beast::tcp_stream>(client_->loop.context());
    }
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this(), next](error_code ec, tcp::resolver::results_type results) {
          if (self->cancelled_) return;
          if (ec) return next("cannot resolve '" + self->url_.host + "': " + ec.message());
          auto& tcp_stream = self->conn_->lowest();
          tcp_stream.expires_after(self->client_->options.connect_timeout.chrono());
          tcp_stream.async_connect(results, [self, next](error_code ec, const tcp::endpoint&) {
            if (self->cancelled_) return;
            if (ec)
              return next("cannot connect to " + self->url_.authority() + ": " + ec.message());
            error_code ignored;
            self->conn_->lowest().socket().set_option(tcp::no_delay(true), ignored);
            if (!self->conn_->tls) return next("");
            self->conn_->tls->async_handshake(
                asio::ssl::stream_base::client, [self, next](error_code ec) {
                  if (self->cancelled_) return;
                  if (ec) {
                    return next("TLS handshake with " + self->url_.authority() +
                                " failed: " + ec.message());
                  }
                  next("");
                });
          });
        });
  }

  std::shared_ptr<bhttp::request<bhttp::string_body>> make_request() {
    auto req = std::make_shared<bhttp::request<bhttp::string_body>>();
    req->version(11);
    req->method_string(request_.method);
    req->target(url_.target);
    for (const auto& [name, value] : request_.headers)
      req->insert(name, value);
    if (!request_.headers.has("Host")) req->set(bhttp::field::host, url_.authority());
    if (!request_.headers.has("User-Agent")) {
      req->set(bhttp::field::user_agent, client_->options.user_agent);
    }
    req->body() = request_.body;
    req->keep_alive(true);
    req->prepare_payload();
    return req;
  }

  template <typename Fields>
  static void copy_head(const bhttp::header<false, Fields>& from, Response& to) {
    to.status = static_cast<int>(from.result_int());
    for (const auto& field : from)
      to.headers.add(field.name_string(), std::string(field.value()));
  }

  std::shared_ptr<Client::Impl> client_;
  Url url_;
  Request request_;
  tcp::resolver resolver_;
  std::unique_ptr<Connection> conn_;
  bool cancelled_ = false;
};

namespace {

class SendCall final : public Call {
 public:
  SendCall(std::shared_ptr<Client::Impl> client, Url url, Request request, Client::Callback done)
      : Call(std::move(client), std::move(url), std::move(request)), done_(std::move(done)) {}

  void run() {
    key_ = pool_key(url_);
    ++client_->stats.requests;
    conn_ = client_->take_idle(key_);
    if (conn_) {
      reused_ = true;
      ++client_->stats.connections_reused;
      return write();
    }
    fresh_attempt();
  }

 private:
  void fresh_attempt() {
    reused_ = false;
    connect([self = shared(), this](std::string error) {
      if (!error.empty()) return finish(Error(std::move(error)));
      write();
    });
  }

  std::shared_ptr<SendCall> shared() {
    return std::static_pointer_cast<SendCall>(shared_from_this());
  }

  void write() {
    req_ = make_request();
    conn_->lowest().expires_after(client_->options.request_timeout.chrono());
    conn_->visit([&](auto& stream) {
      bhttp::async_write(stream, *req_, [self = shared(), this](error_code ec, size_t) {
        if (cancelled_) return;
        if (ec) return failed("sending the request", ec, false);
        read();
      });
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(client_->options.max_response_bytes);
    parser_->header_limit(1024 * 1024);
    conn_->visit([&](auto& stream) {
      bhttp::async_read_header(
          stream, conn_->buffer, *parser_, [self = shared(), this](error_code ec, size_t) {
            if (cancelled_) return;
            if (ec) return failed("reading the response", ec, parser_->got_some());
            // Beast 1.74 skips the body limit for responses read
            // eagerly with a Content-Length: check it here.
            auto length = parser_->content_length();
            if (length && *length > client_->options.max_response_bytes) {
              return failed("reading the response",
                            bhttp::make_error_code(bhttp::error::body_limit), true);
            }
            read_body();
          });
    });
  }

  void read_body() {
    conn_->visit([&](auto& stream) {
      bhttp::async_read(stream, conn_->buffer, *parser_,
                        [self = shared(), this](error_code ec, size_t) {
                          if (cancelled_) return;
                          if (ec) return failed("reading the response", ec, true);
                          auto raw = parser_->release();
                          Response response;
                          copy_head(raw.base(), response);
                          response.body = std::move(raw.body());
                          conn_->lowest().expires_never();
                          if (raw.keep_alive()) {
                            client_->give_back(key_, std::move(conn_));
                          } else {
                            conn_->close();
                          }
                          finish(std::move(response));
                        });
    });
  }

  void failed(const char* what, error_code ec, bool got_response_bytes) {
    conn_->close();
    // The server may have closed an idle pooled connection just before we
    // used it: nothing was processed, so one retry on a fresh one is safe.
    if (reused_ && !retried_ && !got_response_bytes && ec != beast::error::timeout) {
      retried_ = true;
      return fresh_attempt();
    }
    std::string message = std::string(what) + " to " + url_.to_string() + " failed: ";
    message += ec == beast::error::timeout
                   ? "timed out after " + client_->options.request_timeout.to_string()
                   : ec.message();
    finish(Error(std::move(message)));
  }

  void finish(Result<Response> result) {
    if (cancelled_ || !done_) return;
    auto done = std::move(done_);
    done(std::move(result));
  }

  Client::Callback done_;
  std::string key_;
  std::shared_ptr<bhttp::request<bhttp::string_body>> req_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  bool reused_ = false;
  bool retried_ = false;
};

class StreamCall final : public Call {
 public:
  StreamCall(std::shared_ptr<Client::Impl> client, Url url, Request request,
             Client::StreamCallbacks callbacks)
      : Call(std::move(client), std::move(url), std::move(request)),
        callbacks_(std::move(callbacks)) {}

  void run() {
    ++client_->stats.requests;
    connect([self = shared(), this](std::string error) {
      if (!error.empty()) return end(Error(std::move(error)));
      req_ = make_request();
      conn_->lowest().expires_after(client_->options.request_timeout.chrono());
      conn_->visit([&](auto& stream) {
        bhttp::async_write(stream, *req_, [self = shared(), this](error_code ec, size_t) {
          if (cancelled_) return;
          if (ec)
            return end(
                Error("sending the request to " + url_.to_string() + " failed: " + ec.message()));
          read_head();
        });
      });
    });
  }

 private:
  std::shared_ptr<StreamCall> shared() {
    return std::static_pointer_cast<StreamCall>(shared_from_this());
  }

  void read_head() {
    parser_.header_limit(1024 * 1024);
    // Streams may run for days. (Not boost::none: Beast 1.74 then refuses
    // every Content-Length body.)
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    conn_->visit([&](auto& stream) {
      bhttp::async_read_header(stream, conn_->buffer, parser_,
                               [self = shared(), this](error_code ec, size_t) {
                                 if (cancelled_) return;
                                 if (ec)
                                   return end(Error("reading the response from " +
                                                    url_.to_string() + " failed: " + ec.message()));
                                 copy_head(parser_.get().base(), head_);
                                 success_ = head_.status >= 200 && head_.status < 300;
                                 // Only the head had a deadline: an event stream stays quiet for
                                 // long.
                                 if (success_) {
                                   conn_->lowest().expires_never();
                                   if (callbacks_.on_head) callbacks_.on_head(head_);
                                   if (cancelled_) return;
                                 }
                                 read_body();
                               });
    });
  }

  void read_body() {
    if (parser_.is_done()) return done_reading();
    parser_.get().body().data = chunk_;
    parser_.get().body().size = sizeof chunk_;
    conn_->visit([&](auto& stream) {
      bhttp::async_read_some(
          stream, conn_->buffer, parser_, [self = shared(), this](error_code ec, size_t) {
            if (cancelled_) return;
            if (ec == bhttp::error::need_buffer) ec = {};
            const size_t got = sizeof chunk_ - parser_.get().body().size;
            if (got > 0) {
              if (success_) {
                if (callbacks_.on_data) callbacks_.on_data(std::string_view(chunk_, got));
                if (cancelled_) return;
              } else if (head_.body.size() + got <= client_->options.max_response_bytes) {
                head_.body.append(chunk_, got);
              }
            }
            if (ec)
              return end(Error("reading the stream from " + url_.to_string() +
                               " failed: " + ec.message()));
            read_body();
          });
    });
  }

  void done_reading() {
    if (!success_ && callbacks_.on_head) callbacks_.on_head(head_);
    if (cancelled_) return;
    conn_->close();
    end(ok_status());
  }

  void end(Status status) {
    if (cancelled_) return;
    cancelled_ = true;  // nothing after the end
    if (conn_) conn_->close();
    if (callbacks_.on_end) callbacks_.on_end(status);
  }

  Client::StreamCallbacks callbacks_;
  std::shared_ptr<bhttp::request<bhttp::string_body>> req_;
  bhttp::response_parser<bhttp::buffer_body> parser_;
  Response head_;
  bool success_ = false;
  char chunk_[16 * 1024];
};

}  // namespace

Client::Client(EventLoop& loop, ClientOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {}

Client::~Client() {
  for (auto& weak : impl_->calls) {
    if (auto call = weak.lock()) call->cancel();
  }
  for (auto& [key, list] : impl_->idle) {
    for (auto& c : list)
      c->close();
  }
  impl_->idle.clear();
}

void Client::send(const Url& url, Request request, Callback done) {
  auto call = std::make_shared<SendCall>(impl_, url, std::move(request), std::move(done));
  impl_->track(call);
  call->run();
}

std::shared_ptr<ClientStream> Client::open_stream(const Url& url, Request request,
                                                  StreamCallbacks callbacks) {
  auto call = std::make_shared<StreamCall>(impl_, url, std::move(request), std::move(callbacks));
  impl_->track(call);
  call->run();
  return call;
}

ClientStats Client::stats() const {
  return impl_->stats;
}

}  // namespace cairn::http
