// Random (version 4) UUIDs: Mesos master ids, Mesos-Stream-Id values and
// status update uuids. to_string() is the canonical 36-character form;
// bytes() the 16 raw bytes (Mesos puts those, base64-encoded, in
// TaskStatus.uuid).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn {

class Uuid {
 public:
  static Uuid random();
  // Canonical form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", any case.
  static std::optional<Uuid> parse(std::string_view text);
  static std::optional<Uuid> from_bytes(std::string_view bytes);

  std::string to_string() const;
  std::string bytes() const { return std::string(bytes_.begin(), bytes_.end()); }
  bool operator==(const Uuid&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace cairn
