#include "lib/logging/logging.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/logging/log.hpp"
#include "lib/logging/logging_flags.hpp"

namespace cairn::logging_test {
struct CountsFormatting {
  int* count;
};
}  // namespace cairn::logging_test

template <>
struct fmt::formatter<cairn::logging_test::CountsFormatting> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  auto format(const cairn::logging_test::CountsFormatting& c, fmt::format_context& ctx) const {
    ++*c.count;
    return fmt::format_to(ctx.out(), "counted");
  }
};

namespace cairn {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cairn-logging-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// Every test leaves logging as the next one expects: quiet on the console.
class LoggingTest : public ::testing::Test {
 protected:
  ~LoggingTest() override {
    LoggingOptions quiet;
    quiet.console = ConsoleOutput::kNone;
    EXPECT_TRUE(init_logging(quiet).ok());
  }

  LoggingOptions file_options(LogLevel level = LogLevel::kInfo) const {
    LoggingOptions options;
    options.program = "cairn-test";
    options.level = level;
    options.log_dir = dir.path();
    options.console = ConsoleOutput::kNone;
    return options;
  }
  std::string log_file() const { return dir.path() + "/cairn-test.log"; }

  TempDir dir;
};

TEST(LogLevel, ParsesMesosNamesInAnyCase) {
  EXPECT_EQ(parse_log_level("INFO").value(), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("warning").value(), LogLevel::kWarning);
  EXPECT_EQ(parse_log_level("Warn").value(), LogLevel::kWarning);
  EXPECT_EQ(parse_log_level("ERROR").value(), LogLevel::kError);
  EXPECT_EQ(parse_log_level("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(parse_log_level("TRACE").value(), LogLevel::kTrace);
}

TEST(LogLevel, InvalidNamesTheValidOnes) {
  auto level = parse_log_level("WARNIGN");
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.error(),
            "invalid logging level 'WARNIGN': expected one of INFO, WARNING, ERROR (or DEBUG, "
            "TRACE for development); did you mean WARNING?");
  level = parse_log_level("");
  ASSERT_FALSE(level.ok());
  EXPECT_THAT(level.error(), HasSubstr("invalid logging level '': expected one of INFO"));
  EXPECT_FALSE(parse_log_level("FATAL").ok());
  EXPECT_FALSE(parse_log_level(std::string("INFO\0", 5)).ok());
}

TEST(LogLevel, NamesRoundTrip) {
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                     LogLevel::kError}) {
    EXPECT_EQ(parse_log_level(log_level_name(l)).value(), l);
  }
}

TEST(ConsoleDetection, ForegroundUsesStderr) {
  EXPECT_EQ(detect_console_output(std::nullopt, std::nullopt, FileIdentity{1, 2}),
            ConsoleOutput::kStderr);
}

TEST(ConsoleDetection, JournalStreamMatchingStderrUsesJournald) {
  EXPECT_EQ(detect_console_output("64769:123456", "abc", FileIdentity{64769, 123456}),
            ConsoleOutput::kJournald);
}

TEST(ConsoleDetection, InheritedJournalStreamWithRedirectedStderrKeepsStderr) {
  EXPECT_EQ(detect_console_output("64769:123456", "abc", FileIdentity{64769, 999}),
            ConsoleOutput::kStderr);
  EXPECT_EQ(detect_console_output("64769:123456", std::nullopt, std::nullopt),
            ConsoleOutput::kStderr);
}

TEST(ConsoleDetection, MalformedJournalStreamKeepsStderr) {
  for (std::string_view bad :
       {"", ":", "1:", ":2", "x:y", "1:2:3", "-1:2", "99999999999999999999:1"}) {
    EXPECT_EQ(detect_console_output(bad, "abc", FileIdentity{1, 2}), ConsoleOutput::kStderr) << bad;
  }
}

TEST(ConsoleDetection, SystemdUnitWithoutJournalStreamUsesJournald) {
  EXPECT_EQ(detect_console_output(std::nullopt, "4f1d...", FileIdentity{1, 2}),
            ConsoleOutput::kJournald);
}

TEST_F(LoggingTest, WritesGlogStyleLinesToTheLogFile) {
  ASSERT_TRUE(init_logging(file_options()).ok());
  log::info("agent {} registered with {} cpus", "a1", 4);
  const int line = __LINE__ - 1;
  log::warning("offer {} rescinded", 7);
  flush_logging();
  const std::vector<std::string> lines = lines_of(read_file(log_file()));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], MatchesRegex("I[0-9]{4} [0-9:.]+ [0-9]+ logging_test\\.cpp:" +
                                     std::to_string(line) + "\\] agent a1 registered with 4 cpus"));
  EXPECT_THAT(lines[1], MatchesRegex("W[0-9]{4} .*\\] offer 7 rescinded"));
}

TEST_F(LoggingTest, LevelFiltersMessages) {
  ASSERT_TRUE(init_logging(file_options(LogLevel::kWarning)).ok());
  EXPECT_FALSE(log::enabled(LogLevel::kInfo));
  EXPECT_TRUE(log::enabled(LogLevel::kWarning));
  log::trace("trace");
  log::debug("debug");
  log::info("info");
  log::warning("warning");
  log::error("error");
  flush_logging();
  const std::vector<std::string> lines = lines_of(read_file(log_file()));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("] warning"));
  EXPECT_THAT(lines[1], HasSubstr("] error"));
}

TEST_F(LoggingTest, TraceLevelLetsEverythingThrough) {
  ASSERT_TRUE(init_logging(file_options(LogLevel::kTrace)).ok());
  log::trace("t");
  log::debug("d");
  flush_logging();
  const std::vector<std::string> lines = lines_of(read_file(log_file()));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0][0], 'T');
  EXPECT_EQ(lines[1][0], 'D');
}

