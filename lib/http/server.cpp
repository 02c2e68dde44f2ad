#include "lib/http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <deque>
#include <exception>
#include <unordered_map>

#include "lib/http/tls_context.hpp"
#include "lib/http/url.hpp"

namespace cairn::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// What the server needs from a connection, whatever its stream type.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void respond(uint64_t seq, Response response) = 0;
  virtual std::shared_ptr<StreamWriter> open_stream(uint64_t seq, Response head) = 0;
  virtual bool send_chunk(std::string data) = 0;
  virtual void finish_stream() = 0;
  virtual void shutdown() = 0;     // graceful: finish what is in flight, then close
  virtual void force_close() = 0;  // now
};

// The StreamWriter handed to handlers. It outlives its connection safely:
// once the connection is gone it reports closed.
class ChunkStream final : public StreamWriter {
 public:
  explicit ChunkStream(std::weak_ptr<Connection> connection) : connection_(std::move(connection)) {}

  bool write(std::string data) override {
    if (closed_) return false;
    auto c = connection_.lock();
    if (!c) return false;
    queued_ += data.size();
    return c->send_chunk(std::move(data));
  }
  void close() override {
    if (closed_) return;
    if (auto c = connection_.lock()) c->finish_stream();
  }
  bool closed() const override { return closed_; }
  void on_close(std::function<void()> callback) override {
    if (closed_) {
      if (callback) callback();
      return;
    }
    on_close_ = std::move(callback);
  }
  size_t queued_bytes() const override { return queued_; }

  void written(size_t n) { queued_ -= std::min(n, queued_); }
  void mark_closed() {
    if (closed_) return;
    closed_ = true;
    if (auto cb = std::move(on_close_)) cb();
  }

 private:
  std::weak_ptr<Connection> connection_;
  std::function<void()> on_close_;
  size_t queued_ = 0;
  bool closed_ = false;
};

// One request's Exchange: keeps its connection alive until answered.
class RequestExchange final : public Exchange {
 public:
  RequestExchange(std::shared_ptr<Connection> c, uint64_t seq) : c_(std::move(c)), seq_(seq) {}
  void respond(Response r) override { c_->respond(seq_, std::move(r)); }
  std::shared_ptr<StreamWriter> stream(Response head) override {
    return c_->open_stream(seq_, std::move(head));
  }

 private:
  std::shared_ptr<Connection> c_;
  uint64_t seq_;
};

bool header_value_is_safe(std::string_view v) {
  return v.find_first_of("\r\n") == std::string_view::npos;
}

template <typename Message>
void copy_headers(const Headers& from, Message& to) {
  for (const auto& [name, value] : from) {
    // A handler echoing user input must not be able to split the response.
    if (!header_value_is_safe(name) || !header_value_is_safe(value) || name.empty()) continue;
    to.insert(name, value);
  }
}

std::string chunk_frame(const std::string& data) {
  char size[24];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string frame;
  frame.reserve(static_cast<size_t>(n) + data.size() + 2);
  frame.append(size, static_cast<size_t>(n));
  frame += data;
  frame += "\r\n";
  return frame;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(EventLoop& l, ServerOptions o, Router r)
      : loop(l), options(std::move(o)), router(std::move(r)), acceptor(l.context()) {}

  EventLoop& loop;
  ServerOptions options;
  Router router;
  std::shared_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  ServerStats stats;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
  bool stopping = false;
  std::function<void()> on_stopped;
  Timer grace_timer;
  Timer accept_backoff;

  void accept();
  void admit(tcp::socket socket);
  template <typename Stream>
  void start_session(Stream stream, beast::flat_buffer buffer);
  void removed(uint64_t id);
  void stop(Duration grace, std::function<void()> done);
  void close_all();
};

namespace {

template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class State { kHandshake, kReading, kHandling, kWriting, kStreaming, kClosed };

 public:
  Session(std::shared_ptr<Server::Impl> server, uint64_t id, Stream stream,
          beast::flat_buffer buffer)
      : server_(std::move(server)),
        id_(id),
        stream_(std::move(stream)),
        buffer_(std::move(buffer)) {}

