// `cairn spec`: validate a cluster spec, print an example or the schema.
#include <cstdio>
#include <string>

#include "cli/command.hpp"
#include "cli/embedded_files.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/spec/summary.hpp"

namespace cairn::cli {
namespace {

constexpr const char* kUsage =
    "Usage:\n"
    "  cairn spec validate [--no-file-checks] FILE\n"
    "      Check a cluster spec; print a summary (exit 0) or every problem (exit 2).\n"
    "      --no-file-checks  do not look for the TLS, credential, ACL and rate-limit\n"
    "                        files it names (they live on other machines)\n"
    "  cairn spec example   Print a complete, commented example spec.\n"
    "  cairn spec schema    Print the JSON Schema of the spec (for editors).\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "cairn spec: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int validate(const Args& args) {
  spec::ValidationOptions options;
  std::string file;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--no-file-checks") {
      options.check_files = false;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.starts_with("-") && a != "-") {
      return usage_error("unknown option '" + a + "'");
    } else if (!file.empty()) {
      return usage_error("only one FILE may be given (got '" + file + "' and '" + a + "')");
    } else {
      file = a;
    }
  }
  if (file.empty()) return usage_error("validate needs a FILE");

  spec::SpecLoad load = spec::load_spec_file(file, options);
  if (!load.ok()) {
    for (const auto& d : load.diagnostics)
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    const size_t n = load.diagnostics.size();
    std::fprintf(stderr, "%zu error%s\n", n, n == 1 ? "" : "s");
    return 2;
  }
  std::printf("%s: valid\n%s", file.c_str(), spec::summarize(*load.spec).c_str());
  return 0;
}

}  // namespace

int run_spec_command(const Args& args) {
  if (args.empty()) return usage_error("missing subcommand");
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (sub == "validate") return validate(args);
  if (sub == "example" || sub == "schema") {
    if (args.size() > 1) return usage_error(sub + " takes no arguments");
    const std::string_view text = sub == "example" ? kExampleSpec : kSpecSchema;
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  return usage_error("unknown subcommand '" + sub + "' (expected validate, example or schema)");
}

}  // namespace cairn::cli
