// The record the agent keeps for each person an agency holds: the agency's
// local record id, the identifier fields by role and the attribute values by
// column, as ingest hands them over (agent/ingest normalises identifiers for
// their kind and writes attributes as canonical text; the store keeps the
// bytes as given). Every value is a SensitiveString, so none can be printed.
//
// Serialised form, format version 2 (all integers little-endian):
//   u8   format version (2)
//   u64  ingest run                               (0: none)
//   u32  local id length,   local id bytes        (1..kMaxLocalIdBytes)
//   u32  identifier count,  then per identifier:  (0..kMaxFieldsPerList)
//          u32 name length, name bytes            (1..kMaxFieldNameBytes)
//          u32 value length, value bytes          (0..kMaxFieldValueBytes)
//   u32  attribute count,   then per attribute: as per identifier
// and nothing after the last attribute. Names are unique within their list
// and kept in the order given. Format version 1 is the same without the
// ingest run (records written before runs were recorded; read with run 0).
// A reader refuses a version it does not know (a newer agent wrote it)
// instead of guessing at the layout.
#ifndef FEDLINK_AGENT_STORE_STORED_RECORD_H_
#define FEDLINK_AGENT_STORE_STORED_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/sensitive.h"

namespace fedlink::agent {

inline constexpr uint8_t kStoredRecordFormatVersion = 2;
// The oldest format version this build still reads.
inline constexpr uint8_t kOldestStoredRecordFormatVersion = 1;

// Limits well above any real record; they bound memory on corrupt input.
inline constexpr size_t kMaxLocalIdBytes = 256;
inline constexpr size_t kMaxFieldNameBytes = 64;
inline constexpr size_t kMaxFieldValueBytes = 64 * 1024;
inline constexpr size_t kMaxFieldsPerList = 512;

// A named value: an identifier field ("last_name", "dob"…) or an attribute
// column ("enrolment_year"…) with its text.
struct StoredField {
  std::string name;
  SensitiveString value;
  friend bool operator==(const StoredField&, const StoredField&) = default;
  // gtest prints values of failed expectations: only the name here.
  friend void PrintTo(const StoredField& field, std::ostream* os) {
    *os << field.name << "=[redacted]";
  }
};

struct StoredRecord {
  SensitiveString local_id;
  std::vector<StoredField> identifiers;
  std::vector<StoredField> attributes;
  // The ingest run that wrote the record: random and non-zero per run of
  // the ingest pipeline, so that the store can tell a local id repeated in
  // one file from an update by a later file
  // (RecordStore::RemoveRepeatedRunWrites); 0 for records written otherwise.
  uint64_t ingest_run = 0;

  // The value of identifier role / attribute column `name`, or nullptr.
  const SensitiveString* FindIdentifier(std::string_view name) const;
  const SensitiveString* FindAttribute(std::string_view name) const;

  friend bool operator==(const StoredRecord&, const StoredRecord&) = default;
  friend void PrintTo(const StoredRecord& record, std::ostream* os) {
    *os << "[stored record: " << record.identifiers.size() << " identifiers, "
        << record.attributes.size() << " attributes]";
  }
};

// The format-version-1 bytes of `record`, in a SensitiveString because they
// contain every value. InvalidArgument (naming the list, the field name and
// the limit, never a value) if the local id is empty or too long, a list has
// too many fields, a name is empty, too long or repeated, or a value is too
// long. Thread-safe.
absl::StatusOr<SensitiveString> SerializeStoredRecord(
    const StoredRecord& record);

// Parses bytes written by SerializeStoredRecord (or, in format 1, by an
// older build). FailedPrecondition if the format version is not one this
// build reads (the message gives the versions); DataLoss if the bytes are
// truncated, have trailing bytes or break a limit or rule above (the message
// names the part, never a value). Thread-safe.
absl::StatusOr<StoredRecord> ParseStoredRecord(std::string_view bytes);

// Only the ingest run of serialised record `bytes` (0 in format 1), without
// parsing the rest: the ingest asks it of every record it replaces. Errors
// as ParseStoredRecord for the version byte and the run. Thread-safe.
absl::StatusOr<uint64_t> ParseStoredRecordIngestRun(std::string_view bytes);

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_STORED_RECORD_H_
