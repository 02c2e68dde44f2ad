// `cairn spec`: validate a cluster spec, print an example or the schema.
//
// The example and the schema are compiled in (cli/embedded_files.hpp) so
// that the command works on a machine without the source tree.
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/command.hpp"
#include "cli/embedded_files.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/spec/summary.hpp"

namespace cairn::cli {
namespace {

constexpr const char* kUsage =
    "Usage:\n"
    "  cairn spec validate [--no-file-checks] FILE\n"
    "      Check a cluster spec. Prints a summary and exits 0 when it is valid;\n"
    "      prints every problem (FILE:LINE:COLUMN: key.path: message) to stderr\n"
    "      and exits 2 when it is not.\n"
    "      --no-file-checks  do not open the TLS, credential, ACL and rate-limit\n"
    "                        files the spec names (they live on other machines)\n"
    "  cairn spec example\n"
    "      Print a complete, commented example spec.\n"
    "  cairn spec schema\n"
    "      Print the JSON Schema of the spec, for editors.\n"
    "\n"
    "Exit codes: 0 valid, 2 invalid spec or bad usage.\n"
    "Reference: docs/cluster-spec.md\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "cairn spec: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int validate(const Args& args) {
  spec::ValidationOptions options;
  std::string file;
  bool only_files = false;  // after "--", everything is a FILE
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!only_files && a == "--") {
      only_files = true;
    } else if (!only_files && a == "--no-file-checks") {
      options.check_files = false;
    } else if (!only_files && (a == "--help" || a == "-h")) {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!only_files && a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option '" + a + "' (expected --no-file-checks or --help)");
    } else if (!file.empty()) {
      return usage_error("validate takes one FILE (got '" + file + "' and '" + a + "')");
    } else {
      file = a;
    }
  }
  if (file.empty()) return usage_error("validate needs a FILE");

  const spec::SpecLoad load = spec::load_spec_file(file, options);
  if (!load.ok()) {
    for (const spec::Diagnostic& d : load.diagnostics) {
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    const size_t n = load.diagnostics.size();
    std::fprintf(stderr, "%zu error%s%s\n", n, n == 1 ? "" : "s",
                 load.truncated ? " (validation stopped there; fix these and run it again)" : "");
    return 2;
  }
  std::printf("%s: valid\n%s", file.c_str(), spec::summarize(*load.spec).c_str());
  return 0;
}

int print(std::string_view sub, std::string_view text, const Args& args) {
  if (args.size() > 1) return usage_error(std::string(sub) + " takes no arguments");
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

int run_spec_command(const Args& args) {
  if (args.empty()) return usage_error("missing subcommand (expected validate, example or schema)");
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (sub == "validate") return validate(args);
  if (sub == "example") return print(sub, kExampleSpec, args);
  if (sub == "schema") return print(sub, kSpecSchema, args);
  return usage_error("unknown subcommand '" + sub + "' (expected validate, example or schema)");
}

}  // namespace cairn::cli
