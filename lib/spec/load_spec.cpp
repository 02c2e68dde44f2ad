// How a spec is loaded: parse_yaml() makes the tree (or one diagnostic),
// the section readers walk the known structure once, filling a ClusterSpec
// and collecting diagnostics, then the defaults that depend on other
// sections are filled in. Nothing here stops at the first problem.
#include "lib/spec/load_spec.hpp"

#include <exception>
#include <filesystem>

#include "lib/spec/node_reader.hpp"
#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"
#include "lib/spec/text_file.hpp"
#include "lib/spec/yaml_document.hpp"

namespace cairn::spec {
namespace {

void read_spec(SpecContext& context, const YAML::Node& root, ClusterSpec& spec) {
  const auto top = context.reader.mapping(
      root, "", keys_of(""), "a mapping with apiVersion, cluster, masters and the other sections");
  if (!top) return;
  using Reader = void (*)(SpecContext&, const Mapping&, ClusterSpec&);
  // Order matters: zookeeper uses the masters, ports everything before it.
  constexpr Reader kReaders[] = {read_api_version, read_cluster, read_ssh,   read_masters,
                                 read_zookeeper,   read_agents,  read_roles, read_docker,
                                 read_security,    read_ports};
  for (Reader read : kReaders) {
    if (context.reader.stopped()) return;
    read(context, *top, spec);
  }
}

void fill_defaults(ClusterSpec& spec) {
  for (AgentEntry& agent : spec.agents) {
    if (agent.work_dir.empty()) agent.work_dir = spec.cluster.work_dir;
  }
}

}  // namespace

SpecLoad load_spec_text(std::string_view text, const std::string& display_name,
                        const ValidationOptions& options) {
  SpecLoad result;
  YamlParse parsed = parse_yaml(text, display_name, options.max_bytes);
  if (parsed.problem) {
    result.diagnostics.push_back(std::move(*parsed.problem));
    return result;
  }
  if (!parsed.root.IsDefined() || parsed.root.IsNull()) {
    result.diagnostics.push_back(
        {display_name, 0, 0, "",
         "the spec is empty (expected apiVersion, cluster and masters at least; 'cairn spec "
         "example' prints a complete spec)"});
    return result;
  }

  ClusterSpec spec;
  NodeReader reader(display_name, result.diagnostics);
  SpecContext context(reader, options);
  try {
    read_spec(context, parsed.root, spec);
  } catch (const std::exception& e) {
    // The readers check types before reading values, so yaml-cpp should
    // not throw here; if it does, the spec is still refused, not crashed on.
    result.diagnostics.push_back(
        {display_name, 0, 0, "", std::string("cannot read the spec: ") + e.what()});
  }
  result.truncated = reader.truncated();
  sort_diagnostics(result.diagnostics);
  if (result.diagnostics.empty()) {
    fill_defaults(spec);
    result.spec = std::move(spec);
  }
  return result;
}

SpecLoad load_spec_file(const std::string& path, const ValidationOptions& options) {
  auto text = read_text_file(path, options.max_bytes);
  if (!text) {
    return SpecLoad{std::nullopt, {{path, 0, 0, "", "cannot read the spec: " + text.error()}}};
  }
  ValidationOptions with_base = options;
  if (with_base.base_dir.empty()) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    with_base.base_dir = (ec ? std::filesystem::path(path) : absolute).parent_path().string();
  }
  return load_spec_text(*text, path, with_base);
}

}  // namespace cairn::spec
