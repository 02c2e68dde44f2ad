// A tiny TCP server for the docker tests' image: listens on the port given
// as argv[1] (all addresses) and answers every connection with argv[2] and
// a newline, then closes it. Only libc, so that copying it into the test
// image with its shared libraries stays small.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT MESSAGE\n", argv[0]);
    return 2;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  std::printf("listening on %s\n", argv[1]);
  std::fflush(stdout);
  size_t length = std::strlen(argv[2]);
  for (;;) {
    int client = ::accept(fd, nullptr, nullptr);
    if (client < 0) continue;
    ssize_t written = ::write(client, argv[2], length);
    if (written >= 0) written = ::write(client, "\n", 1);
    ::close(client);
  }
}
