#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "lib/flags/file_reference.hpp"
#include "lib/flags/flag_set.hpp"
#include "lib/flags/usage.hpp"
#include "lib/flags/validators.hpp"

namespace cairn::flags {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct MasterFlags {
  uint16_t port = 5050;
  std::string work_dir;
  Duration offer_timeout = Duration::seconds(10);
  std::optional<std::string> zk;
  bool authenticate_agents = false;
  bool strict = true;
  int64_t max_completed_tasks = 1000;
  double weight = 1.0;
  Bytes max_message = Bytes(Bytes::MB);
  std::optional<Duration> registry_gc;
};

class MasterFlagSet : public FlagSet<MasterFlags> {
 public:
  MasterFlagSet() : FlagSet<MasterFlags>("cairn-master", "The Cairn master.") {
    add(&MasterFlags::port, "port", "Port to listen on.");
    add(&MasterFlags::work_dir, "work_dir", "Where state is kept.").required();
    add(&MasterFlags::offer_timeout, "offer_timeout", "How long an offer stays out.")
        .validate(positive);
    add(&MasterFlags::zk, "zk", "ZooKeeper URL.").from_file();
    add(&MasterFlags::authenticate_agents, "authenticate_agents", "Only admit known agents.");
    add(&MasterFlags::strict, "strict", "Refuse inconsistent registry state.");
    add(&MasterFlags::max_completed_tasks, "max_completed_tasks", "Tasks to remember.", 500);
    add(&MasterFlags::weight, "weight", "A weight.");
    add(&MasterFlags::max_message, "max_message", "Largest message.");
    add(&MasterFlags::registry_gc, "registry_gc", "GC interval.");
  }
};

using Args = std::vector<std::string>;

Result<Parsed<MasterFlags>> parse(const Args& args, const Environment& env = {}) {
  static const MasterFlagSet set;
  return set.parse(args, env);
}

MasterFlags parse_ok(const Args& args, const Environment& env = {}) {
  auto parsed = parse(args, env);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? parsed->flags : MasterFlags{};
}

std::string parse_error(const Args& args, const Environment& env = {}) {
  auto parsed = parse(args, env);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : parsed.error();
}

size_t line_count(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cairn-flags-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << contents;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Flags, DefaultsComeFromTheStructOrTheDeclaration) {
  MasterFlags f = parse_ok({"--work_dir=/w"});
  EXPECT_EQ(f.port, 5050);
  EXPECT_EQ(f.offer_timeout, Duration::seconds(10));
  EXPECT_EQ(f.max_completed_tasks, 500);  // the declaration's default wins over the struct's
  EXPECT_FALSE(f.zk.has_value());
  EXPECT_TRUE(f.strict);
}

TEST(Flags, ValueAfterEqualsOrAsNextArgument) {
  MasterFlags f = parse_ok({"--work_dir", "/var/lib/cairn", "--port=5051", "--zk", "zk://a:2181/m",
                            "--offer_timeout=1.5mins", "--weight", "2.5", "--max_message=64KB",
                            "--max_completed_tasks=-3"});
  EXPECT_EQ(f.work_dir, "/var/lib/cairn");
  EXPECT_EQ(f.port, 5051);
  EXPECT_EQ(f.zk, "zk://a:2181/m");
  EXPECT_EQ(f.offer_timeout, Duration::seconds(90));
  EXPECT_EQ(f.weight, 2.5);
  EXPECT_EQ(f.max_message, Bytes(64 * Bytes::KB));
  EXPECT_EQ(f.max_completed_tasks, -3);
}

TEST(Flags, EqualsSignsInsideTheValueAreKept) {
  EXPECT_EQ(parse_ok({"--work_dir=/a=b"}).work_dir, "/a=b");
  EXPECT_EQ(parse_ok({"--work_dir="}).work_dir, "");
}

TEST(Flags, BooleanForms) {
  EXPECT_TRUE(parse_ok({"--work_dir=/w", "--authenticate_agents"}).authenticate_agents);
  EXPECT_FALSE(parse_ok({"--work_dir=/w", "--no-strict"}).strict);
  EXPECT_FALSE(parse_ok({"--work_dir=/w", "--strict=false"}).strict);
  EXPECT_TRUE(parse_ok({"--work_dir=/w", "--authenticate_agents=TRUE"}).authenticate_agents);
  EXPECT_FALSE(parse_ok({"--work_dir=/w", "--strict=0"}).strict);
}

TEST(Flags, BooleanDoesNotTakeTheNextArgument) {
  // "--strict false" would silently mean true if the flag swallowed "false".
  EXPECT_THAT(parse_error({"--work_dir=/w", "--strict", "false"}),
              HasSubstr("'false': unexpected argument (cairn-master takes no arguments)"));
}

TEST(Flags, BadBooleans) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "--strict=yes"}),
            "--strict=yes: invalid boolean 'yes': expected true or false");
  EXPECT_THAT(parse_error({"--work_dir=/w", "--no-strict=false"}),
              HasSubstr("a negated flag takes no value (expected --no-strict or "
                        "--strict=true|false)"));
  EXPECT_EQ(parse_error({"--work_dir=/w", "--no-port"}),
            "--no-port: 'port' is not a boolean flag and cannot be negated (expected "
            "--port=UINT16)");
}

