// The untyped engine behind FlagSet<F>: declared flags and positional
// arguments, the command-line and environment parser, the usage text.
//
// FlagSet<F> (flag_set.hpp) is what programs use. It turns each typed
// declaration into a FlagSpec whose closures parse text into, and render text
// from, a field of a flags struct reached through a void pointer; this table
// does everything that does not depend on the field's type, compiled once in
// flag_table.cpp instead of in every program that declares flags.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/flags/environment.hpp"

namespace cairn::flags::detail {

struct FlagSpec {
  std::string name;
  std::string help;
  std::string type_name;
  bool is_bool = false;
  bool required = false;
  bool from_file = false;  // "file://<path>" values are replaced by the file's contents
  bool secret = false;     // values() shows a placeholder instead of the value
  // Parses `text` and stores the value in the flags struct at `flags`.
  std::function<Status(void* flags, std::string_view text)> assign;
  // The current value as text; nullopt for an unset std::optional.
  std::function<std::optional<std::string>(const void* flags)> render;
  // Checks on the parsed value; each returns an error saying what is wrong.
  std::vector<std::function<Status(const void* flags)>> validators;
};

struct PositionalSpec {
  std::string name;
  std::string help;
  std::string type_name;
  bool optional = false;  // may be left out (a std::optional field)
  bool variadic = false;  // takes every remaining argument (a std::vector field)
  // Parses `text` into the field; a variadic field appends.
  std::function<Status(void* flags, std::string_view text)> assign;
};

class FlagTable {
 public:
  FlagTable(std::string program, std::string summary, std::string env_prefix);

  // Declaration mistakes (a bad or repeated name, a positional after a
  // variadic one) are programming errors; they are recorded and returned by
  // every parse() so that they surface in the first test run.
  FlagSpec& add(FlagSpec spec);
  void add_positional(PositionalSpec spec);

  // Fills the flags struct at `flags`, which already holds the defaults.
  // Sets *help and skips all other checks when --help or -h is given.
  Status parse(void* flags, std::span<const std::string> args, const Environment& env,
               bool* help) const;

  std::string usage(const void* defaults) const;
  std::map<std::string, std::string> values(const void* flags) const;

  std::string env_name(std::string_view flag_name) const;

 private:
  const FlagSpec* find(std::string_view name) const;

  std::string program_;
  std::string summary_;
  std::string env_prefix_;
  std::deque<FlagSpec> flags_;  // a deque keeps references from add() valid
  std::vector<PositionalSpec> positionals_;
  std::vector<std::string> declaration_errors_;
};

}  // namespace cairn::flags::detail