  ~Session() override { server_->removed(id_); }

  void start() {
    if constexpr (kTls) {
      state_ = State::kHandshake;
      lowest().expires_after(options().request_timeout.chrono());
      stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                              [self = this->shared_from_this()](error_code ec, size_t used) {
                                if (ec) return self->close();
                                self->buffer_.consume(used);
                                self->read_request();
                              });
    } else {
      read_request();
    }
  }

  void respond(uint64_t seq, Response response) override {
    if (seq != seq_ || state_ != State::kHandling) return;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    copy_headers(response.headers, *res);
    res->set(bhttp::field::server, options().server_name);
    res->body() = std::move(response.body);
    res->keep_alive(!close_after_);
    res->prepare_payload();
    if (head_request_) res->body().clear();  // length stays that of the GET body
    state_ = State::kWriting;
    lowest().expires_after(options().write_timeout.chrono());
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](error_code ec, size_t) {
                         if (ec || self->close_after_) return self->close();
                         self->read_request();
                       });
  }

  std::shared_ptr<StreamWriter> open_stream(uint64_t seq, Response head) override {
    auto writer = std::make_shared<ChunkStream>(this->weak_from_this());
    if (seq != seq_ || state_ != State::kHandling) {
      writer->mark_closed();
      return writer;
    }
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(head.status));
    copy_headers(head.headers, *res);
    res->set(bhttp::field::server, options().server_name);
    res->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    state_ = State::kStreaming;
    stream_writer_ = writer;
    ++server_->stats.streams_active;
    writing_ = true;
    lowest().expires_after(options().write_timeout.chrono());
    bhttp::async_write_header(
        stream_, *serializer,
        [self = this->shared_from_this(), res, serializer](error_code ec, size_t) {
          if (ec) return self->close();
          self->writing_ = false;
          self->write_queued();
        });
    watch_peer();
    return writer;
  }

  bool send_chunk(std::string data) override {
    if (state_ != State::kStreaming || finishing_) return false;
    if (data.empty()) return true;  // an empty chunk would end the stream
    queued_sizes_.push_back(data.size());
    queue_.push_back(chunk_frame(data));
    if (!writing_) write_queued();
    return true;
  }

  void finish_stream() override {
    if (state_ != State::kStreaming || finishing_) return;
    finishing_ = true;
    queued_sizes_.push_back(0);
    queue_.push_back("0\r\n\r\n");
    if (!writing_) write_queued();
  }

  void shutdown() override {
    switch (state_) {
      case State::kHandshake:
      case State::kReading:
        close();
        break;
      case State::kHandling:
      case State::kWriting:
        close_after_ = true;
        break;
      case State::kStreaming:
        finish_stream();
        break;
      case State::kClosed:
        break;
    }
  }

  void force_close() override { close(); }

 private:
  const ServerOptions& options() const { return server_->options; }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_request() {
    if (state_ == State::kClosed) return;
    if (server_->stopping) return close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    lowest().expires_after(
        (first_request_ ? options().request_timeout : options().idle_timeout).chrono());
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    first_request_ = false;
    lowest().expires_after(options().request_timeout.chrono());
    const auto& req = parser_->get();
    auto expect = req[bhttp::field::expect];
    if (!expect.empty() && beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = this->shared_from_this()](error_code ec, size_t) {
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return dispatch();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->dispatch();
                      });
  }

  void on_read_error(error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return reply_error(431, "request header is larger than the limit of " +
                                  std::to_string(options().max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) {
      return reply_error(413, "request body is larger than the limit of " +
                                  std::to_string(options().max_body_bytes) + " bytes");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return reply_error(400, "malformed HTTP request: " + ec.message());
    }
    close();  // peer closed, timed out, or reset: nobody to answer
  }

  void reply_error(int status, std::string message) {
    state_ = State::kHandling;
    close_after_ = true;
    ++seq_;
    respond(seq_, text_response(status, std::move(message)));
  }

  void dispatch() {
    lowest().expires_never();
    auto raw = parser_->release();
    parser_.reset();
    ++server_->stats.requests;

    Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    for (const auto& field : raw)
      request.headers.add(field.name_string(), std::string(field.value()));
    request.body = std::move(raw.body());
    request.keep_alive = raw.keep_alive();
    request.tls = kTls;
    error_code ignored;
    auto endpoint = lowest().socket().remote_endpoint(ignored);
    request.remote_address = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    if constexpr (kTls)
      request.peer_certificate_subject = peer_certificate_subject(stream_.native_handle());

    close_after_ = !request.keep_alive || server_->stopping;
    head_request_ = raw.method() == bhttp::verb::head;
    state_ = State::kHandling;
    ++seq_;

    std::string_view target = request.target;
    if (target.starts_with("http://") || target.starts_with("https://")) {
      const size_t slash = target.find('/', target.find("//") + 2);
      target = slash == std::string_view::npos ? "/" : target.substr(slash);
    }
    if (target.empty() || target[0] != '/') {
      close_after_ = true;
      return respond(seq_, text_response(400, "malformed request target '" + request.target +
                                                  "' (expected a path starting with '/')"));
    }
    const size_t q = target.find('?');
    auto path = percent_decode(target.substr(0, q), false);
    auto query = parse_query(q == std::string_view::npos ? "" : target.substr(q + 1));
    if (!path.ok() || !query.ok()) {
      close_after_ = true;
      return respond(seq_,
                     text_response(400, "malformed request target '" + request.target +
                                            "': " + (path.ok() ? query.error() : path.error())));
    }
    request.path = std::move(*path);
    request.query = std::move(*query);

    const Router::Route* route = server_->router.find(request.path);
    if (!route) {
      return respond(seq_, text_response(404, "no endpoint at '" + request.path + "' (see /help)"));
    }
    Responder responder(std::make_shared<RequestExchange>(this->shared_from_this(), seq_));
    try {
      route->handler(std::move(request), responder);
    } catch (const std::exception& e) {
      // Handlers should not throw; if one does, the client still gets an answer.
      responder.respond(text_response(500, std::string("internal error: ") + e.what()));
    }
  }

  void write_queued() {
    if (state_ != State::kStreaming) return;
    if (queue_.empty()) {
      writing_ = false;
      lowest().expires_never();
      return;
    }
    writing_ = true;
    in_flight_.clear();
    in_flight_bytes_ = 0;
    std::vector<asio::const_buffer> buffers;
    bool last = false;
    while (!queue_.empty()) {
      in_flight_.push_back(std::move(queue_.front()));
      queue_.pop_front();
      in_flight_bytes_ += queued_sizes_.front();
      last = last || queued_sizes_.front() == 0;
      queued_sizes_.pop_front();
    }
    for (const auto& f : in_flight_)
      buffers.emplace_back(asio::buffer(f));
    lowest().expires_after(options().write_timeout.chrono());
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this(), last](error_code ec, size_t) {
                        if (self->stream_writer_)
                          self->stream_writer_->written(self->in_flight_bytes_);
                        if (ec || last) return self->close();
                        self->write_queued();
                      });
  }

  // While streaming, a read that completes means the peer went away (or
  // sent bytes nobody asked for, which we ignore).
  void watch_peer() {
    stream_.async_read_some(asio::buffer(peek_),
                            [self = this->shared_from_this()](error_code ec, size_t) {
                              if (self->state_ != State::kStreaming) return;
                              if (ec) return self->close();
                              self->watch_peer();
                            });
  }

  void close() {
    if (state_ == State::kClosed) return;
    if (state_ == State::kStreaming) --server_->stats.streams_active;
    state_ = State::kClosed;
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
    if (stream_writer_) stream_writer_->mark_closed();
  }

  std::shared_ptr<Server::Impl> server_;
  uint64_t id_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  State state_ = State::kReading;
  uint64_t seq_ = 0;
  bool first_request_ = true;
  bool close_after_ = false;
  bool head_request_ = false;

  // Streaming.
  std::shared_ptr<ChunkStream> stream_writer_;
  std::deque<std::string> queue_;
  std::deque<size_t> queued_sizes_;  // payload bytes per queued frame; 0 marks the last
  std::vector<std::string> in_flight_;
  size_t in_flight_bytes_ = 0;
  bool writing_ = false;
  bool finishing_ = false;
  char peek_[512];
};