TEST(Flags, EnvironmentFillsInAndCommandLineWins) {
  const Environment env{{"CAIRN_WORK_DIR", "/env"},
                        {"CAIRN_PORT", "6000"},
                        {"CAIRN_STRICT", "false"},
                        {"CAIRN_ZK", "zk://env/m"}};
  MasterFlags f = parse_ok({"--port=7000"}, env);
  EXPECT_EQ(f.work_dir, "/env");
  EXPECT_EQ(f.port, 7000);
  EXPECT_FALSE(f.strict);
  EXPECT_EQ(f.zk, "zk://env/m");
}

TEST(Flags, BadEnvironmentValueOverriddenOnTheCommandLineIsNoError) {
  EXPECT_EQ(parse_ok({"--work_dir=/w", "--port=1"}, {{"CAIRN_PORT", "nope"}}).port, 1);
}

TEST(Flags, BadEnvironmentValueNamesTheVariable) {
  EXPECT_EQ(parse_error({"--work_dir=/w"}, {{"CAIRN_PORT", "http"}}),
            "CAIRN_PORT=http (environment): invalid UINT16 'http': expected an integer from 0 "
            "to 65535");
}

TEST(Flags, UnrelatedEnvironmentIsIgnored) {
  parse_ok({"--work_dir=/w"}, {{"CAIRN_SOMETHING_ELSE", "x"}, {"PORT", "x"}, {"port", "x"}});
}

TEST(Flags, HelpIsReportedEvenWithOtherErrors) {
  auto parsed = parse({"--bogus", "--help"});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed->help);
  parsed = parse({"--help=true"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->help);
  parsed = parse({"-h"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->help);
  parsed = parse({"--work_dir=/w"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->help);
}

TEST(Flags, UnknownFlagSuggestsTheClosestName) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "--prot=1"}),
            "--prot: unknown flag (did you mean --port?)");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--no-stric"}),
            "--no-stric: unknown flag (did you mean --no-strict?)");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--frobnicate"}),
            "--frobnicate: unknown flag (see --help for the list of flags)");
}

TEST(Flags, SingleDashOptionsAreRefused) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "-port=1"}),
            "'-port=1': unknown option (flags start with two dashes, e.g. --port=1)");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--=1"}),
            "'--=1': missing flag name (expected --name=value)");
}

TEST(Flags, FlagGivenTwiceIsAnError) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "--port=1", "--port", "2"}),
            "--port: given more than once (first as '--port=1', again as '--port')");
  EXPECT_THAT(parse_error({"--work_dir=/w", "--strict", "--no-strict"}),
              HasSubstr("--strict: given more than once"));
}

TEST(Flags, MissingValue) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "--port"}),
            "--port: missing value (expected --port=UINT16 or --port UINT16)");
  // A following flag is not taken as the value.
  EXPECT_THAT(parse_error({"--work_dir", "--strict"}),
              HasSubstr("--work_dir: missing value (expected --work_dir=STRING or --work_dir "
                        "STRING)"));
}

