// What the agent offers when --resources does not say: cpus from the CPUs
// this process may run on, memory and disk less a reserve for the system
// (Mesos' rules), ports [31000-32000]. Entries given in --resources replace
// the detected ones of the same name.
#pragma once

#include <string>

#include "lib/base/result.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::agent {

struct MachineFacts {
  double cpus = 1;
  double mem_mb = 1024;   // total
  double disk_mb = 10240; // total of the filesystem holding work_dir
};

MachineFacts detect_machine(const std::string& work_dir);

// Mesos: memory less 1GB (half under 2GB); disk less 5GB (half under 10GB).
Resources default_resources(const MachineFacts& facts);

// --resources text (may be empty) merged over the defaults; resources
// without a role get `default_role`.
Result<Resources> agent_resources(const std::string& flag, const MachineFacts& facts,
                                  const std::string& default_role);

}  // namespace cairn::agent