// Reads the first bytes of a connection on a TLS port that also allows
// plain HTTP, and hands it to the right kind of session.
class Detector : public std::enable_shared_from_this<Detector> {
 public:
  Detector(std::shared_ptr<Server::Impl> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {}

  void run() {
    stream_.expires_after(server_->options.request_timeout.chrono());
    beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](error_code ec, bool tls) {
      if (ec) return;
      self->stream_.expires_never();
      if (tls) {
        self->server_->start_session(
            beast::ssl_stream<beast::tcp_stream>(std::move(self->stream_), *self->server_->tls),
            std::move(self->buffer_));
      } else {
        self->server_->start_session(std::move(self->stream_), std::move(self->buffer_));
      }
    });
  }

 private:
  std::shared_ptr<Server::Impl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (!self->acceptor.is_open() || self->stopping) return;
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      self->accept_backoff =
          self->loop.after(Duration::milliseconds(50), [self] { self->accept(); });
      return;
    }
    self->admit(std::move(socket));
    self->accept();
  });
}

void Server::Impl::admit(tcp::socket socket) {
  if (connections.size() >= options.max_connections) {
    ++stats.connections_refused;
    error_code ignored;
    socket.close(ignored);
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (!tls) {
    start_session(beast::tcp_stream(std::move(socket)), beast::flat_buffer());
  } else if (options.tls->allow_plaintext) {
    std::make_shared<Detector>(shared_from_this(), std::move(socket))->run();
  } else {
    start_session(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls),
                  beast::flat_buffer());
  }
}