TEST(Flags, RequiredFlagReportedWhenMissing) {
  EXPECT_EQ(parse_error({}),
            "--work_dir: required flag is missing (set --work_dir=STRING or CAIRN_WORK_DIR)");
  EXPECT_EQ(parse_ok({}, {{"CAIRN_WORK_DIR", "/e"}}).work_dir, "/e");
}

TEST(Flags, TypeErrorsNameFlagValueAndWhatIsValid) {
  EXPECT_THAT(parse_error({"--work_dir=/w", "--offer_timeout=10sec"}),
              AllOf(HasSubstr("--offer_timeout=10sec: invalid duration '10sec'"),
                    HasSubstr("expected one of ns, us, ms, secs, mins, hrs, days, weeks")));
  EXPECT_EQ(parse_error({"--work_dir=/w", "--port=70000"}),
            "--port=70000: '70000' is out of range: expected an integer from 0 to 65535");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--port=-1"}),
            "--port=-1: invalid UINT16 '-1': expected an integer from 0 to 65535");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--port=50 50"}),
            "--port=50 50: invalid UINT16 '50 50': expected an integer from 0 to 65535");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--max_completed_tasks=99999999999999999999"}),
            "--max_completed_tasks=99999999999999999999: '99999999999999999999' is out of "
            "range: expected an integer from -9223372036854775808 to 9223372036854775807");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--weight=nan"}),
            "--weight=nan: invalid number 'nan': expected a finite decimal number");
  EXPECT_EQ(parse_error({"--work_dir=/w", "--weight="}),
            "--weight=: invalid number '': expected a finite decimal number");
  EXPECT_THAT(parse_error({"--work_dir=/w", "--max_message=12XB"}),
              HasSubstr("--max_message=12XB: "));
  EXPECT_THAT(parse_error({"--work_dir=/w", "--registry_gc=soon"}),
              HasSubstr("--registry_gc=soon: invalid duration 'soon'"));
}

TEST(Flags, AllErrorsAreReportedAtOnce) {
  const std::string error =
      parse_error({"--prot=1", "--port=x", "--offer_timeout=1", "--strict=maybe", "stray"});
  EXPECT_EQ(line_count(error), 6u) << error;
  EXPECT_THAT(error, AllOf(HasSubstr("--prot: unknown flag"), HasSubstr("--port=x: invalid"),
                           HasSubstr("--offer_timeout=1: invalid duration"),
                           HasSubstr("--strict=maybe: invalid boolean"),
                           HasSubstr("--work_dir: required flag is missing"),
                           HasSubstr("'stray': unexpected argument")));
}

TEST(Flags, OptionalFlags) {
  MasterFlags f = parse_ok({"--work_dir=/w", "--registry_gc=1hrs"});
  EXPECT_EQ(f.registry_gc, Duration::hours(1));
  EXPECT_FALSE(f.zk.has_value());
}

TEST(Flags, ValidatorsRunOnTheEffectiveValue) {
  EXPECT_EQ(parse_error({"--work_dir=/w", "--offer_timeout=0secs"}),
            "--offer_timeout=0ns: must be greater than zero");
  EXPECT_EQ(parse_error({"--work_dir=/w"}, {{"CAIRN_OFFER_TIMEOUT", "0ms"}}),
            "--offer_timeout=0ns (from CAIRN_OFFER_TIMEOUT): must be greater than zero");

  struct F {
    int64_t workers = 0;
    std::optional<double> ratio;
    std::string name;
  };
  FlagSet<F> set("tool");
  set.add(&F::workers, "workers", "Worker threads.").validate(positive);
  set.add(&F::ratio, "ratio", "A ratio.").validate(positive);
  set.add(&F::name, "name", "A name.", "x").validate(non_empty);
  // The default breaks the rule: that is a bug worth reporting too.
  auto parsed = set.parse(Args{}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "--workers=0 (the default): must be greater than zero");
  // An unset optional is not validated; a set one is.
  EXPECT_TRUE(set.parse(Args{"--workers=2"}, {}).ok());
  parsed = set.parse(Args{"--workers=2", "--ratio=-0.5", "--name="}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "--ratio=-0.5: must be greater than zero\n--name=: must not be empty");
}

