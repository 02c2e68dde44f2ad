#include "lib/http/handler.hpp"

namespace cairn::http {

struct Responder::State {
  std::shared_ptr<Exchange> exchange;
  bool answered = false;
  ~State() {
    if (!answered && exchange) {
      exchange->respond(text_response(500, "the handler did not answer this request"));
    }
  }
};

Responder::Responder(std::shared_ptr<Exchange> exchange) : state_(std::make_shared<State>()) {
  state_->exchange = std::move(exchange);
}

void Responder::respond(Response response) {
  if (state_->answered) return;
  state_->answered = true;
  state_->exchange->respond(std::move(response));
}

std::shared_ptr<StreamWriter> Responder::stream(Response head) {
  if (state_->answered) return nullptr;
  state_->answered = true;
  return state_->exchange->stream(std::move(head));
}

bool Responder::answered() const {
  return state_->answered;
}

}  // namespace cairn::http
