#include "daemons/agent/fetcher/fetcher.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "daemons/agent/fetcher/archive.hpp"
#include "daemons/agent/fetcher/fetch_cache.hpp"
#include "daemons/agent/fetcher/uri_location.hpp"
#include "lib/http/testing/harness.hpp"

namespace cairn::fetcher {
namespace {

namespace fs = std::filesystem;
using http::Request;
using http::Responder;
using http::Response;

// ---------------------------------------------------------------------------
// Helpers

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

uid_t owner_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_uid;
}

// The names directly in `dir`, sorted (temporary files included).
std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

bool run(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

bool has_program(const std::string& name) {
  return run("command -v " + name + " >/dev/null 2>&1");
}

FetchUri uri(std::string value) {
  FetchUri u;
  u.value = std::move(value);
  return u;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Files served over HTTP, with a count of requests per path.
struct Served {
  std::mutex mutex;
  std::map<std::string, std::string> files;  // "/files/x" -> content
  std::map<std::string, int> requests;

  void put(const std::string& path, std::string content) {
    std::lock_guard<std::mutex> guard(mutex);
    files[path] = std::move(content);
  }
  int count(const std::string& path) {
    std::lock_guard<std::mutex> guard(mutex);
    return requests[path];
  }
};

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fetcher_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    ::chmod(root_.c_str(), 0755);  // let `nobody` reach its sandboxes

    http::Router router;
    router.add_prefix("/files/", "files", [this](Request req, Responder res) {
      std::lock_guard<std::mutex> guard(served_.mutex);
      ++served_.requests[req.path];
      auto it = served_.files.find(req.path);
      if (it == served_.files.end()) return res.respond(http::text_response(404, "no such file"));
      res.respond(Response(200, "application/octet-stream", it->second));
    });
    router.add_prefix("/redirect/", "redirects to /files/", [](Request req, Responder res) {
      Response moved(302, "text/plain", "moved");
      moved.headers.set("Location", "/files/" + req.path.substr(std::string("/redirect/").size()));
      res.respond(std::move(moved));
    });
    // Sends the response head, then nothing: a server that hangs mid-body.
    router.add("/stall/app.tgz", "never finishes", [this](Request, Responder res) {
      stalled_.push_back(res.stream(Response(200, "application/octet-stream", "")));
    });
    // Six chunks of 100 bytes, 250 ms apart, without a Content-Length.
    router.add("/drip/slow.bin", "slow but steady", [this](Request, Responder res) {
      drip(res.stream(Response(200, "application/octet-stream", "")), 6);
    });
    ASSERT_TRUE(harness_.serve(std::move(router)).ok());
    ::setenv("no_proxy", "127.0.0.1", 1);  // a proxy from the environment must not interfere
  }

  // On the loop thread.
  void drip(std::shared_ptr<http::StreamWriter> writer, int left) {
    if (writer->closed()) return;
    if (left == 0) return writer->close();
    writer->write(std::string(100, 'd'));
    timers_.push_back(harness_.loop.after(Duration::milliseconds(250),
                                          [this, writer, left] { drip(writer, left - 1); }));
  }

  void TearDown() override {
    harness_.loop.call([&] {
      stalled_.clear();
      timers_.clear();
    });
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  std::string url(const std::string& path) { return harness_.url(path); }

  std::string sandbox(const std::string& name) {
    std::string dir = root_ + "/" + name;
    fs::create_directories(dir);
    return dir;
  }

  FetcherOptions options() {
    FetcherOptions o;
    o.cache_dir = root_ + "/cache";
    o.stall_timeout = Duration::seconds(5);
    return o;
  }

  // app/run.sh (0755) and app/README, packed with `tar -czf`.
  std::string make_tar_gz() {
    write_file(root_ + "/src/app/README", "read me\n");
    write_file(root_ + "/src/app/run.sh", "#!/bin/sh\necho hi\n");
    ::chmod((root_ + "/src/app/run.sh").c_str(), 0755);
    EXPECT_TRUE(run("tar -czf " + root_ + "/app.tar.gz -C " + root_ + "/src app"));
    return read_file(root_ + "/app.tar.gz");
  }

  std::string root_;
  Served served_;
  std::vector<std::shared_ptr<http::StreamWriter>> stalled_;  // loop thread only
  std::vector<Timer> timers_;                                 // loop thread only
  http::testing::Harness harness_;
};

// ---------------------------------------------------------------------------
// FetchUri, URIs and names

TEST(FetchUriJson, ReadsMesosFieldsAndDefaults) {
  auto plain = FetchUri::from_json({{"value", "http://repo/app.tgz"}});
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->value, "http://repo/app.tgz");
  EXPECT_FALSE(plain->executable);
  EXPECT_TRUE(plain->extract);
  EXPECT_FALSE(plain->cache);
  EXPECT_FALSE(plain->output_file);

  auto full = FetchUri::from_json({{"value", "/opt/tool"},
                                   {"executable", true},
                                   {"extract", false},
                                   {"cache", true},
                                   {"output_file", "bin/tool"}});
  ASSERT_TRUE(full.ok()) << full.error();
  EXPECT_TRUE(full->executable);
  EXPECT_FALSE(full->extract);
  EXPECT_TRUE(full->cache);
  EXPECT_EQ(full->output_file.value_or(""), "bin/tool");
  EXPECT_EQ(FetchUri::from_json(full->to_json())->to_json(), full->to_json());

  auto missing = FetchUri::from_json({{"cache", true}}, "command.uris[1]");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(contains(missing.error(), "command.uris[1].value")) << missing.error();
  auto wrong = FetchUri::from_json({{"value", "x"}, {"extract", "yes"}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(contains(wrong.error(), "extract")) << wrong.error();
  auto escape = FetchUri::from_json({{"value", "x"}, {"output_file", "../x"}});
  ASSERT_FALSE(escape.ok());
  EXPECT_TRUE(contains(escape.error(), "output_file")) << escape.error();
  EXPECT_FALSE(FetchUri::from_json(nlohmann::json::array()).ok());
}

TEST(UriLocation, ClassifiesAndNames) {
  auto http = locate_uri("https://repo/a/app.tgz?x=1");
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->kind, UriLocation::Kind::kHttp);
  EXPECT_EQ(locate_uri("file:///opt/x")->target, "/opt/x");
  EXPECT_EQ(locate_uri("file://localhost/opt/x")->target, "/opt/x");
  EXPECT_EQ(locate_uri("/opt/x")->kind, UriLocation::Kind::kLocal);
  EXPECT_FALSE(locate_uri("relative/x").ok());
  EXPECT_FALSE(locate_uri("file://relative/x").ok());
  auto hdfs = locate_uri("hdfs://nn/x");
  ASSERT_FALSE(hdfs.ok());
  EXPECT_TRUE(contains(hdfs.error(), "unsupported scheme 'hdfs'")) << hdfs.error();

  EXPECT_EQ(*uri_basename("https://repo/a/app.tgz?x=1#frag"), "app.tgz");
  EXPECT_EQ(*uri_basename("file:///opt/tool"), "tool");
  EXPECT_EQ(*uri_basename("/opt/tool"), "tool");
  EXPECT_FALSE(uri_basename("http://repo/").ok());
  EXPECT_FALSE(uri_basename("http://repo").ok());
  EXPECT_FALSE(uri_basename("/opt/..").ok());

  EXPECT_EQ(redact_uri("https://bob:secret@repo/x"), "https://bob:***@repo/x");
  EXPECT_EQ(redact_uri("https://repo/x@y"), "https://repo/x@y");
}

TEST(ArchiveKindTest, ByExtension) {
  EXPECT_EQ(archive_kind("a.tar"), ArchiveKind::kTar);
  EXPECT_EQ(archive_kind("a.tar.gz"), ArchiveKind::kTarGzip);
  EXPECT_EQ(archive_kind("a.tgz"), ArchiveKind::kTarGzip);
  EXPECT_EQ(archive_kind("a.tar.bz2"), ArchiveKind::kTarBzip2);
  EXPECT_EQ(archive_kind("a.tar.xz"), ArchiveKind::kTarXz);
  EXPECT_EQ(archive_kind("a.txz"), ArchiveKind::kTarXz);
  EXPECT_EQ(archive_kind("a.zip"), ArchiveKind::kZip);
  EXPECT_EQ(archive_kind("a.gz"), ArchiveKind::kGzip);
  EXPECT_EQ(archive_kind("a.txt"), ArchiveKind::kNone);
  EXPECT_EQ(archive_kind(".gz"), ArchiveKind::kNone);
  EXPECT_EQ(archive_kind("A.ZIP"), ArchiveKind::kNone);  // case-sensitive, as Mesos
}

// ---------------------------------------------------------------------------
// Downloads

TEST_F(FetcherTest, DownloadsAPlainFile) {
  served_.put("/files/hello.txt", "hello\n");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/hello.txt?version=2"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/hello.txt"), "hello\n");
  EXPECT_EQ(mode_of(box + "/hello.txt"), 0644u);
  EXPECT_EQ(list(box), std::vector<std::string>{"hello.txt"});  // no temporary left
  ASSERT_EQ(report->results.size(), 1u);
  const FetchResult& r = report->results[0];
  EXPECT_EQ(r.path, "hello.txt");
  EXPECT_EQ(r.bytes, 6u);
  EXPECT_FALSE(r.from_cache);
  EXPECT_FALSE(r.extracted);
  EXPECT_TRUE(contains(report->to_text(), "to 'hello.txt': 6B")) << report->to_text();
  EXPECT_EQ(report->to_json()["uris"][0]["bytes"], 6);
}

