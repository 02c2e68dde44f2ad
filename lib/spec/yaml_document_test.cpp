#include "lib/spec/yaml_document.hpp"

#include <gtest/gtest.h>

#include <string>

#include "lib/spec/diagnostic.hpp"
#include "lib/spec/utf8.hpp"

namespace cairn::spec {
namespace {

constexpr size_t kLimit = 1 << 20;

Diagnostic problem_of(std::string_view text) {
  YamlParse parsed = parse_yaml(text, "c.yaml", kLimit);
  EXPECT_TRUE(parsed.problem.has_value()) << text.substr(0, 80);
  return parsed.problem.value_or(Diagnostic{});
}

TEST(Diagnostic, PrintsFileLineColumnPathMessage) {
  EXPECT_EQ((Diagnostic{"c.yaml", 3, 5, "masters[1].host", "is empty"}).to_string(),
            "c.yaml:3:5: masters[1].host: is empty");
  EXPECT_EQ((Diagnostic{"c.yaml", 0, 0, "", "does not exist"}).to_string(),
            "c.yaml: does not exist");
  EXPECT_EQ((Diagnostic{"c.yaml", 1, 1, "", "YAML syntax error: x"}).to_string(),
            "c.yaml:1:1: YAML syntax error: x");
}

TEST(Diagnostic, SortsByPositionWholeFileFirst) {
  std::vector<Diagnostic> d = {
      {"f", 3, 1, "b", "3"}, {"f", 1, 9, "a", "2"}, {"f", 0, 0, "", "0"}, {"f", 1, 2, "z", "1"}};
  sort_diagnostics(d);
  EXPECT_EQ(d[0].message + d[1].message + d[2].message + d[3].message, "0123");
}

TEST(Diagnostic, QuoteValueKeepsTerminalsSafe) {
  EXPECT_EQ(quote_value("prod"), "'prod'");
  EXPECT_EQ(quote_value("a\x1b[31mb"), "'a\\x1B[31mb'");
  EXPECT_EQ(quote_value("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(quote_value("\xff"), "'\\xFF'");
  EXPECT_EQ(quote_value(std::string(100, 'x')), "'" + std::string(60, 'x') + "...'");
  // Cut at a character boundary, never inside a UTF-8 sequence.
  const std::string accents = std::string(59, 'x') + "\xc3\xa9\xc3\xa9";
  EXPECT_EQ(quote_value(accents), "'" + std::string(59, 'x') + "\xc3\xa9...'");
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_FALSE(first_invalid_utf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").has_value());
  EXPECT_EQ(first_invalid_utf8("ab\xc0\xaf"), 2u);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("ab\xed\xa0\x80"), 2u);      // UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("ab\xf4\x90\x80\x80"), 2u);  // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ab\xe2\x82"), 2u);          // truncated
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);                // stray continuation
}

TEST(YamlDocument, ParsesAMapping) {
  YamlParse parsed = parse_yaml("a: 1\nb: [x, y]\n", "c.yaml", kLimit);
  ASSERT_FALSE(parsed.problem) << parsed.problem->to_string();
  EXPECT_TRUE(parsed.root.IsMap());
  EXPECT_TRUE(parse_yaml("", "c.yaml", kLimit).root.IsNull());
  EXPECT_TRUE(parse_yaml("# only a comment\n", "c.yaml", kLimit).root.IsNull());
  EXPECT_FALSE(parse_yaml("---\na: 1\n...\n", "c.yaml", kLimit).problem);
  EXPECT_FALSE(parse_yaml("\xef\xbb\xbf"
                          "a: 1\n",
                          "c.yaml", kLimit)
                   .problem);  // UTF-8 BOM
}

TEST(YamlDocument, SyntaxErrorsAreLocated) {
  const Diagnostic d = problem_of("a: 1\nb: {x: 1\nc: 2\n");
  EXPECT_EQ(d.file, "c.yaml");
  // Where yaml-cpp noticed: the flow mapping opened on line 2 runs into line 3.
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 2);
  EXPECT_EQ(d.message, "YAML syntax error: end of map flow not found");
  const Diagnostic tab = problem_of("a:\n\tb: 1\n");
  EXPECT_EQ(tab.line, 2);
  EXPECT_TRUE(tab.message.starts_with("YAML syntax error: ")) << tab.message;
  const Diagnostic alias = problem_of("a: *nowhere\n");
  EXPECT_EQ(alias.line, 1);
  EXPECT_EQ(alias.column, 4);
  EXPECT_EQ(alias.message, "YAML syntax error: the referenced anchor is not defined");
}

TEST(YamlDocument, RefusesTooLargeText) {
  YamlParse parsed = parse_yaml(std::string(101, 'a'), "c.yaml", 100);
  ASSERT_TRUE(parsed.problem);
  EXPECT_EQ(parsed.problem->to_string(),
            "c.yaml: is 101 bytes (expected at most 100; a cluster spec is rarely over 100 KB)");
}

TEST(YamlDocument, RefusesWhatIsNotUtf8) {
  const Diagnostic latin1 = problem_of("a: 1\nname: caf\xe9\n");
  EXPECT_EQ(latin1.line, 2);
  EXPECT_EQ(latin1.column, 10);
  EXPECT_EQ(latin1.message, "is not valid UTF-8 (got byte 0xE9; expected UTF-8 text)");
  EXPECT_NE(problem_of("\xff\xfe"
                       "a\0:\0")
                .message.find("is UTF-16"),
            std::string::npos);
  const Diagnostic nul = problem_of(std::string("a: 1\nb: x\0y\n", 12));
  EXPECT_EQ(nul.line, 2);
  EXPECT_EQ(nul.column, 5);
  EXPECT_NE(nul.message.find("NUL byte"), std::string::npos);
}

TEST(YamlDocument, OneDocumentOnly) {
  const Diagnostic d = problem_of("a: 1\n---\nb: 2\n");
  EXPECT_EQ(d.line, 2);  // the '---'
  EXPECT_EQ(d.message,
            "holds more than one YAML document (expected one; remove the '---' line that starts "
            "the second)");
}

// yaml-cpp's LoadAll loops forever, allocating, on these (yaml-cpp #1040).
TEST(YamlDocument, InputsThatStallYamlCppAreRefused) {
  const Diagnostic comma = problem_of(",");
  EXPECT_EQ(comma.to_string(), "c.yaml:1:1: YAML syntax error: unexpected ','");
  const Diagnostic later = problem_of("a: 1\n...\n,\n");
  EXPECT_EQ(later.line, 3);
  EXPECT_EQ(later.message, "YAML syntax error: unexpected ','");
  EXPECT_TRUE(problem_of("\n, 127.0.0.1\n").message.starts_with("YAML syntax error"));
}

TEST(YamlDocument, RefusesTooManyValues) {
  std::string many = "[";
  for (int i = 0; i < 300'000; ++i)
    many += "1,";
  const Diagnostic d = problem_of(many + "1]");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.message,
            "has more than 250000 YAML values (expected a cluster spec, which has a few thousand)");
}

// `levels` block sequences, each nested in the one before.
std::string deep_block_sequence(int levels) {
  std::string block;
  for (int i = 0; i < levels; ++i)
    block += std::string(static_cast<size_t>(i), ' ') + "-\n";
  return block;
}

TEST(YamlDocument, DeepNestingIsRefusedNotOverflowed) {
  const std::string cases[] = {std::string(100'000, '['), std::string(100'000, '{'),
                               deep_block_sequence(1000)};
  for (const std::string& deep : cases) {
    const Diagnostic d = problem_of(deep);
    EXPECT_NE(d.message.find("nesting is too deep"), std::string::npos) << d.message;
  }
}

}  // namespace
}  // namespace cairn::spec
