// Parsing happens in three passes so that every mistake is reported at once:
// (1) the command line is split into flag texts and positional arguments,
// (2) each flag takes its text from the command line, else the environment,
// else keeps its default, and is parsed, (3) required flags, validators and
// positional arguments are checked. Only the flag's winning text is parsed:
// a bad CAIRN_PORT overridden by --port is not an error.
//
// Written directly instead of on Boost.Program_options (DESIGN.md's flags
// dependency) because program_options fits these semantics badly: it has no
// --no-<name> negation, its environment parser cannot give the command line
// precedence without a second options_description, it throws on the first
// error instead of collecting them, and its unknown-option and type-error
// messages cannot carry a did-you-mean or Mesos' units in a useful form.
#include "lib/flags/flag_table.hpp"

#include <cctype>
#include <vector>

#include "lib/base/suggest.hpp"
#include "lib/flags/file_reference.hpp"

namespace cairn::flags::detail {
namespace {

bool is_valid_flag_name(std::string_view name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::islower(u) && !std::isdigit(u) && c != '_') return false;
  }
  return true;
}

// "-5" and "-.5" are negative numbers, i.e. positional arguments, not options.
bool looks_like_number(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.');
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

// A flag's text and how the user wrote it, for error messages.
struct GivenValue {
  std::string text;
  std::string origin;  // "--port=abc" or "CAIRN_PORT=abc (environment)"
};

}  // namespace

FlagTable::FlagTable(std::string program, std::string summary, std::string env_prefix)
    : program_(std::move(program)),
      summary_(std::move(summary)),
      env_prefix_(std::move(env_prefix)) {}

