// Archives the fetcher unpacks, recognized by file name as Mesos does:
// .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz/.txz (tar), .zip (unzip) and a
// lone .gz (gzip -d, giving the name without .gz). The archive itself stays.
//
// Tools unpack into a fresh staging directory beside the archive, never
// straight into the sandbox. The staged tree is then checked (no devices,
// FIFOs or sockets; set-user/group-ID bits dropped, since the tools run as
// root), given to the task's user, and moved into place, merging with
// directories already there. A failed unpack leaves nothing behind.
#pragma once

#include <string>
#include <string_view>

#include "daemons/agent/fetcher/file_owner.hpp"
#include "lib/base/result.hpp"

namespace cairn::fetcher {

enum class ArchiveKind { kNone, kTar, kTarGzip, kTarBzip2, kTarXz, kZip, kGzip };

// By extension, case-sensitive: "app.tar.gz" -> kTarGzip, "notes.txt" -> kNone.
ArchiveKind archive_kind(std::string_view name);

// Unpacks the archive at `archive_path` into `directory` (for kGzip the
// output is named after the archive without ".gz"); `owner` may be null
// (files stay the agent's).
Status extract_archive(const std::string& archive_path, ArchiveKind kind,
                       const std::string& directory, const FileOwner* owner);

}  // namespace cairn::fetcher
