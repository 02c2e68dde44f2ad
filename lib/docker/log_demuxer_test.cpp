#include "lib/docker/log_demuxer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::docker {
namespace {

struct Collected {
  std::string out;
  std::string err;
  std::string in;
  int pieces = 0;
};

LogDemuxer::Sink collect(Collected& c) {
  return [&c](LogStream stream, std::string_view data) {
    ++c.pieces;
    switch (stream) {
      case LogStream::kStdout:
        c.out.append(data);
        break;
      case LogStream::kStderr:
        c.err.append(data);
        break;
      case LogStream::kStdin:
        c.in.append(data);
        break;
    }
    return ok_status();
  };
}

std::string sample_stream() {
  return encode_log_frame(LogStream::kStdout, "out line 1\n") +
         encode_log_frame(LogStream::kStderr, "err line\n") +
         encode_log_frame(LogStream::kStdout, "") +  // empty frames occur
         encode_log_frame(LogStream::kStdout, "out line 2\n") +
         encode_log_frame(LogStream::kStdin, "in");
}

TEST(LogDemuxer, EncodesTheEngineFrameHeader) {
  std::string frame = encode_log_frame(LogStream::kStderr, std::string(258, 'x'));
  ASSERT_EQ(frame.size(), 8u + 258u);
  EXPECT_EQ(frame.substr(0, 8), std::string("\x02\x00\x00\x00\x00\x00\x01\x02", 8));
}

TEST(LogDemuxer, SplitsStreamsFedInOneChunk) {
  Collected c;
  LogDemuxer demuxer(collect(c));
  ASSERT_TRUE(demuxer.feed(sample_stream()).ok());
  EXPECT_EQ(c.out, "out line 1\nout line 2\n");
  EXPECT_EQ(c.err, "err line\n");
  EXPECT_EQ(c.in, "in");
  EXPECT_FALSE(demuxer.mid_frame());
}

TEST(LogDemuxer, HandlesFramesCutAtEveryPosition) {
  std::string stream = sample_stream();
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Collected c;
    LogDemuxer demuxer(collect(c));
    ASSERT_TRUE(demuxer.feed(std::string_view(stream).substr(0, cut)).ok());
    ASSERT_TRUE(demuxer.feed(std::string_view(stream).substr(cut)).ok());
    EXPECT_EQ(c.out, "out line 1\nout line 2\n") << "cut at " << cut;
    EXPECT_EQ(c.err, "err line\n") << "cut at " << cut;
    EXPECT_FALSE(demuxer.mid_frame());
  }
}

TEST(LogDemuxer, HandlesOneByteAtATime) {
  std::string stream = sample_stream();
  Collected c;
  LogDemuxer demuxer(collect(c));
  for (char byte : stream)
    ASSERT_TRUE(demuxer.feed(std::string_view(&byte, 1)).ok());
  EXPECT_EQ(c.out, "out line 1\nout line 2\n");
  EXPECT_EQ(c.err, "err line\n");
}

TEST(LogDemuxer, PassesPartsOfALargeFrameWithoutWaitingForAllOfIt) {
  std::string payload(100000, 'a');
  std::string frame = encode_log_frame(LogStream::kStdout, payload);
  Collected c;
  LogDemuxer demuxer(collect(c));
  ASSERT_TRUE(demuxer.feed(std::string_view(frame).substr(0, 5000)).ok());
  EXPECT_EQ(c.out.size(), 5000u - 8u);
  EXPECT_TRUE(demuxer.mid_frame());
  ASSERT_TRUE(demuxer.feed(std::string_view(frame).substr(5000)).ok());
  EXPECT_EQ(c.out, payload);
  EXPECT_FALSE(demuxer.mid_frame());
}

TEST(LogDemuxer, ReportsAStreamCutInsideAHeader) {
  Collected c;
  LogDemuxer demuxer(collect(c));
  ASSERT_TRUE(demuxer.feed(encode_log_frame(LogStream::kStdout, "x").substr(0, 3)).ok());
  EXPECT_TRUE(demuxer.mid_frame());
}

TEST(LogDemuxer, RejectsAStreamThatIsNotMultiplexed) {
  Collected c;
  LogDemuxer demuxer(collect(c));
  Status status = demuxer.feed("hello from a tty container\n");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("not a multiplexed log stream"), std::string::npos);
  EXPECT_NE(status.error().find("68 65 6c 6c"), std::string::npos) << status.error();
  EXPECT_FALSE(demuxer.feed(encode_log_frame(LogStream::kStdout, "x")).ok());
}

TEST(LogDemuxer, StopsAtTheSinksError) {
  LogDemuxer demuxer([](LogStream, std::string_view) { return Status(Error("disk full")); });
  Status status = demuxer.feed(sample_stream());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "disk full");
}

}  // namespace
}  // namespace cairn::docker
