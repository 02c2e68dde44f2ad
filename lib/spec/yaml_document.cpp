// yaml-cpp 0.7 is the parser, run twice. First its event parser walks the
// text without building anything, under an EventCounter that counts
// documents and values; then YAML::Load builds the tree of the first
// document. The first pass is what makes the second safe:
//  - yaml-cpp spends about 500 bytes per node, so values are capped
//    (kMaxValues) before any node exists;
//  - YAML::LoadAll loops forever, allocating, on text such as a lone ','
//    (yaml-cpp issue #1040: the parser reports an empty document without
//    consuming the token), so documents are counted here, at most three, and
//    two documents starting at the same position mean the parser is stuck;
//  - its recursive descent is guarded at 500 levels (DepthGuard, included
//    below so that a yaml-cpp without the guard fails to build rather than
//    overflowing the stack; 500 levels take well under 256 KiB of stack).
// yaml-cpp throws on every error; its exceptions are caught here, the only
// place they can arise. Aliases are shared, not copied, so the tree cannot
// blow up either; walking it is bounded by NodeReader.
#include "lib/spec/yaml_document.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "lib/spec/utf8.hpp"

namespace cairn::spec {
namespace {

// A cluster spec has a few thousand values; 250,000 is about 125 MB of
// yaml-cpp nodes, and about a 1 MiB file of the densest legitimate YAML.
constexpr size_t kMaxValues = 250'000;

struct TooManyValues {
  YAML::Mark mark;
};

// Receives the parser's events: counts values, notes where documents start.
class EventCounter : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> document_starts;

  void OnDocumentStart(const YAML::Mark& mark) override { document_starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& mark) {
    if (++values_ > kMaxValues) throw TooManyValues{mark};
  }
  size_t values_ = 0;
};

// 1-based line and column (in bytes) of text[offset].
std::pair<int, int> line_and_column(std::string_view text, size_t offset) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::optional<Diagnostic> check_encoding(std::string_view text, const std::string& file) {
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return Diagnostic{file, 0, 0, "",
                      "is UTF-16 (expected UTF-8; convert it, e.g. with iconv -f UTF-16 -t UTF-8)"};
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const auto [line, column] = line_and_column(text, nul);
    return Diagnostic{file, line, column, "", "contains a NUL byte (expected UTF-8 text)"};
  }
  if (const auto bad = first_invalid_utf8(text)) {
    const auto [line, column] = line_and_column(text, *bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
    return Diagnostic{
        file, line, column, "",
        std::string("is not valid UTF-8 (got byte ") + byte + "; expected UTF-8 text)"};
  }
  return std::nullopt;
}

}  // namespace

std::pair<int, int> position_of(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {0, 0};
  return {mark.line + 1, mark.column + 1};
}

YamlParse parse_yaml(std::string_view text, const std::string& file, size_t max_bytes) {
  YamlParse result;
  const auto fail = [&](const YAML::Mark& mark, std::string message) {
    const auto [line, column] = position_of(mark);
    result.problem = Diagnostic{file, line, column, "", std::move(message)};
    return result;
  };
  if (text.size() > max_bytes) {
    result.problem =
        Diagnostic{file, 0, 0, "",
                   "is " + std::to_string(text.size()) + " bytes (expected at most " +
                       std::to_string(max_bytes) + "; a cluster spec is rarely over 100 KB)"};
    return result;
  }
  if (auto problem = check_encoding(text, file)) {
    result.problem = std::move(problem);
    return result;
  }

  const std::string copy(text);
  EventCounter counter;
  try {
    std::istringstream stream(copy);
    YAML::Parser parser(stream);
    // Up to three documents: the second says there is more than one, the
    // third tells a stuck parser (see above) from a real second document.
    for (int i = 0; i < 3 && parser.HandleNextDocument(counter); ++i) {
    }
  } catch (const TooManyValues& e) {
    return fail(e.mark, "has more than " + std::to_string(kMaxValues) +
                            " YAML values (expected a cluster spec, which has a few thousand)");
  } catch (const YAML::DeepRecursion& e) {
    return fail(e.mark,
                "YAML nesting is too deep (expected a spec a few levels deep, like the "
                "output of 'cairn spec example')");
  } catch (const YAML::Exception& e) {
    return fail(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return fail(YAML::Mark::null_mark(), std::string("cannot parse the YAML: ") + e.what());
  }
  const std::vector<YAML::Mark>& starts = counter.document_starts;
  for (size_t i = 1; i < starts.size(); ++i) {
    if (starts[i].pos == starts[i - 1].pos) {
      const size_t pos = static_cast<size_t>(std::max(starts[i].pos, 0));
      const std::string what = pos < text.size() ? quote_value(text.substr(pos, 1)) : "text";
      return fail(starts[i], "YAML syntax error: unexpected " + what);
    }
  }
  if (starts.size() > 1) {
    return fail(starts[1],
                "holds more than one YAML document (expected one; remove the '---' "
                "line that starts the second)");
  }

  try {
    result.root = YAML::Load(copy);
  } catch (const YAML::Exception& e) {
    return fail(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return fail(YAML::Mark::null_mark(), std::string("cannot parse the YAML: ") + e.what());
  }
  return result;
}

}  // namespace cairn::spec