TEST_F(FetcherTest, ExtractsTarGzAndKeepsTheArchive) {
  served_.put("/files/app.tar.gz", make_tar_gz());
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/app.tar.gz"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report->results[0].extracted);
  EXPECT_EQ(read_file(box + "/app/README"), "read me\n");
  EXPECT_EQ(mode_of(box + "/app/run.sh") & 0111, 0111u);
  EXPECT_EQ(list(box), (std::vector<std::string>{"app", "app.tar.gz"}));

  // extract: false leaves the archive packed.
  std::string packed = sandbox("packed");
  FetchUri keep = uri(url("/files/app.tar.gz"));
  keep.extract = false;
  auto second = fetcher.fetch({keep}, packed, "");
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_FALSE(second->results[0].extracted);
  EXPECT_EQ(list(packed), std::vector<std::string>{"app.tar.gz"});
}

TEST_F(FetcherTest, ExtractsAZip) {
  std::string zip = root_ + "/bundle.zip";
  if (has_program("python3")) {
    ASSERT_TRUE(
        run("python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); "
            "z.writestr('conf/app.conf','port=1'); z.close()\" " +
            zip));
  } else if (has_program("zip")) {
    write_file(root_ + "/zsrc/conf/app.conf", "port=1");
    ASSERT_TRUE(run("cd " + root_ + "/zsrc && zip -q -r " + zip + " conf"));
  } else {
    GTEST_SKIP() << "neither python3 nor zip is installed";
  }
  if (!has_program("unzip")) GTEST_SKIP() << "unzip is not installed";
  served_.put("/files/bundle.zip", read_file(zip));
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/bundle.zip"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report->results[0].extracted);
  EXPECT_EQ(read_file(box + "/conf/app.conf"), "port=1");
}

