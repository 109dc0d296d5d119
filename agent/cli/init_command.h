// `fedlink-agent init --data-dir D --agency NAME --linkage-secret FILE`:
// prepares an agency's data directory (agent/store/README.md):
//   1. checks the agency name and the linkage secret file (private: mode
//      0600 or stricter, owned by this user, 32 raw bytes or 64 hex digits)
//      before anything is created — an agent never generates the linkage
//      secret itself: the agencies agree on it out of band;
//   2. creates D (mode 0700), the agency's Ed25519 signing key and the
//      at-rest key (InitDataDir);
//   3. copies the linkage secret into D;
//   4. creates the encrypted record store and records the agency name in it.
// An interrupted init is completed by running it again with the same
// arguments; an initialised directory is never changed (no key is ever
// replaced).
#ifndef FEDLINK_AGENT_CLI_INIT_COMMAND_H_
#define FEDLINK_AGENT_CLI_INIT_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace fedlink::agent::cli {

struct InitCommandOptions {
  std::string data_dir;
  std::string agency;          // a NAME: [a-z0-9][a-z0-9._-]*, 1..64 bytes
  std::string linkage_secret;  // path of the shared secret's file
};

// Runs init and prints what it created (paths and the public key file to
// register with the coordinator; never key bytes) to `out`. Errors:
//   InvalidArgument   the agency is not a NAME (the message gives the rule);
//   AlreadyExists     D is fully initialised already;
//   FailedPrecondition D was initialised for another agency;
//   errors of LoadKeyFile for the secret (NotFound, PermissionDenied with
//   the chmod fix, InvalidArgument for a wrong size), of InitDataDir,
//   ImportLinkageSecret and RecordStore::Open.
// Not safe to run concurrently for the same directory.
absl::Status RunInitCommand(const InitCommandOptions& options,
                            std::ostream& out);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_INIT_COMMAND_H_
