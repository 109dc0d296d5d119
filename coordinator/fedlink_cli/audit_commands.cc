#include "coordinator/fedlink_cli/audit_commands.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_archive.h"
#include "proto/audit/decision_entry_check.h"

namespace fedlink::cli {
namespace {

// "AUDIT_ACTION_JOB_DENIED" → "job_denied": short enough for a table.
std::string ShortEnumName(const std::string& full, std::string_view prefix) {
  std::string name = full;
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

std::string ActionName(v1::AuditAction action) {
  return ShortEnumName(v1::AuditAction_Name(action), "AUDIT_ACTION_");
}
std::string OutcomeName(v1::AuditOutcome outcome) {
  return ShortEnumName(v1::AuditOutcome_Name(outcome), "AUDIT_OUTCOME_");
}
std::string RoleName(v1::Role role) { return ShortEnumName(v1::Role_Name(role), "ROLE_"); }

std::string FormatTimeMs(uint64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                          absl::FromUnixMillis(static_cast<int64_t>(unix_ms)), absl::UTCTimeZone());
}

std::string CountsText(const v1::AuditEntry& entry) {
  std::string text;
  for (const v1::AuditCount& count : entry.counts()) {
    absl::StrAppend(&text, text.empty() ? "" : " ", count.name(), "=", count.value());
  }
  return text;
}

}  // namespace

absl::StatusOr<std::optional<v1::SignedTreeHead>> LoadSavedHead(const std::string& path) {
  if (path.empty()) return std::nullopt;
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (absl::IsNotFound(bytes.status())) return std::nullopt;
  if (!bytes.ok()) return bytes.status();
  v1::SignedTreeHead head;
  if (!head.ParseFromString(*bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a saved signed tree head (remove it only if you know why)"));
  }
  return head;
}

absl::Status SaveHead(const std::string& path, const v1::SignedTreeHead& head) {
  const std::filesystem::path target(path);
  std::error_code error;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), error);
  const std::string temporary = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out || !head.SerializeToOstream(&out) || !out.flush()) {
      return absl::UnavailableError(absl::StrCat(temporary, ": cannot write"));
    }
  }
  std::filesystem::rename(temporary, target, error);
  if (error) return absl::UnavailableError(absl::StrCat(path, ": cannot replace: ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<audit::AuditVerifyOptions> MakeVerifyOptions(
    const ClientConfig& config, std::optional<v1::SignedTreeHead> saved_head) {
  if (config.audit_log_key_file.empty()) {
    return absl::FailedPreconditionError(
        "no pinned coordinator log key: set audit.log_key in the client configuration");
  }
  absl::StatusOr<std::string> pem = ReadWholeFile(config.audit_log_key_file);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<crypto::Ed25519PublicKey> key = crypto::Ed25519PublicKey::FromPem(*pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(config.audit_log_key_file,
                                                   ": not an Ed25519 public key: ",
                                                   key.status().message()));
  }
  audit::AuditVerifyOptions options{*key, config.audit_log_id, std::move(saved_head), nullptr};
  if (!config.agency_key_files.empty()) {
    proto::DecisionKeys keys;
    for (const auto& [agency, file] : config.agency_key_files) {
      absl::StatusOr<std::string> agency_pem = ReadWholeFile(file);
      if (!agency_pem.ok()) return agency_pem.status();
      absl::StatusOr<crypto::Ed25519PublicKey> agency_key =
          crypto::Ed25519PublicKey::FromPem(*agency_pem);
      if (!agency_key.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": decision key of agency ", agency, ": ", agency_key.status().message()));
      }
      keys.emplace(agency, *agency_key);
    }
    options.check_entry = audit::DecisionEntryCheck(std::move(keys));
  }
  return options;
}

audit::AuditVerdict LocateFirstBadEntry(audit::AuditVerdict verdict,
                                        absl::Span<const audit::MerkleHash> leaf_hashes,
                                        const audit::AuditVerifyOptions& options,
                                        const audit::SignedHeadAtSize& head_at) {
  absl::StatusOr<audit::AuditVerdict> narrowed =
      audit::NarrowFirstBadEntry(verdict, leaf_hashes, options.log_key, options.log_id, head_at);
  if (narrowed.ok()) return *std::move(narrowed);
  absl::StrAppend(&verdict.reason, "; the first bad entry could not be located: ",
                  narrowed.status().message());
  return verdict;
}