TEST_F(FetcherTest, DecompressesALoneGzipFile) {
  write_file(root_ + "/notes.txt", "some notes\n");
  ASSERT_TRUE(run("gzip -k " + root_ + "/notes.txt"));
  served_.put("/files/notes.txt.gz", read_file(root_ + "/notes.txt.gz"));
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/notes.txt.gz"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/notes.txt"), "some notes\n");
  EXPECT_EQ(list(box), (std::vector<std::string>{"notes.txt", "notes.txt.gz"}));
}

TEST_F(FetcherTest, HttpErrorNamesTheUriAndStatusAndLeavesNothing) {
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/missing.tgz"))}, box, "");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error(), url("/files/missing.tgz"))) << report.error();
  EXPECT_TRUE(contains(report.error(), "HTTP 404")) << report.error();
  EXPECT_TRUE(list(box).empty());
}

TEST_F(FetcherTest, FollowsRedirects) {
  served_.put("/files/moved.txt", "here now");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/redirect/moved.txt"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/moved.txt"), "here now");
  EXPECT_EQ(served_.count("/files/moved.txt"), 1);

  auto broken = fetcher.fetch({uri(url("/redirect/gone.txt"))}, box, "");
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(contains(broken.error(), "HTTP 404")) << broken.error();
  EXPECT_TRUE(contains(broken.error(), "redirected to")) << broken.error();
}