TEST(Flags, FileValues) {
  TempDir dir;
  const std::string file = dir.write("zk", "  zk://secret:2181/mesos\n\n");
  EXPECT_EQ(parse_ok({"--work_dir=/w", "--zk=file://" + file}).zk, "zk://secret:2181/mesos");
  EXPECT_EQ(parse_ok({"--work_dir=/w"}, {{"CAIRN_ZK", "file://" + file}}).zk,
            "zk://secret:2181/mesos");
  // Only flags declared with from_file() read files.
  EXPECT_EQ(parse_ok({"--work_dir=file://" + file}).work_dir, "file://" + file);

  EXPECT_EQ(parse_error({"--work_dir=/w", "--zk=file://" + dir.path() + "/missing"}),
            "--zk=file://" + dir.path() + "/missing: cannot read file '" + dir.path() +
                "/missing': No such file or directory");
  EXPECT_EQ(
      parse_error({"--work_dir=/w", "--zk=file://" + dir.path()}),
      "--zk=file://" + dir.path() + ": cannot read file '" + dir.path() + "': it is a directory");
  EXPECT_THAT(parse_error({"--work_dir=/w", "--zk=file://"}),
              HasSubstr("no path after file:// (expected e.g. file:///etc/cairn/secret)"));
}

TEST(FileReference, TrimsAndCapsContents) {
  TempDir dir;
  EXPECT_EQ(read_file_reference("file://" + dir.write("a", "\t value with spaces \r\n")).value(),
            "value with spaces");
  EXPECT_EQ(read_file_reference("file://" + dir.write("empty", "")).value(), "");
  auto big =
      read_file_reference("file://" + dir.write("big", std::string(kMaxFlagFileBytes + 1, 'x')));
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.error(), HasSubstr("larger than the limit"));
  EXPECT_TRUE(is_file_reference("file:///x"));
  EXPECT_FALSE(is_file_reference("/x"));
}

struct Role {
  std::string name;
};

Result<Role> parse_role(std::string_view text) {
  if (text.empty() || text.starts_with('/') || text == "." || text == "..") {
    return Error("invalid role '" + std::string(text) +
                 "': expected a name such as 'prod' or 'eng/backend'");
  }
  return Role{std::string(text)};
}

