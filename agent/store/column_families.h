// The agent store's RocksDB column families, in one registry: the enum names
// a family in code, the table gives its on-disk name and what it holds. The
// store opens exactly these families, so adding one means adding a row here.
//
// Every value in every family but audit_log is sealed with AES-256-GCM under
// the store's value key; keys never contain an identifier (see
// record_store.h). audit_log belongs to proto/audit's AuditLog (its own
// layout, proto/audit/audit_log_keys.h): entries that auditors read and
// that by contract hold no identifier or attribute value, only names and
// counts.
#ifndef FEDLINK_AGENT_STORE_COLUMN_FAMILIES_H_
#define FEDLINK_AGENT_STORE_COLUMN_FAMILIES_H_

#include <array>
#include <cstddef>
#include <string_view>

namespace fedlink::agent {

enum class ColumnFamily {
  kDefault,     // RocksDB's own default family: the store header
  kRecords,     // HMAC(local id) → sealed StoredRecord
  kJobState,    // job id → sealed job state (opaque to the store)
  kPseudonyms,  // (job id, pseudonym) → sealed local id, per job
  kLocalAudit,  // sequence number → sealed entry of what was released
  kMeta,        // name → sealed value (ingest checkpoints, settings)
  kAuditLog,    // the agent's Merkle audit log (agent/audit), not sealed
};

struct ColumnFamilyInfo {
  ColumnFamily id;
  std::string_view name;  // the RocksDB column family name
};

// Ordered as the enum, so that kColumnFamilies[static_cast<size_t>(cf)]
// describes `cf` (checked below).
inline constexpr std::array<ColumnFamilyInfo, 7> kColumnFamilies = {{
    {ColumnFamily::kDefault, "default"},
    {ColumnFamily::kRecords, "records"},
    {ColumnFamily::kJobState, "job_state"},
    {ColumnFamily::kPseudonyms, "pseudonyms"},
    {ColumnFamily::kLocalAudit, "local_audit"},
    {ColumnFamily::kMeta, "meta"},
    {ColumnFamily::kAuditLog, "audit_log"},
}};

constexpr size_t ColumnFamilyIndex(ColumnFamily cf) {
  return static_cast<size_t>(cf);
}

constexpr std::string_view ColumnFamilyName(ColumnFamily cf) {
  return kColumnFamilies[ColumnFamilyIndex(cf)].name;
}

namespace column_families_internal {
constexpr bool RegistryMatchesEnum() {
  for (size_t i = 0; i < kColumnFamilies.size(); ++i) {
    if (ColumnFamilyIndex(kColumnFamilies[i].id) != i) return false;
  }
  return true;
}
}  // namespace column_families_internal

static_assert(column_families_internal::RegistryMatchesEnum(),
              "kColumnFamilies must list the families in enum order");
static_assert(ColumnFamilyName(ColumnFamily::kDefault) == "default",
              "RocksDB requires the default family under this name");

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_COLUMN_FAMILIES_H_
