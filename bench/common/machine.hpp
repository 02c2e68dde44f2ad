// What a bench needs from the machine and the process it runs in: enough
// open files for thousands of loopback connections, a clean stop on SIGINT
// or SIGTERM (so that child masters and ZooKeeper are torn down rather than
// orphaned), no death by SIGPIPE from a peer that went away, and the load
// average, printed beside the figures because the machine is shared and
// other work skews every figure.
#pragma once

namespace cairn::bench {

// Raises the open-file limit to its hard limit; warns on stderr, naming
// `program`, when it cannot.
void raise_file_limit(const char* program);

// Ignores SIGPIPE and turns SIGINT and SIGTERM into interrupted().
void catch_interrupts();
bool interrupted();

// The 1-minute load average, -1 if unavailable.
double load_average();

}  // namespace cairn::bench