template <typename Stream>
void Server::Impl::start_session(Stream stream, beast::flat_buffer buffer) {
  const uint64_t id = ++next_id;
  auto session = std::make_shared<Session<Stream>>(shared_from_this(), id, std::move(stream),
                                                   std::move(buffer));
  connections.emplace(id, session);
  ++stats.connections_accepted;
  ++stats.connections_active;
  session->start();
}

void Server::Impl::removed(uint64_t id) {
  if (connections.erase(id) == 0) return;
  --stats.connections_active;
  if (stopping && connections.empty()) {
    grace_timer.cancel();
    if (auto done = std::move(on_stopped)) loop.post(std::move(done));
  }
}

void Server::Impl::stop(Duration grace, std::function<void()> done) {
  if (!stopping) {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
  }
  on_stopped = std::move(done);
  if (connections.empty()) {
    if (auto cb = std::move(on_stopped)) loop.post(std::move(cb));
    return;
  }
  // Copy: shutdown() may close a connection, which removes it from the map.
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [id, weak] : connections) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live)
    c->shutdown();
  grace_timer = loop.after(grace, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->close_all();
  });
}

void Server::Impl::close_all() {
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [id, weak] : connections) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live)
    c->force_close();
}

Server::Server(EventLoop& loop, ServerOptions options, Router router)
    : impl_(std::make_shared<Impl>(loop, std::move(options), std::move(router))) {}

Server::~Server() {
  impl_->stopping = true;
  error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->accept_backoff.cancel();
  impl_->grace_timer.cancel();
  impl_->on_stopped = nullptr;
  impl_->close_all();
}

Result<uint16_t> Server::start() {
  if (impl_->options.tls) {
    auto ctx = make_server_context(*impl_->options.tls);
    if (!ctx.ok()) return Error(ctx.error());
    impl_->tls = *ctx;
  }
  error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return Error("invalid listen address '" + impl_->options.address +
                 "' (expected an IPv4 or IPv6 address such as 0.0.0.0)");
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  const std::string where = impl_->options.address + ":" + std::to_string(impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error("cannot listen on " + where + ": " + ec.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  return impl_->port;
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop(Duration grace, std::function<void()> done) {
  impl_->stop(grace, std::move(done));
}

ServerStats Server::stats() const {
  return impl_->stats;
}

}  // namespace cairn::http