TEST_F(LoggingTest, DisabledLevelDoesNotFormat) {
  ASSERT_TRUE(init_logging(file_options(LogLevel::kError)).ok());
  int formatted = 0;
  log::info("{}", logging_test::CountsFormatting{&formatted});
  EXPECT_EQ(formatted, 0);
  log::error("{}", logging_test::CountsFormatting{&formatted});
  EXPECT_EQ(formatted, 1);
  flush_logging();
  EXPECT_EQ(lines_of(read_file(log_file())).size(), 1u);
}

TEST_F(LoggingTest, RotatesBySizeAndKeepsAtMostMaxFiles) {
  LoggingOptions options = file_options();
  options.max_file_size = Bytes(1024);
  options.max_files = 2;
  ASSERT_TRUE(init_logging(options).ok());
  const std::string padding(100, 'x');
  for (int i = 0; i < 100; ++i)
    log::info("line {} {}", i, padding);
  flush_logging();
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/cairn-test.log"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/cairn-test.1.log"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/cairn-test.2.log"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/cairn-test.3.log"));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_LE(entry.file_size(), 1024u) << entry.path();
  EXPECT_THAT(read_file(log_file()), HasSubstr("line 99 "));
}

TEST_F(LoggingTest, ForegroundConsoleWritesToStderr) {
  // Point file descriptor 2 at a file for the duration of the test.
  const std::string captured = dir.path() + "/stderr";
  const int saved = ::dup(2);
  ASSERT_GE(saved, 0);
  const int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ::dup2(fd, 2);
  ::close(fd);

  LoggingOptions options;
  options.program = "cairn-test";
  options.console = ConsoleOutput::kStderr;
  const Status st = init_logging(options);
  log::info("to the console");
  log::debug("filtered");
  flush_logging();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);

  ASSERT_TRUE(st.ok()) << st.error();
  const std::vector<std::string> lines = lines_of(read_file(captured));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], MatchesRegex("I[0-9]{4} .* logging_test\\.cpp:[0-9]+\\] to the console"));
  EXPECT_FALSE(std::filesystem::exists(log_file()));  // no log_dir, no file
}

TEST_F(LoggingTest, CreatesMissingLogDir) {
  LoggingOptions options = file_options();
  options.log_dir = dir.path() + "/nested/logs";
  ASSERT_TRUE(init_logging(options).ok());
  log::error("hello");
  flush_logging();
  EXPECT_THAT(read_file(dir.path() + "/nested/logs/cairn-test.log"), HasSubstr("] hello"));
}

TEST_F(LoggingTest, BadOptionsAreErrorsAndKeepThePreviousSetup) {
  ASSERT_TRUE(init_logging(file_options()).ok());

  const std::string not_a_dir = dir.path() + "/file";
  std::ofstream(not_a_dir) << "x";
  LoggingOptions options = file_options();
  options.log_dir = not_a_dir + "/logs";
  Status st = init_logging(options);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("cannot create --log_dir '" + not_a_dir + "/logs'"));

  options = file_options();
  options.program = "";
  st = init_logging(options);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("invalid logging program name ''"));
  options.program = "../escape";
  EXPECT_FALSE(init_logging(options).ok());

  options = file_options();
  options.max_file_size = Bytes(0);
  st = init_logging(options);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("invalid log file size 0B"));

  options = file_options();
  options.log_dir = "";
  EXPECT_FALSE(init_logging(options).ok());

  log::info("still logging");
  flush_logging();
  EXPECT_THAT(read_file(log_file()), HasSubstr("] still logging"));
}

TEST_F(LoggingTest, UnwritableLogFileIsAnError) {
  // A directory where the log file should be cannot be opened as a file.
  std::filesystem::create_directory(dir.path() + "/cairn-test.log");
  Status st = init_logging(file_options());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("cannot open log file '" + log_file() + "'"));
}

struct DaemonFlags : LoggingFlags {
  uint16_t port = 5050;
};

TEST(LoggingFlags, ParsedIntoOptions) {
  flags::FlagSet<DaemonFlags> set("cairn-agent");
  add_logging_flags(set);
  set.add(&DaemonFlags::port, "port", "Port.");
  auto parsed =
      set.parse(std::vector<std::string>{"--logging_level=warning", "--log_dir=/var/log/c",
                                         "--quiet", "--log_max_size=10MB"},
                {{"CAIRN_LOG_MAX_FILES", "3"}});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const LoggingOptions options = logging_options(parsed->flags, "cairn-agent");
  EXPECT_EQ(options.program, "cairn-agent");
  EXPECT_EQ(options.level, LogLevel::kWarning);
  EXPECT_EQ(options.log_dir, "/var/log/c");
  EXPECT_EQ(options.console, ConsoleOutput::kNone);
  EXPECT_EQ(options.max_file_size, Bytes(10 * Bytes::MB));
  EXPECT_EQ(options.max_files, 3u);
  EXPECT_EQ(set.values(parsed->flags).at("logging_level"), "WARNING");
}

TEST(LoggingFlags, BadLevelIsAFlagError) {
  flags::FlagSet<DaemonFlags> set("cairn-agent");
  add_logging_flags(set);
  auto parsed =
      set.parse(std::vector<std::string>{"--logging_level=verbose", "--log_max_size=0B"}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(),
            "--logging_level=verbose: invalid logging level 'verbose': expected one of INFO, "
            "WARNING, ERROR (or DEBUG, TRACE for development)\n"
            "--log_max_size=0B: must be greater than zero");
  EXPECT_FALSE(logging_options(DaemonFlags{}, "x").log_dir.has_value());  // no file unless asked
}

}  // namespace
}  // namespace cairn
