// FlagSet<F>: the command-line flags of a Cairn program, declared against
// the fields of the program's own flags struct, parsed the Mesos way.
//
//   struct MasterFlags {
//     uint16_t port = 5050;
//     std::string work_dir;
//     Duration offer_timeout = Duration::seconds(10);
//     std::optional<std::string> zk;
//     bool authenticate_agents = false;
//   };
//
//   FlagSet<MasterFlags> set("cairn-master", "The Cairn master.");
//   set.add(&MasterFlags::port, "port", "Port to listen on.");
//   set.add(&MasterFlags::work_dir, "work_dir", "Where state is kept.").required();
//   set.add(&MasterFlags::offer_timeout, "offer_timeout", "...").validate(flags::positive);
//   set.add(&MasterFlags::zk, "zk", "ZooKeeper URL.").from_file();
//   set.add(&MasterFlags::authenticate_agents, "authenticate_agents", "...");
//   Result<Parsed<MasterFlags>> parsed = set.parse(argc, argv);
//
// A field's initial value in the struct is the flag's default; the
// four-argument add() sets another. Syntax: --name=value and --name value;
// booleans also --name, --no-name and --name=true|false; "--" ends the flags;
// --help / -h ask for usage(). Every flag can also be set in the environment
// as CAIRN_<UPPER_NAME>; the command line wins over the environment, the
// environment over the default. Fields may be members of a base class of F,
// so that shared flag groups (e.g. LoggingFlags) can be inherited.
//
// parse() never exits or throws: it returns every problem at once, one per
// line (unknown flags with a did-you-mean, values given twice, type errors
// naming the flag, value and what is valid, missing required flags and
// arguments, failed validators).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/flags/environment.hpp"
#include "lib/flags/flag_table.hpp"
#include "lib/flags/flag_value.hpp"

namespace cairn::flags {

template <typename F>
struct Parsed {
  F flags;
  // --help was given: print FlagSet::usage() and exit 0. Nothing else was
  // checked and `flags` holds the defaults.
  bool help = false;
};

template <typename T>
struct VectorTraits {
  static constexpr bool is_vector = false;
};
template <typename T>
struct VectorTraits<std::vector<T>> {
  static constexpr bool is_vector = true;
  using value_type = T;
};

// Returned by FlagSet::add() to refine a declaration:
//   set.add(...).required().validate(flags::positive);
template <typename F, typename T>
class FlagOptions {
 public:
  using Value = typename OptionalTraits<T>::value_type;

  FlagOptions(detail::FlagSpec* spec, F* defaults, T F::*field)
      : spec_(spec), defaults_(defaults), field_(field) {}

  // Parsing fails unless the flag is given on the command line or in the
  // environment.
  FlagOptions& required() {
    spec_->required = true;
    return *this;
  }

  // A value "file://<path>" is replaced by the trimmed contents of the file.
  FlagOptions& from_file() {
    spec_->from_file = true;
    return *this;
  }

  // FlagSet::values() shows "********" instead of the value, and usage()
  // does not print the default.
  FlagOptions& secret() {
    spec_->secret = true;
    return *this;
  }

  FlagOptions& default_value(T value) {
    defaults_->*field_ = std::move(value);
    return *this;
  }

  // Runs after parsing on the effective value (given or default; skipped
  // for an unset optional). The error says what is wrong ("must be greater
  // than zero"); FlagSet adds the flag and the value.
  FlagOptions& validate(std::function<Status(const Value&)> check) {
    spec_->validators.push_back(
        [field = field_, check = std::move(check)](const void* flags) -> Status {
          const T& value = static_cast<const F*>(flags)->*field;
          if constexpr (OptionalTraits<T>::is_optional) {
            if (!value) return ok_status();
            return check(*value);
          } else {
            return check(value);
          }
        });
    return *this;
  }

 private:
  detail::FlagSpec* spec_;
  F* defaults_;
  T F::*field_;
};

template <typename F>
class FlagSet {
 public:
  static_assert(std::is_default_constructible_v<F> && std::is_copy_constructible_v<F>,
                "a flags struct must be default constructible and copyable");

  // `program` and `summary` head the usage text; `env_prefix` + UPPER_NAME
  // is each flag's environment variable.
  explicit FlagSet(std::string program, std::string summary = "", std::string env_prefix = "CAIRN_")
      : table_(std::move(program), std::move(summary), std::move(env_prefix)) {}

  // Flags share `defaults_`'s address with their closures: not copyable.
  FlagSet(const FlagSet&) = delete;
  FlagSet& operator=(const FlagSet&) = delete;