TEST(Flags, CustomTypeThroughACodec) {
  struct F {
    Role role{"*"};
    std::optional<Role> extra_role;
  };
  const FlagCodec<Role> codec{"ROLE", parse_role, [](const Role& r) { return r.name; }};
  FlagSet<F> set("tool");
  set.add_custom(&F::role, "role", "Role to register with.", codec);
  set.add_custom(&F::extra_role, "extra_role", "Another role.", codec);

  auto parsed = set.parse(Args{"--role=prod"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->flags.role.name, "prod");
  EXPECT_FALSE(parsed->flags.extra_role.has_value());
  EXPECT_EQ(set.values(parsed->flags), (std::map<std::string, std::string>{{"role", "prod"}}));

  parsed = set.parse(Args{"--extra_role=/x"}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(),
            "--extra_role=/x: invalid role '/x': expected a name such as 'prod' or 'eng/backend'");
  EXPECT_THAT(set.usage(), HasSubstr("--role=ROLE"));
}

struct CommonFlags {
  bool verbose = false;
};
struct ToolFlags : CommonFlags {
  std::string master = "localhost:5050";
  std::string task_id;
  std::optional<int64_t> lines;
  std::vector<std::string> command;
};

TEST(Flags, FieldsOfABaseClass) {
  FlagSet<ToolFlags> set("cairn task");
  set.add(&CommonFlags::verbose, "verbose", "Say more.");
  set.add(&ToolFlags::master, "master", "Master address.");
  auto parsed = set.parse(Args{"--verbose"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed->flags.verbose);
}

class PositionalTest : public ::testing::Test {
 protected:
  PositionalTest() {
    set.add(&ToolFlags::master, "master", "Master address.");
    set.positional(&ToolFlags::task_id, "task_id", "The task.");
    set.positional(&ToolFlags::lines, "lines", "How many lines.");
    set.positional(&ToolFlags::command, "command", "Command to run in the task.");
  }
  FlagSet<ToolFlags> set{"cairn task exec"};
};

TEST_F(PositionalTest, FilledInOrderAroundFlags) {
  auto parsed = set.parse(Args{"t1", "--master=m:5050", "20", "ls", "--", "-l"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->flags.task_id, "t1");
  EXPECT_EQ(parsed->flags.master, "m:5050");
  EXPECT_EQ(parsed->flags.lines, 20);
  EXPECT_EQ(parsed->flags.command, (std::vector<std::string>{"ls", "-l"}));
}

TEST_F(PositionalTest, DoubleDashEndsFlags) {
  auto parsed = set.parse(Args{"t1", "-5", "--", "ls", "-l", "--all"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->flags.lines, -5);
  EXPECT_EQ(parsed->flags.command, (std::vector<std::string>{"ls", "-l", "--all"}));
}

TEST_F(PositionalTest, OptionalAndVariadicMayBeLeftOut) {
  auto parsed = set.parse(Args{"t1"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_FALSE(parsed->flags.lines.has_value());
  EXPECT_TRUE(parsed->flags.command.empty());
}

TEST_F(PositionalTest, Errors) {
  auto parsed = set.parse(Args{}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "missing argument <task_id>: The task.");
  parsed = set.parse(Args{"t1", "many"}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(),
            "argument <lines> 'many': invalid INT64 'many': expected an integer from "
            "-9223372036854775808 to 9223372036854775807");
}

TEST(Flags, TooManyPositionalArguments) {
  struct F {
    std::string id;
  };
  FlagSet<F> set("cairn kill");
  set.positional(&F::id, "id", "Task to kill.");
  auto parsed = set.parse(Args{"a", "b"}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "'b': unexpected argument");
}

TEST(Flags, DeclarationMistakesSurfaceOnParse) {
  struct F {
    int64_t a = 0;
    int64_t b = 0;
    std::vector<std::string> rest;
    std::string after;
    bool help = false;
  };
  FlagSet<F> set("tool");
  set.add(&F::a, "count", "");
  set.add(&F::b, "count", "");
  set.add(&F::a, "Bad-Name", "");
  set.add(&F::help, "help", "");
  set.positional(&F::rest, "rest", "");
  set.positional(&F::after, "after", "");
  auto parsed = set.parse(Args{}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(),
            "flag declaration: 'count' is declared twice\n"
            "flag declaration: invalid name 'Bad-Name' (expected lower case letters, digits and "
            "'_', starting with a letter)\n"
            "flag declaration: 'help' is built in and cannot be declared\n"
            "flag declaration: positional argument <after> follows <rest>, which takes all "
            "remaining arguments");
}

TEST(Flags, ValuesListsEffectiveValuesAsText) {
  struct F {
    uint16_t port = 5050;
    std::optional<std::string> zk;
    bool strict = true;
    Duration timeout = Duration::seconds(10);
    std::string password = "hunter2";
    double weight = 0.5;
  };
  FlagSet<F> set("d");
  set.add(&F::port, "port", "");
  set.add(&F::zk, "zk", "");
  set.add(&F::strict, "strict", "");
  set.add(&F::timeout, "timeout", "");
  set.add(&F::password, "password", "").secret();
  set.add(&F::weight, "weight", "");
  auto parsed = set.parse(Args{"--no-strict", "--timeout=2mins"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(set.values(parsed->flags), (std::map<std::string, std::string>{
                                           {"password", "********"},
                                           {"port", "5050"},
                                           {"strict", "false"},
                                           {"timeout", "2mins"},
                                           {"weight", "0.5"},
                                       }));
}

TEST(Flags, ParseFromArgvReadsTheProcessEnvironment) {
  ASSERT_EQ(::setenv("CAIRN_WORK_DIR", "/from/environ", 1), 0);
  const char* argv[] = {"cairn-master", "--port=1234"};
  MasterFlagSet set;
  auto parsed = set.parse(2, argv);
  ::unsetenv("CAIRN_WORK_DIR");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->flags.work_dir, "/from/environ");
  EXPECT_EQ(parsed->flags.port, 1234);
}

TEST(Flags, EnvironmentPrefixIsConfigurable) {
  struct F {
    std::string master;
  };
  FlagSet<F> set("mesos-tool", "", "MESOS_");
  set.add(&F::master, "master", "");
  auto parsed = set.parse(Args{}, {{"MESOS_MASTER", "m:5050"}, {"CAIRN_MASTER", "no"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->flags.master, "m:5050");
}

TEST(Usage, ListsEveryFlagWithTypeDefaultAndHelp) {
  struct F {
    uint16_t port = 5050;
    std::string work_dir;
    bool strict = true;
    std::optional<std::string> zk;
    std::string task;
  };
  FlagSet<F> set("cairn-master", "Runs the master of a Cairn cluster.");
  set.add(&F::port, "port", "Port to listen on.");
  set.add(&F::work_dir, "work_dir",
          "Directory where the master keeps its replicated log "
          "and other state that must survive restarts.")
      .required();
  set.add(&F::strict, "strict", "Refuse to start on inconsistent state.");
  set.add(&F::zk, "zk", "ZooKeeper URL.").from_file();
  set.positional(&F::task, "task", "Task id.");
  EXPECT_EQ(set.usage(),
            "Usage: cairn-master [options] <task>\n"
            "\n"
            "Runs the master of a Cairn cluster.\n"
            "\n"
            "Options:\n"
            "  --help             Print this help and exit.\n"
            "  --port=UINT16      Port to listen on. (default: 5050)\n"
            "  --[no-]strict      Refuse to start on inconsistent state. (default: true)\n"
            "  --work_dir=STRING  Directory where the master keeps its replicated log and\n"
            "                     other state that must survive restarts. (required)\n"
            "  --zk=STRING        ZooKeeper URL. Also accepts file://PATH to read the value\n"
            "                     from a file.\n"
            "\n"
            "Arguments:\n"
            "  <task>  Task id. (STRING)\n"
            "\n"
            "Every option can also be set in the environment as CAIRN_<NAME> (for example\n"
            "CAIRN_PORT); the command line takes precedence over the environment.\n");
}

TEST(Usage, LongLabelsPutHelpOnTheNextLine) {
  struct F {
    std::optional<Duration> a_very_long_flag_name_indeed_for_testing;
  };
  FlagSet<F> set("x");
  set.add(&F::a_very_long_flag_name_indeed_for_testing, "a_very_long_flag_name_indeed_for_testing",
          "Help.");
  EXPECT_THAT(set.usage(), HasSubstr("  --a_very_long_flag_name_indeed_for_testing=DURATION\n"
                                     "                                Help.\n"));
}

TEST(Usage, WrapText) {
  EXPECT_EQ(wrap_text("", 10), std::vector<std::string>{});
  EXPECT_EQ(wrap_text("one two three four", 9),
            (std::vector<std::string>{"one two", "three", "four"}));
  EXPECT_EQ(wrap_text("a\n\nb", 10), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(wrap_text("supercalifragilistic x", 5),
            (std::vector<std::string>{"supercalifragilistic", "x"}));
  EXPECT_EQ(wrap_text("  spaced   out  ", 80), (std::vector<std::string>{"spaced out"}));
}

TEST(FlagValue, BuiltinCodecsRoundTrip) {
  EXPECT_EQ(builtin_codec<uint16_t>().type_name, "UINT16");
  EXPECT_EQ(builtin_codec<int64_t>().type_name, "INT64");
  EXPECT_EQ(builtin_codec<uint32_t>().type_name, "UINT32");
  EXPECT_EQ(parse_integer<uint16_t>("+80").value(), 80);
  EXPECT_FALSE(parse_integer<int32_t>("").ok());
  EXPECT_FALSE(parse_integer<int32_t>("+").ok());
  EXPECT_FALSE(parse_integer<int32_t>("0x10").ok());
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(3), "3");
  EXPECT_EQ(parse_double("1e3").value(), 1000);
  EXPECT_FALSE(parse_double("inf").ok());
  EXPECT_FALSE(parse_double("1.5x").ok());
}

}  // namespace
}  // namespace cairn::flags