TEST_F(FetcherTest, StallTimeoutAbortsADownloadThatMakesNoProgress) {
  FetcherOptions o = options();
  o.stall_timeout = Duration::seconds(1);
  Fetcher fetcher(o);
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/stall/app.tgz"))}, box, "");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error(), "stall timeout")) << report.error();
  EXPECT_TRUE(list(box).empty());
}

TEST_F(FetcherTest, StallTimeoutSparesASlowButSteadyDownload) {
  FetcherOptions o = options();
  o.stall_timeout = Duration::seconds(1);  // shorter than the whole transfer
  Fetcher fetcher(o);
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/drip/slow.bin"))}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/slow.bin"), std::string(600, 'd'));
}

TEST_F(FetcherTest, RefusesFilesOverTheDownloadLimit) {
  served_.put("/files/big.bin", std::string(10000, 'x'));
  write_file(root_ + "/big.local", std::string(10000, 'x'));
  FetcherOptions o = options();
  o.max_download = Bytes(Bytes::KB);
  Fetcher fetcher(o);
  std::string box = sandbox("box");
  for (const std::string& value : {url("/files/big.bin"), root_ + "/big.local"}) {
    auto report = fetcher.fetch({uri(value)}, box, "");
    ASSERT_FALSE(report.ok()) << value;
    EXPECT_TRUE(contains(report.error(), "download limit of 1KB")) << report.error();
  }
  // Without a Content-Length the limit cuts the transfer as it grows.
  FetcherOptions small = options();
  small.max_download = Bytes(250);
  auto chunked = Fetcher(small).fetch({uri(url("/drip/slow.bin"))}, box, "");
  ASSERT_FALSE(chunked.ok());
  EXPECT_TRUE(contains(chunked.error(), "download limit of 250B")) << chunked.error();
  EXPECT_TRUE(list(box).empty());
}

TEST_F(FetcherTest, StopsAtTheFirstFailure) {
  served_.put("/files/a.txt", "a");
  served_.put("/files/c.txt", "c");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch(
      {uri(url("/files/a.txt")), uri(url("/files/b.txt")), uri(url("/files/c.txt"))}, box, "");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error(), "b.txt")) << report.error();
  EXPECT_EQ(list(box), std::vector<std::string>{"a.txt"});
}

TEST_F(FetcherTest, CorruptArchiveFailsAndLeavesNoStaging) {
  served_.put("/files/bad.tar.gz", "this is not gzip data");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  auto report = fetcher.fetch({uri(url("/files/bad.tar.gz"))}, box, "");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error(), "`tar")) << report.error();
  EXPECT_TRUE(contains(report.error(), "exited with status")) << report.error();
  EXPECT_TRUE(contains(report.error(), "not in gzip format")) << report.error();
  // The download itself completed; only the extraction's output is gone.
  EXPECT_EQ(list(box), std::vector<std::string>{"bad.tar.gz"});
}

// Archives crafted with Python's tarfile: members that climb out with '..'
// or through a symlink, a set-user-ID file, a device node.
TEST_F(FetcherTest, ArchivesCannotEscapeOrSmuggleSpecialFiles) {
  if (!has_program("python3")) GTEST_SKIP() << "python3 is not installed";
  std::string outside = sandbox("outside");
  std::string script = R"(
import io, sys, tarfile
def add(t, name, kind=tarfile.REGTYPE, **attrs):
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attrs.items(): setattr(info, key, value)
    info.size = 1 if kind == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(b"x") if kind == tarfile.REGTYPE else None)
with tarfile.open(sys.argv[1] + "/escape.tar", "w") as t:
    add(t, "../climbed.txt")
    add(t, "link", tarfile.SYMTYPE, linkname=sys.argv[2])
    add(t, "link/through.txt")
