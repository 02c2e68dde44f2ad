// libFuzzer target for lib/resources: arbitrary bytes as agent resources,
// attributes and resource JSON.
//
// Parsing must never crash. Whatever parses must satisfy the module's
// invariants, and a violation traps so libFuzzer records the input:
//   - to_string() parses back to an equal value (when it is text syntax);
//   - to_json() in each format reads back to an equal value, and dumps;
//   - r - r is empty, r contains r, (r + r) - r == r.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"

namespace {

using cairn::Attributes;
using cairn::Resource;
using cairn::ResourceFormat;
using cairn::Resources;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// The text syntax has no place for dynamic reservations or allocations, and
// roles containing ;:() cannot be written inside `name(role)`.
bool expressible_in_text(const Resources& r) {
  for (const Resource& e : r) {
    if (e.is_dynamically_reserved() || e.allocation_role) return false;
    if (e.role().find_first_of(";:()") != std::string_view::npos) return false;
  }
  return true;
}

void check_resources(const Resources& r) {
  if (expressible_in_text(r)) {
    auto again = Resources::parse(r.to_string());
    check(again.ok());
    check(*again == r);
  }
  for (ResourceFormat f : {ResourceFormat::kPreRefinement, ResourceFormat::kPostRefinement,
                           ResourceFormat::kEndpoint}) {
    const nlohmann::json out = r.to_json(f);
    auto back = Resources::from_json(nlohmann::json::parse(out.dump()));
    check(back.ok());
    check(*back == r);
  }
  (void)r.to_v0_json().dump();
  check((r - r).empty());
  check(r.contains(r));
  const Resources twice = r + r;
  check(twice.contains(r));
  check(twice - r == r || !r.filter([](const Resource& e) {
                              return e.type() != cairn::ValueType::kScalar;
                            }).empty());  // ranges and sets have set semantics
  Resources plain = r;
  plain.unallocate();
  check(plain.scalar_totals() == r.scalar_totals());
  Resources allocated = r;
  allocated.allocate("fuzz");
  check(allocated.allocated_to("fuzz") == allocated);
  allocated.unallocate();
  check(allocated == plain);
}

void check_attributes(const Attributes& a) {
  auto again = Attributes::parse(a.to_string());
  check(again.ok());
  check(*again == a);
  auto back = Attributes::from_json(nlohmann::json::parse(a.to_json().dump()));
  check(back.ok());
  check(*back == a);
  (void)a.to_v0_json().dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto r = Resources::parse(text); r.ok()) check_resources(*r);
  if (auto r = Resources::parse(text, "fuzz/role"); r.ok()) check_resources(*r);
  if (auto a = Attributes::parse(text); a.ok()) check_attributes(*a);

  // Resource JSON as frameworks send it (dynamic reservations, allocations).
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    if (auto r = Resources::from_json(json); r.ok()) check_resources(*r);
    if (auto a = Attributes::from_json(json); a.ok()) {
      auto back = Attributes::from_json(nlohmann::json::parse(a->to_json().dump()));
      check(back.ok());
      check(*back == *a);
      (void)a->to_v0_json().dump();
    }
  }
  return 0;
}