std::string FlagTable::env_name(std::string_view flag_name) const {
  std::string name = env_prefix_;
  for (char c : flag_name)
    name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const FlagSpec* FlagTable::find(std::string_view name) const {
  for (const FlagSpec& spec : flags_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

FlagSpec& FlagTable::add(FlagSpec spec) {
  if (!is_valid_flag_name(spec.name)) {
    declaration_errors_.push_back("flag declaration: invalid name '" + spec.name +
                                  "' (expected lower case letters, digits and '_', "
                                  "starting with a letter)");
  } else if (spec.name == "help") {
    declaration_errors_.push_back("flag declaration: 'help' is built in and cannot be declared");
  } else if (find(spec.name) != nullptr) {
    declaration_errors_.push_back("flag declaration: '" + spec.name + "' is declared twice");
  }
  flags_.push_back(std::move(spec));
  return flags_.back();
}

void FlagTable::add_positional(PositionalSpec spec) {
  if (!positionals_.empty() && positionals_.back().variadic) {
    declaration_errors_.push_back("flag declaration: positional argument <" + spec.name +
                                  "> follows <" + positionals_.back().name +
                                  ">, which takes all remaining arguments");
  } else if (!spec.optional && !spec.variadic && !positionals_.empty() &&
             positionals_.back().optional) {
    declaration_errors_.push_back("flag declaration: required positional argument <" + spec.name +
                                  "> follows optional <" + positionals_.back().name + ">");
  }
  positionals_.push_back(std::move(spec));
}

Status FlagTable::parse(void* flags, std::span<const std::string> args, const Environment& env,
                        bool* help) const {
  *help = false;
  if (!declaration_errors_.empty()) return Error(join_lines(declaration_errors_));

  std::vector<std::string> errors;
  std::map<const FlagSpec*, GivenValue> given;
  std::vector<std::string> positional_args;

  // Pass 1: split the command line.
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional) {
      positional_args.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      *help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      if (arg.size() > 1 && arg[0] == '-' && !looks_like_number(arg)) {
        errors.push_back("'" + arg + "': unknown option (flags start with two dashes, e.g. -" +
                         arg + ")");
      } else {
        positional_args.push_back(arg);
      }
      continue;
    }

    const std::string_view body = std::string_view(arg).substr(2);
    const size_t eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(body.substr(eq + 1));

    if (name == "help") {
      *help = true;
      continue;
    }
    if (name.empty()) {
      errors.push_back("'" + arg + "': missing flag name (expected --name=value)");
      continue;
    }
    const FlagSpec* spec = find(name);
    bool negated = false;
    if (spec == nullptr && name.starts_with("no-")) {
      if (const FlagSpec* positive = find(name.substr(3))) {
        if (!positive->is_bool) {
          errors.push_back("--" + std::string(name) + ": '" + positive->name +
                           "' is not a boolean flag and cannot be negated (expected --" +
                           positive->name + "=" + positive->type_name + ")");
          continue;
        }
        spec = positive;
        negated = true;
      }
    }
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const FlagSpec& s : flags_)
        names.push_back(s.name);
      names.push_back("help");
      std::string message = "--" + std::string(name) + ": unknown flag";
      const bool negation = name.starts_with("no-");
      if (auto match = closest_match(negation ? name.substr(3) : name, names)) {
        const FlagSpec* matched = find(*match);
        const bool keep_no = negation && matched != nullptr && matched->is_bool;
        message += " (did you mean --" + std::string(keep_no ? "no-" : "") + *match + "?)";
      } else {
        message += " (see --help for the list of flags)";
      }
      errors.push_back(message);
      continue;
    }

    std::string text;
    if (negated) {
      if (value) {
        errors.push_back("'" + arg + "': a negated flag takes no value (expected --no-" +
                         spec->name + " or --" + spec->name + "=true|false)");
        continue;
      }
      text = "false";
    } else if (value) {
      text = *value;
    } else if (spec->is_bool) {
      text = "true";
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      text = args[++i];
    } else {
      errors.push_back("--" + spec->name + ": missing value (expected --" + spec->name + "=" +
                       spec->type_name + " or --" + spec->name + " " + spec->type_name + ")");
      continue;
    }

    auto [it, inserted] = given.try_emplace(spec, GivenValue{text, "--" + spec->name + "=" + text});
    if (!inserted) {
      errors.push_back("--" + spec->name + ": given more than once (first as '" +
                       it->second.origin + "', again as '" + arg + "')");
    }
  }
  // A user who asks for help gets it, whatever else is wrong.
  if (*help) return ok_status();

  // Pass 2: command line, else environment, else the default.
  std::vector<const FlagSpec*> parsed;  // set and parsed without error
  std::vector<const FlagSpec*> failed;
  std::map<const FlagSpec*, std::string> origin_of;
  for (const FlagSpec& spec : flags_) {
    std::optional<GivenValue> value;
    if (auto it = given.find(&spec); it != given.end()) {
      value = it->second;
    } else if (auto e = env.find(env_name(spec.name)); e != env.end()) {
      value = GivenValue{e->second, e->first + "=" + e->second + " (environment)"};
    }
    if (!value) {
      parsed.push_back(&spec);  // keeps its default, which validators still check
      continue;
    }
    origin_of[&spec] = value->origin;
    std::string text = std::move(value->text);
    if (spec.from_file && is_file_reference(text)) {
      auto contents = read_file_reference(text);
      if (!contents.ok()) {
        errors.push_back(value->origin + ": " + contents.error());
        failed.push_back(&spec);
        continue;
      }
      text = std::move(contents).value();
    }
    if (Status st = spec.assign(flags, text); !st.ok()) {
      errors.push_back(value->origin + ": " + st.error());
      failed.push_back(&spec);
      continue;
    }
    parsed.push_back(&spec);
  }

  // Pass 3: required flags, validators, positional arguments.
  for (const FlagSpec& spec : flags_) {
    if (spec.required && !origin_of.contains(&spec)) {
      errors.push_back("--" + spec.name + ": required flag is missing (set --" + spec.name + "=" +
                       spec.type_name + " or " + env_name(spec.name) + ")");
    }
  }
  for (const FlagSpec* spec : parsed) {
    if (spec->required && !origin_of.contains(spec)) continue;  // already reported
    for (const auto& validate : spec->validators) {
      if (Status st = validate(flags); !st.ok()) {
        std::string shown = spec->secret ? "<secret>" : spec->render(flags).value_or("");
        std::string where;
        if (auto it = origin_of.find(spec); it == origin_of.end()) {
          where = " (the default)";
        } else if (!given.contains(spec)) {
          where = " (from " + env_name(spec->name) + ")";
        }
        errors.push_back("--" + spec->name + "=" + shown + where + ": " + st.error());
        break;
      }
    }
  }

  size_t next = 0;
  for (const PositionalSpec& spec : positionals_) {
    if (spec.variadic) {
      for (; next < positional_args.size(); ++next) {
        if (Status st = spec.assign(flags, positional_args[next]); !st.ok()) {
          errors.push_back("argument <" + spec.name + "> '" + positional_args[next] +
                           "': " + st.error());
        }
      }
      break;
    }
    if (next < positional_args.size()) {
      if (Status st = spec.assign(flags, positional_args[next]); !st.ok()) {
        errors.push_back("argument <" + spec.name + "> '" + positional_args[next] +
                         "': " + st.error());
      }
      ++next;
    } else if (!spec.optional) {
      errors.push_back("missing argument <" + spec.name + ">" +
                       (spec.help.empty() ? "" : ": " + spec.help));
    }
  }
  for (; next < positional_args.size(); ++next) {
    errors.push_back("'" + positional_args[next] + "': unexpected argument" +
                     (positionals_.empty() ? std::string(" (" + program_ + " takes no arguments)")
                                           : std::string()));
  }

  if (!errors.empty()) return Error(join_lines(errors));
  return ok_status();
}

std::map<std::string, std::string> FlagTable::values(const void* flags) const {
  std::map<std::string, std::string> out;
  for (const FlagSpec& spec : flags_) {
    std::optional<std::string> text = spec.render(flags);
    if (!text) continue;  // an unset optional flag is absent, as in Mesos' /flags
    out.emplace(spec.name, spec.secret ? "********" : *text);
  }
  return out;
}

}  // namespace cairn::flags::detail
