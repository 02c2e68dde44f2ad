// What an HTTP handler gets: the request, and a Responder to answer it with
// either one whole Response or a chunked stream (RecordIO event streams).
//
// Handlers run on the server's EventLoop and may answer later (after a
// ZooKeeper write, a proxied call...): the Responder is a cheap copyable
// handle. A request nobody answers gets a 500 once the last copy of its
// Responder is gone, so a forgotten path cannot hang a client.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "lib/http/message.hpp"

namespace cairn::http {

// The writing end of a chunked response. Use it on the loop thread only.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Queues one chunk; false (and nothing queued) once the stream is closed.
  virtual bool write(std::string data) = 0;
  // Sends the final chunk and closes the connection after queued data.
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // Called once when the stream ends for any reason (peer gone, close(),
  // server stopping). Set it right after opening the stream.
  virtual void on_close(std::function<void()> callback) = 0;
  // Bytes queued but not yet written (a slow reader's backlog).
  virtual size_t queued_bytes() const = 0;
};

// Implemented by the server's connection; tests may implement it too.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void respond(Response response) = 0;
  virtual std::shared_ptr<StreamWriter> stream(Response head) = 0;
};

class Responder {
 public:
  explicit Responder(std::shared_ptr<Exchange> exchange);

  // Exactly one of respond() or stream() may be called; later calls are
  // ignored (respond) or return nullptr (stream).
  void respond(Response response);
  std::shared_ptr<StreamWriter> stream(Response head);
  bool answered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(Request, Responder)>;

}  // namespace cairn::http