with tarfile.open(sys.argv[1] + "/setuid.tar", "w") as t:
    add(t, "bin/tool", mode=0o4755)
with tarfile.open(sys.argv[1] + "/device.tar", "w") as t:
    add(t, "ok.txt")
    add(t, "null", tarfile.CHRTYPE, devmajor=1, devminor=3)
)";
  write_file(root_ + "/make_tars.py", script);
  ASSERT_TRUE(run("python3 " + root_ + "/make_tars.py " + root_ + " " + outside));
  for (const char* name : {"escape.tar", "setuid.tar", "device.tar"})
    served_.put(std::string("/files/") + name, read_file(root_ + "/" + name));
  Fetcher fetcher(options());

  std::string escape_box = sandbox("escape");
  EXPECT_FALSE(fetcher.fetch({uri(url("/files/escape.tar"))}, escape_box, "").ok());
  EXPECT_TRUE(list(outside).empty());
  EXPECT_FALSE(fs::exists(root_ + "/climbed.txt"));
  EXPECT_EQ(list(escape_box), std::vector<std::string>{"escape.tar"});

  std::string setuid_box = sandbox("setuid");
  auto setuid = fetcher.fetch({uri(url("/files/setuid.tar"))}, setuid_box, "");
  ASSERT_TRUE(setuid.ok()) << setuid.error();
  EXPECT_EQ(mode_of(setuid_box + "/bin/tool"), 0755u);

  if (::geteuid() == 0) {  // only root's tar creates device nodes at all
    std::string device_box = sandbox("device");
    auto device = fetcher.fetch({uri(url("/files/device.tar"))}, device_box, "");
    ASSERT_FALSE(device.ok());
    EXPECT_TRUE(contains(device.error(), "'null' is a device")) << device.error();
    EXPECT_EQ(list(device_box), std::vector<std::string>{"device.tar"});
  }
}

// ---------------------------------------------------------------------------
// Local files, names and modes

