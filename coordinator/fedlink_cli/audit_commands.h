// The offline halves of `fedlink audit …`: the auditor's pinned inputs, the
// saved-head state file, the verdict report and exit code, and how entries
// are shown (table, JSON lines, denials). The RPC-driven commands
// (coordinator_commands.h) feed these with what they fetched, so that
// online and archive verification print and decide the same way.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_AUDIT_COMMANDS_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_AUDIT_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "coordinator/fedlink_cli/exit_codes.h"
#include "fedlink/v1/audit.pb.h"
#include "proto/audit/audit_verifier.h"
#include "proto/audit/first_bad_entry_search.h"

namespace fedlink::cli {

// The head saved by the last successful verification: nullopt when `path`
// is empty or does not exist yet. InvalidArgument if the file does not
// parse as a SignedTreeHead. Thread-safe.
absl::StatusOr<std::optional<v1::SignedTreeHead>> LoadSavedHead(const std::string& path);

// Writes `head` to `path` atomically (temporary file + rename), creating the
// folder. Unavailable naming the path on failure. Not safe against two
// concurrent writers of the same path.
absl::Status SaveHead(const std::string& path, const v1::SignedTreeHead& head);

// Verifier options from the pinned configuration: the log key (PEM file
// audit.log_key; required), the log id, the saved head, and — when
// agency_keys are configured — DecisionEntryCheck over them.
// FailedPrecondition if no log key is configured; errors of reading and
// parsing the key files (naming the file). Thread-safe.
absl::StatusOr<audit::AuditVerifyOptions> MakeVerifyOptions(
    const ClientConfig& config, std::optional<v1::SignedTreeHead> saved_head);

// When the entries read from the live log do not hash to its latest signed
// root, locates the first bad entry by bisecting over the heads the log
// signed at smaller sizes (audit::NarrowFirstBadEntry; `head_at` fetches
// them, `leaf_hashes` are the entries' Merkle leaf hashes as read). Other
// verdicts come back unchanged. If the search fails (a fetch fails, a head
// does not verify) the verdict stays as it was, its reason saying why the
// position is unknown. Thread-compatible.
audit::AuditVerdict LocateFirstBadEntry(audit::AuditVerdict verdict,
                                        absl::Span<const audit::MerkleHash> leaf_hashes,
                                        const audit::AuditVerifyOptions& options,
                                        const audit::SignedHeadAtSize& head_at);

// Prints the verdict (OK with sizes, or FAILED with the problem, the first
// bad index — or the range it is in — and the reason) and, on success with
// a non-empty state path, saves the latest verified head there. With
// `json`, one object (VerdictJson) instead. Returns kExitOk, kExitFailed,
// or kExitError if the state cannot be saved.
int ReportVerdict(const audit::AuditVerdict& verdict, const std::string& state_path,
                  std::ostream& out, std::ostream& err, bool json = false);

// The verdict as JSON: {"ok", "problem" (AuditProblemName), "first_bad_index",
// "last_possible_bad_index" (null unless set), "reason", "entries_checked",
// "heads_verified", "latest_head": {"tree_size", "time", "root_hash" (hex)}
// | null, "saved_state": the state file written | null}.
std::string VerdictJson(const audit::AuditVerdict& verdict, const std::string& saved_state);

// `fedlink audit verify --archive FILE [--state FILE]`: verifies an export
// file while reading it. Returns an exit code; errors go to `err`.
int VerifyArchiveCommand(const std::string& archive_path, const ClientConfig& config,
                         const std::string& state_path, std::ostream& out, std::ostream& err,
                         bool json = false);

// A display filter for `audit log` / `audit denials` (verification always
// reads everything).
struct EntryFilter {
  std::string job_id;          // empty: all
  uint64_t since_unix_ms = 0;  // 0: all
  bool denials_only = false;
};

// True if the entry records a refusal: outcome REFUSED, a JOB_DENIED, a
// refused call or certificate, or a decision whose verdict is DENY.
bool IsDenial(const v1::AuditEntry& entry);

bool EntryMatches(const v1::LoggedEntry& logged, const EntryFilter& filter);

// One line per entry: index, UTC time, actor role/name, action, outcome,
// job, agency, counts, reason. Entries that do not parse show as such.
std::string EntryTableHeader();
std::string EntryTableRow(const v1::LoggedEntry& logged);
// One JSON object per entry (no trailing newline); bytes fields in hex.
std::string EntryJsonLine(const v1::LoggedEntry& logged);

// `fedlink audit log|denials --archive FILE`: prints the matching entries of
// an export file. Returns an exit code.
int PrintArchiveEntries(const std::string& archive_path, const EntryFilter& filter, bool json,
                        std::ostream& out, std::ostream& err);

// Parses --since: RFC 3339 ("2026-12-01T06:00:00Z"), a date (UTC midnight)
// or milliseconds since the epoch. InvalidArgument naming the option.
absl::StatusOr<uint64_t> ParseSince(const std::string& text);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_AUDIT_COMMANDS_H_