std::string VerdictJson(const audit::AuditVerdict& verdict, const std::string& saved_state) {
  auto optional_index = [](const std::optional<uint64_t>& index) -> nlohmann::ordered_json {
    if (index.has_value()) return *index;
    return nullptr;
  };
  nlohmann::ordered_json out;
  out["ok"] = verdict.ok();
  out["problem"] = std::string(audit::AuditProblemName(verdict.problem));
  out["first_bad_index"] = optional_index(verdict.first_bad_index);
  out["last_possible_bad_index"] = optional_index(verdict.last_possible_bad_index);
  out["reason"] = verdict.reason;
  out["entries_checked"] = verdict.entries_checked;
  out["heads_verified"] = verdict.heads_verified;
  if (verdict.latest_verified_head) {
    const v1::TreeHead& head = verdict.latest_verified_head->head();
    out["latest_head"] = {{"tree_size", head.tree_size()},
                          {"time", FormatTimeMs(head.timestamp_unix_ms())},
                          {"root_hash", absl::BytesToHexString(head.root_hash())}};
  } else {
    out["latest_head"] = nullptr;
  }
  out["saved_state"] = saved_state.empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(saved_state);
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

int ReportVerdict(const audit::AuditVerdict& verdict, const std::string& state_path,
                  std::ostream& out, std::ostream& err, bool json) {
  if (!verdict.ok()) {
    if (json) {
      out << VerdictJson(verdict, "");
      return kExitFailed;
    }
    std::string first_bad = "?";
    if (verdict.first_bad_index && verdict.last_possible_bad_index) {
      first_bad = absl::StrCat("somewhere in ", *verdict.first_bad_index, "..",
                               *verdict.last_possible_bad_index);
    } else if (verdict.first_bad_index) {
      first_bad = absl::StrCat(*verdict.first_bad_index);
    }
    out << "audit log verification FAILED: " << audit::AuditProblemName(verdict.problem)
        << "\n  first bad entry: " << first_bad
        << "\n  reason: " << verdict.reason << "\n  entries checked before it: "
        << verdict.entries_checked << ", signed heads verified: " << verdict.heads_verified
        << "\n";
    return kExitFailed;
  }
  // The head is saved before anything is printed, so that the report (text
  // or JSON) says whether it was.
  std::string saved_state;
  if (!state_path.empty() && verdict.latest_verified_head) {
    absl::Status saved = SaveHead(state_path, *verdict.latest_verified_head);
    if (!saved.ok()) {
      err << "fedlink: " << saved.message() << "\n";
      return kExitError;
    }
    saved_state = state_path;
  }
  if (json) {
    out << VerdictJson(verdict, saved_state);
    return kExitOk;
  }
  out << "audit log OK: " << verdict.entries_checked << " entries, " << verdict.heads_verified
      << " signed heads verified";
  if (verdict.latest_verified_head) {
    const v1::TreeHead& head = verdict.latest_verified_head->head();
    out << "; latest head size " << head.tree_size() << " at "
        << FormatTimeMs(head.timestamp_unix_ms()) << ", root "
        << absl::BytesToHexString(head.root_hash());
  }
  out << "\n";
  if (!saved_state.empty()) out << "saved head to " << saved_state << "\n";
  return kExitOk;
}

int VerifyArchiveCommand(const std::string& archive_path, const ClientConfig& config,
                         const std::string& state_path, std::ostream& out, std::ostream& err,
                         bool json) {
  absl::StatusOr<std::optional<v1::SignedTreeHead>> saved = LoadSavedHead(state_path);
  if (!saved.ok()) {
    err << "fedlink: " << saved.status().message() << "\n";
    return kExitError;
  }
  absl::StatusOr<audit::AuditVerifyOptions> options = MakeVerifyOptions(config, *saved);
  if (!options.ok()) {
    err << "fedlink: " << options.status().message() << "\n";
    return kExitError;
  }
  std::ifstream in(archive_path, std::ios::binary);
  if (!in) {
    err << "fedlink: " << archive_path << ": cannot open\n";
    return kExitError;
  }
  absl::StatusOr<audit::AuditVerdict> verdict =
      audit::VerifyAuditArchive(in, *std::move(options));
  if (!verdict.ok()) {
    err << "fedlink: " << archive_path << ": " << verdict.status().message() << "\n";
    return kExitError;
  }
  return ReportVerdict(*verdict, state_path, out, err, json);
}

bool IsDenial(const v1::AuditEntry& entry) {
  return entry.outcome() == v1::AUDIT_OUTCOME_REFUSED ||
         entry.action() == v1::AUDIT_ACTION_JOB_DENIED ||
         entry.action() == v1::AUDIT_ACTION_CALL_REFUSED ||
         entry.action() == v1::AUDIT_ACTION_CERTIFICATE_REJECTED ||
         (entry.has_decision() && entry.decision().verdict() == v1::VERDICT_DENY);
}

bool EntryMatches(const v1::LoggedEntry& logged, const EntryFilter& filter) {
  v1::AuditEntry entry;
  if (!entry.ParseFromString(logged.entry())) {
    // Shown (as unreadable) unless a filter needs the content.
    return filter.job_id.empty() && filter.since_unix_ms == 0 && !filter.denials_only;
  }
  if (!filter.job_id.empty() && entry.job_id() != filter.job_id) return false;
  if (filter.since_unix_ms != 0 && entry.time_unix_ms() < filter.since_unix_ms) return false;
  if (filter.denials_only && !IsDenial(entry)) return false;
  return true;
}

std::string EntryTableHeader() {
  return absl::StrFormat("%-7s %-24s %-28s %-22s %-8s %-34s %-16s %s", "INDEX", "TIME (UTC)",
                         "ACTOR", "ACTION", "OUTCOME", "JOB", "AGENCY", "COUNTS / REASON");
}

std::string EntryTableRow(const v1::LoggedEntry& logged) {
  v1::AuditEntry entry;
  if (!entry.ParseFromString(logged.entry())) {
    return absl::StrFormat("%-7d (entry does not parse)", logged.index());
  }
  std::string detail = CountsText(entry);
  if (entry.has_decision()) {
    absl::StrAppend(&detail, detail.empty() ? "" : " ", "verdict=",
                    ShortEnumName(v1::Verdict_Name(entry.decision().verdict()), "VERDICT_"));
  }
  if (!entry.reason().empty()) absl::StrAppend(&detail, detail.empty() ? "" : " ", entry.reason());
  return absl::StrFormat(
      "%-7d %-24s %-28s %-22s %-8s %-34s %-16s %s", logged.index(),
      FormatTimeMs(entry.time_unix_ms()),
      absl::StrCat(RoleName(entry.actor().role()), "/", entry.actor().name()),
      ActionName(entry.action()), OutcomeName(entry.outcome()),
      entry.job_id().empty() ? "-" : entry.job_id(), entry.agency().empty() ? "-" : entry.agency(),
      detail);
}

std::string EntryJsonLine(const v1::LoggedEntry& logged) {
  nlohmann::ordered_json line;
  line["index"] = logged.index();
  v1::AuditEntry entry;
  if (!entry.ParseFromString(logged.entry())) {
    line["error"] = "entry does not parse";
    return line.dump();
  }
  line["time"] = FormatTimeMs(entry.time_unix_ms());
  line["time_unix_ms"] = entry.time_unix_ms();
  line["actor"] = {{"role", RoleName(entry.actor().role())},
                   {"name", entry.actor().name()},
                   {"agency", entry.actor().agency()}};
  line["action"] = ActionName(entry.action());
  line["outcome"] = OutcomeName(entry.outcome());
  if (!entry.job_id().empty()) line["job_id"] = entry.job_id();
  if (!entry.agency().empty()) line["agency"] = entry.agency();
  if (!entry.rpc().empty()) line["rpc"] = entry.rpc();
  if (!entry.reason().empty()) line["reason"] = entry.reason();
  if (entry.counts_size() > 0) {
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    for (const v1::AuditCount& count : entry.counts()) counts[count.name()] = count.value();
    line["counts"] = counts;
  }
  if (!entry.job_spec_sha256().empty()) {
    line["job_spec_sha256"] = absl::BytesToHexString(entry.job_spec_sha256());
  }
  if (entry.has_decision()) {
    line["decision"] = {
        {"agency", entry.decision().agency()},
        {"steward", entry.decision().steward()},
        {"verdict", ShortEnumName(v1::Verdict_Name(entry.decision().verdict()), "VERDICT_")},
        {"key_id", absl::BytesToHexString(entry.decision().key_id())}};
  }
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int PrintArchiveEntries(const std::string& archive_path, const EntryFilter& filter, bool json,
                        std::ostream& out, std::ostream& err) {
  std::ifstream in(archive_path, std::ios::binary);
  if (!in) {
    err << "fedlink: " << archive_path << ": cannot open\n";
    return kExitError;
  }
  absl::StatusOr<audit::AuditLogExport> log = audit::ReadAuditArchive(in);
  if (!log.ok()) {
    err << "fedlink: " << archive_path << ": " << log.status().message() << "\n";
    return kExitError;
  }
  if (!json) out << EntryTableHeader() << "\n";
  for (const v1::LoggedEntry& logged : log->entries) {
    if (!EntryMatches(logged, filter)) continue;
    out << (json ? EntryJsonLine(logged) : EntryTableRow(logged)) << "\n";
  }
  return kExitOk;
}

absl::StatusOr<uint64_t> ParseSince(const std::string& text) {
  uint64_t millis = 0;
  if (absl::SimpleAtoi(text, &millis)) return millis;
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    if (time < absl::UnixEpoch()) return absl::InvalidArgumentError("--since: before 1970");
    return static_cast<uint64_t>(absl::ToUnixMillis(time));
  }
  return absl::InvalidArgumentError(
      "--since: expected RFC 3339 (2026-12-01T06:00:00Z), a date (2026-12-01) or Unix ms");
}

}  // namespace fedlink::cli