TEST_F(FetcherTest, CopiesLocalPathsAndFileUris) {
  write_file(root_ + "/local/data.csv", "a,b\n");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  FetchUri by_uri = uri("file://" + root_ + "/local/data.csv");
  by_uri.output_file = "copy.csv";
  FetchUri by_host = uri("file://localhost" + root_ + "/local/data.csv");
  by_host.output_file = "host.csv";
  auto report = fetcher.fetch({uri(root_ + "/local/data.csv"), by_uri, by_host}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/data.csv"), "a,b\n");
  EXPECT_EQ(read_file(box + "/copy.csv"), "a,b\n");
  EXPECT_EQ(read_file(box + "/host.csv"), "a,b\n");

  for (std::string bad : {"local/data.csv", "file://local/data.csv"}) {
    auto refused = fetcher.fetch({uri(bad)}, box, "");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_TRUE(contains(refused.error(), bad)) << refused.error();
  }
  auto missing = fetcher.fetch({uri(root_ + "/local/nope")}, box, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(contains(missing.error(), "No such file")) << missing.error();
  auto directory = fetcher.fetch({uri(root_ + "/local")}, box, "");
  ASSERT_FALSE(directory.ok());
  EXPECT_TRUE(contains(directory.error(), "is a directory")) << directory.error();
  auto hdfs = fetcher.fetch({uri("hdfs://namenode/x")}, box, "");
  ASSERT_FALSE(hdfs.ok());
  EXPECT_TRUE(contains(hdfs.error(), "unsupported scheme")) << hdfs.error();
}

TEST_F(FetcherTest, ExecutableIsMode0755AndNeverExtracted) {
  served_.put("/files/tool", "#!/bin/sh\n");
  served_.put("/files/app.tar.gz", make_tar_gz());
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  FetchUri tool = uri(url("/files/tool"));
  tool.executable = true;
  FetchUri archive = uri(url("/files/app.tar.gz"));
  archive.executable = true;
  auto report = fetcher.fetch({tool, archive}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(mode_of(box + "/tool"), 0755u);
  EXPECT_EQ(mode_of(box + "/app.tar.gz"), 0755u);
  EXPECT_FALSE(report->results[1].extracted);
  EXPECT_EQ(list(box), (std::vector<std::string>{"app.tar.gz", "tool"}));
}

TEST_F(FetcherTest, OutputFileNamesTheCopyAndMayNotEscape) {
  served_.put("/files/tool", "binary");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  FetchUri named = uri(url("/files/tool"));
  named.output_file = "bin/./my-tool";
  auto report = fetcher.fetch({named}, box, "");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(read_file(box + "/bin/my-tool"), "binary");
  EXPECT_EQ(report->results[0].path, "bin/my-tool");

  std::string outside = sandbox("outside");
  ASSERT_EQ(::symlink(outside.c_str(), (box + "/link").c_str()), 0);
  for (std::string bad :
       {"../escaped", "/etc/escaped", "bin/../../escaped", "link/escaped", "bin/", ""}) {
    FetchUri escape = uri(url("/files/tool"));
    escape.output_file = bad;
    auto refused = fetcher.fetch({escape}, box, "");
    EXPECT_FALSE(refused.ok()) << "output_file '" << bad << "' was accepted";
  }
  EXPECT_TRUE(list(outside).empty());
  EXPECT_FALSE(fs::exists(root_ + "/escaped"));
  EXPECT_EQ(list(box), (std::vector<std::string>{"bin", "link"}));
  EXPECT_EQ(list(box + "/bin"), std::vector<std::string>{"my-tool"});
}

TEST_F(FetcherTest, RefusesAMissingSandbox) {
  Fetcher fetcher(options());
  auto report = fetcher.fetch({uri("/bin/sh")}, root_ + "/no-such-sandbox", "");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error(), "no-such-sandbox")) << report.error();
}

// ---------------------------------------------------------------------------
// Cache

TEST_F(FetcherTest, SecondFetchIsServedFromTheCache) {
  served_.put("/files/app.tar.gz", make_tar_gz());
  Fetcher fetcher(options());
  FetchUri cached = uri(url("/files/app.tar.gz"));
  cached.cache = true;

  std::string first = sandbox("first");
  auto one = fetcher.fetch({cached}, first, "");
  ASSERT_TRUE(one.ok()) << one.error();
  EXPECT_FALSE(one->results[0].from_cache);
  std::string second = sandbox("second");
  auto two = fetcher.fetch({cached}, second, "");
  ASSERT_TRUE(two.ok()) << two.error();
  EXPECT_TRUE(two->results[0].from_cache);
  EXPECT_TRUE(two->results[0].extracted);
  EXPECT_EQ(served_.count("/files/app.tar.gz"), 1);
  EXPECT_EQ(read_file(second + "/app.tar.gz"), read_file(first + "/app.tar.gz"));
  EXPECT_EQ(read_file(second + "/app/README"), "read me\n");
  ASSERT_NE(fetcher.cache(), nullptr);
  EXPECT_EQ(fetcher.cache()->entries(), 1u);

  // Without cache: true the source is asked again.
  auto direct = fetcher.fetch({uri(url("/files/app.tar.gz"))}, sandbox("third"), "");
  ASSERT_TRUE(direct.ok()) << direct.error();
  EXPECT_EQ(served_.count("/files/app.tar.gz"), 2);

  // A restarted agent finds the cached file again.
  Fetcher restarted(options());
  auto again = restarted.fetch({cached}, sandbox("fourth"), "");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(again->results[0].from_cache);
  EXPECT_EQ(served_.count("/files/app.tar.gz"), 2);
}

TEST_F(FetcherTest, CacheEvictsTheLeastRecentlyUsedFile) {
  served_.put("/files/a.bin", std::string(2048, 'a'));
  served_.put("/files/b.bin", std::string(2048, 'b'));
  served_.put("/files/huge.bin", std::string(8192, 'h'));
  FetcherOptions o = options();
  o.cache_size = Bytes(3 * Bytes::KB);
  Fetcher fetcher(o);
  auto fetch_cached = [&](const std::string& name, const std::string& box) {
    FetchUri u = uri(url("/files/" + name));
    u.cache = true;
    auto report = fetcher.fetch({u}, sandbox(box), "");
    EXPECT_TRUE(report.ok()) << report.error();
    return report.ok() && report->results[0].from_cache;
  };

  EXPECT_FALSE(fetch_cached("a.bin", "1"));
  EXPECT_FALSE(fetch_cached("b.bin", "2"));  // a is evicted to make room
  EXPECT_EQ(fetcher.cache()->entries(), 1u);
  EXPECT_EQ(fetcher.cache()->used(), Bytes(2048));
  EXPECT_TRUE(fetch_cached("b.bin", "3"));
  EXPECT_FALSE(fetch_cached("a.bin", "4"));
  EXPECT_EQ(served_.count("/files/a.bin"), 2);
  EXPECT_EQ(served_.count("/files/b.bin"), 1);

  // Larger than the whole cache: fetched, but not kept.
  EXPECT_FALSE(fetch_cached("huge.bin", "5"));
  EXPECT_EQ(read_file(root_ + "/5/huge.bin"), std::string(8192, 'h'));
  EXPECT_FALSE(fetch_cached("huge.bin", "6"));
  EXPECT_EQ(served_.count("/files/huge.bin"), 2);
  EXPECT_EQ(fetcher.cache()->entries(), 1u);
  // Only entries in the cache directory: no temporary files left behind.
  EXPECT_EQ(list(root_ + "/cache").size(), 1u);
}

TEST_F(FetcherTest, ConcurrentFetchesOfACachedUriDownloadOnce) {
  served_.put("/files/app.tar.gz", make_tar_gz());
  Fetcher fetcher(options());
  FetchUri cached = uri(url("/files/app.tar.gz"));
  cached.cache = true;
  constexpr int kThreads = 4;
  std::vector<Result<FetchReport>> reports(kThreads, Error("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    std::string box = sandbox("box" + std::to_string(i));
    threads.emplace_back([&, i, box] { reports[i] = fetcher.fetch({cached}, box, ""); });
  }
  for (std::thread& t : threads)
    t.join();
  int from_cache = 0;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(reports[i].ok()) << reports[i].error();
    from_cache += reports[i]->results[0].from_cache ? 1 : 0;
    std::string box = root_ + "/box" + std::to_string(i);
    EXPECT_EQ(read_file(box + "/app/README"), "read me\n");
    EXPECT_EQ(list(box), (std::vector<std::string>{"app", "app.tar.gz"}));
  }
  EXPECT_EQ(from_cache, kThreads - 1);
  EXPECT_EQ(served_.count("/files/app.tar.gz"), 1);
}

// ---------------------------------------------------------------------------
// Ownership

TEST_F(FetcherTest, GivesEverythingToTheTaskUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  uid_t uid = nobody->pw_uid;
  served_.put("/files/app.tar.gz", make_tar_gz());
  served_.put("/files/tool", "x");
  Fetcher fetcher(options());
  std::string box = sandbox("box");
  FetchUri tool = uri(url("/files/tool"));
  tool.output_file = "bin/tool";
  auto report = fetcher.fetch({uri(url("/files/app.tar.gz")), tool}, box, "nobody");
  ASSERT_TRUE(report.ok()) << report.error();
  for (const char* path :
       {"/app.tar.gz", "/app", "/app/README", "/app/run.sh", "/bin", "/bin/tool"})
    EXPECT_EQ(owner_of(box + path), uid) << path;

  // A local file `nobody` cannot read is not copied for it.
  write_file(root_ + "/secret", "s3cret");
  ::chmod((root_ + "/secret").c_str(), 0600);
  auto secret = fetcher.fetch({uri(root_ + "/secret")}, box, "nobody");
  ASSERT_FALSE(secret.ok());
  EXPECT_TRUE(contains(secret.error(), "may not read")) << secret.error();
  EXPECT_FALSE(fs::exists(box + "/secret"));
  ::chmod((root_ + "/secret").c_str(), 0644);
  EXPECT_TRUE(fetcher.fetch({uri(root_ + "/secret")}, box, "nobody").ok());

  auto unknown = fetcher.fetch({tool}, box, "no-such-user-xyz");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(contains(unknown.error(), "unknown user 'no-such-user-xyz'")) << unknown.error();
}

}  // namespace
}  // namespace cairn::fetcher