  // A flag of a built-in type (see flag_value.hpp) or std::optional of one.
  template <typename T, typename C>
  FlagOptions<F, T> add(T C::*field, std::string name, std::string help) {
    return add_custom(field, std::move(name), std::move(help),
                      builtin_codec<typename OptionalTraits<T>::value_type>());
  }

  template <typename T, typename C, typename D>
  FlagOptions<F, T> add(T C::*field, std::string name, std::string help, D&& default_value) {
    auto options = add(field, std::move(name), std::move(help));
    options.default_value(T(std::forward<D>(default_value)));
    return options;
  }

  // A flag of a type with a codec of the program's own (T is V or
  // std::optional<V>).
  template <typename T, typename C, typename V>
  FlagOptions<F, T> add_custom(T C::*field_in_c, std::string name, std::string help,
                               FlagCodec<V> codec) {
    static_assert(std::is_base_of_v<C, F>, "the field must belong to the flags struct or a base");
    static_assert(std::is_same_v<typename OptionalTraits<T>::value_type, V>,
                  "the codec must produce the field's type");
    T F::*field = field_in_c;
    detail::FlagSpec spec;
    spec.name = std::move(name);
    spec.help = std::move(help);
    spec.type_name = codec.type_name;
    spec.is_bool = std::is_same_v<V, bool>;
    spec.assign = [field, parse = codec.parse](void* flags, std::string_view text) -> Status {
      Result<V> value = parse(text);
      if (!value.ok()) return Error(value.error());
      static_cast<F*>(flags)->*field = std::move(value).value();
      return ok_status();
    };
    spec.render = [field, format = codec.format](const void* flags) -> std::optional<std::string> {
      const T& value = static_cast<const F*>(flags)->*field;
      if constexpr (OptionalTraits<T>::is_optional) {
        if (!value) return std::nullopt;
        return format(*value);
      } else {
        return format(value);
      }
    };
    return FlagOptions<F, T>(&table_.add(std::move(spec)), &defaults_, field);
  }

  // A positional argument. T may be a built-in type (a required argument),
  // std::optional of one (may be left out) or std::vector of one (takes all
  // remaining arguments). Arguments are filled in declaration order.
  template <typename T, typename C>
  void positional(T C::*field_in_c, std::string name, std::string help) {
    static_assert(std::is_base_of_v<C, F>, "the field must belong to the flags struct or a base");
    T F::*field = field_in_c;
    detail::PositionalSpec spec;
    spec.name = std::move(name);
    spec.help = std::move(help);
    if constexpr (VectorTraits<T>::is_vector) {
      using V = typename VectorTraits<T>::value_type;
      spec.variadic = true;
      spec.type_name = builtin_codec<V>().type_name;
      spec.assign = [field](void* flags, std::string_view text) -> Status {
        Result<V> value = builtin_codec<V>().parse(text);
        if (!value.ok()) return Error(value.error());
        (static_cast<F*>(flags)->*field).push_back(std::move(value).value());
        return ok_status();
      };
    } else {
      using V = typename OptionalTraits<T>::value_type;
      spec.optional = OptionalTraits<T>::is_optional;
      spec.type_name = builtin_codec<V>().type_name;
      spec.assign = [field](void* flags, std::string_view text) -> Status {
        Result<V> value = builtin_codec<V>().parse(text);
        if (!value.ok()) return Error(value.error());
        static_cast<F*>(flags)->*field = std::move(value).value();
        return ok_status();
      };
    }
    table_.add_positional(std::move(spec));
  }

  // `args` excludes the program name.
  Result<Parsed<F>> parse(std::span<const std::string> args, const Environment& env) const {
    Parsed<F> parsed{defaults_};
    Status st = table_.parse(&parsed.flags, args, env, &parsed.help);
    if (!st.ok()) return Error(st.error());
    return parsed;
  }

  // The usual entry point: argv[0] is the program name; reads `environ`.
  Result<Parsed<F>> parse(int argc, const char* const* argv) const {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i)
      args.emplace_back(argv[i] != nullptr ? argv[i] : "");
    return parse(args, process_environment());
  }

  std::string usage() const { return table_.usage(&defaults_); }

  // Effective values as text, name -> value (for GET_FLAGS and /flags);
  // unset optional flags are left out.
  std::map<std::string, std::string> values(const F& flags) const { return table_.values(&flags); }

  const F& defaults() const { return defaults_; }

 private:
  detail::FlagTable table_;
  F defaults_{};
};

}  // namespace cairn::flags
