// Layout:
//
//   Usage: cairn-master [options] <arg> [<optional>] [<rest>...]
//
//   <summary, wrapped>
//
//   Options:
//     --[no-]strict            Help text, wrapped so that continuation lines
//                              line up with the first. (default: true)
//     --port=UINT16            ...
//
//   Arguments:
//     <arg>                    ...
//
//   <environment note>
//
// A label too long for the left column puts its help on the next line.
#include "lib/flags/usage.hpp"

#include <algorithm>

#include "lib/flags/flag_table.hpp"

namespace cairn::flags {
namespace {

constexpr size_t kIndent = 2;
constexpr size_t kMaxLabelColumn = 32;  // where help starts, at most

struct Entry {
  std::string label;
  std::string help;
};

void append_entries(std::string& out, const std::vector<Entry>& entries) {
  size_t widest = 0;
  for (const Entry& e : entries)
    widest = std::max(widest, e.label.size());
  const size_t column = std::min(kIndent + widest + 2, kMaxLabelColumn);
  const size_t help_width = kUsageWidth > column + 20 ? kUsageWidth - column : 20;
  const std::string pad(column, ' ');

  for (const Entry& e : entries) {
    std::string first = std::string(kIndent, ' ') + e.label;
    const std::vector<std::string> lines = wrap_text(e.help, help_width);
    if (lines.empty()) {
      out += first + "\n";
      continue;
    }
    if (first.size() + 2 > column) {
      out += first + "\n";
      first = pad;
    } else {
      first.resize(column, ' ');
    }
    out += first + lines[0] + "\n";
    for (size_t i = 1; i < lines.size(); ++i)
      out += lines[i].empty() ? "\n" : pad + lines[i] + "\n";
  }
}

}  // namespace

std::vector<std::string> wrap_text(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  width = std::max<size_t>(width, 1);
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view paragraph = text.substr(start, end - start);
    std::string line;
    size_t pos = 0;
    bool any_word = false;
    while (pos < paragraph.size()) {
      const size_t word_start = paragraph.find_first_not_of(' ', pos);
      if (word_start == std::string_view::npos) break;
      const size_t word_end = std::min(paragraph.find(' ', word_start), paragraph.size());
      const std::string_view word = paragraph.substr(word_start, word_end - word_start);
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(std::move(line));
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
      any_word = true;
      pos = word_end;
    }
    if (any_word || end < text.size()) lines.push_back(std::move(line));
    if (end >= text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::string detail::FlagTable::usage(const void* defaults) const {
  std::string out = "Usage: " + program_ + " [options]";
  for (const PositionalSpec& p : positionals_) {
    if (p.variadic) {
      out += " [<" + p.name + ">...]";
    } else if (p.optional) {
      out += " [<" + p.name + ">]";
    } else {
      out += " <" + p.name + ">";
    }
  }
  out += "\n";
  if (!summary_.empty()) {
    out += "\n";
    for (const std::string& line : wrap_text(summary_, kUsageWidth))
      out += line + "\n";
  }

  std::vector<const FlagSpec*> sorted;
  for (const FlagSpec& spec : flags_)
    sorted.push_back(&spec);
  std::sort(sorted.begin(), sorted.end(),
            [](const FlagSpec* a, const FlagSpec* b) { return a->name < b->name; });

  std::vector<Entry> options;
  bool help_listed = false;
  auto help_entry = Entry{"--help", "Print this help and exit."};
  for (const FlagSpec* spec : sorted) {
    if (!help_listed && spec->name > "help") {
      options.push_back(help_entry);
      help_listed = true;
    }
    Entry e;
    e.label = spec->is_bool ? "--[no-]" + spec->name : "--" + spec->name + "=" + spec->type_name;
    e.help = spec->help;
    if (spec->from_file) {
      e.help += (e.help.empty() ? "" : " ") + std::string(
                                                  "Also accepts file://PATH to read the "
                                                  "value from a file.");
    }
    std::string note;
    if (spec->required) {
      note = "(required)";
    } else if (!spec->secret) {
      std::optional<std::string> value = spec->render(defaults);
      if (value && !value->empty()) note = "(default: " + *value + ")";
    }
    if (!note.empty()) e.help += (e.help.empty() ? "" : " ") + note;
    options.push_back(std::move(e));
  }
  if (!help_listed) options.push_back(help_entry);
  out += "\nOptions:\n";
  append_entries(out, options);

  if (!positionals_.empty()) {
    std::vector<Entry> arguments;
    for (const PositionalSpec& p : positionals_) {
      arguments.push_back(
          {"<" + p.name + ">", p.help + (p.help.empty() ? "" : " ") + "(" + p.type_name + ")"});
    }
    out += "\nArguments:\n";
    append_entries(out, arguments);
  }

  if (!flags_.empty()) {
    out += "\n";
    const std::string example = env_name(sorted.front()->name);
    for (const std::string& line :
         wrap_text("Every option can also be set in the environment as " + env_prefix_ +
                       "<NAME> (for example " + example +
                       "); the command line takes precedence over the environment.",
                   kUsageWidth)) {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace cairn::flags
