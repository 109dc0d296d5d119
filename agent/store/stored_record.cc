#include "agent/store/stored_record.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "linkage/status_macros.h"

namespace fedlink::agent {
namespace {

const SensitiveString* FindField(const std::vector<StoredField>& fields,
                                 std::string_view name) {
  for (const StoredField& field : fields) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

// A name that appears twice in `fields`, or nullptr. Records have a dozen
// fields or so, for which comparing every pair is cheapest (this runs for
// every record written and read); long lists are sorted instead.
const std::string* FindRepeatedName(const std::vector<StoredField>& fields) {
  constexpr size_t kPairwiseLimit = 32;
  if (fields.size() <= kPairwiseLimit) {
    for (size_t i = 1; i < fields.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (fields[i].name == fields[j].name) return &fields[i].name;
      }
    }
    return nullptr;
  }
  std::vector<const std::string*> names;
  names.reserve(fields.size());
  for (const StoredField& field : fields) names.push_back(&field.name);
  std::sort(names.begin(), names.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (size_t i = 1; i < names.size(); ++i) {
    if (*names[i] == *names[i - 1]) return names[i];
  }
  return nullptr;
}

absl::Status CheckFields(absl::string_view list,
                         const std::vector<StoredField>& fields) {
  if (fields.size() > kMaxFieldsPerList) {
    return absl::InvalidArgumentError(
        absl::StrCat("stored record has ", fields.size(), " ", list,
                     "; at most ", kMaxFieldsPerList, " are allowed"));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const StoredField& field = fields[i];
    if (field.name.empty() || field.name.size() > kMaxFieldNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("stored record ", list, "[", i, "]: name must be 1..",
                       kMaxFieldNameBytes, " bytes, is ", field.name.size()));
    }
    if (field.value.size() > kMaxFieldValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("stored record ", list, " '", field.name, "': value is ",
                       field.value.size(), " bytes; at most ",
                       kMaxFieldValueBytes, " are allowed"));
    }
  }
  if (const std::string* name = FindRepeatedName(fields)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stored record ", list, ": name '", *name, "' appears twice"));
  }
  return absl::OkStatus();
}

size_t FieldsSize(const std::vector<StoredField>& fields) {
  size_t size = 4;
  for (const StoredField& field : fields) {
    size += 4 + field.name.size() + 4 + field.value.size();
  }
  return size;
}

// Little-endian integers, appended whole (not a byte at a time: this runs
// for every field of every record written).
void AppendU32(uint32_t v, std::string* out) {
  const char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8),
                         static_cast<char>(v >> 16),
                         static_cast<char>(v >> 24)};
  out->append(bytes, sizeof(bytes));
}

void AppendU64(uint64_t v, std::string* out) {
  AppendU32(static_cast<uint32_t>(v), out);
  AppendU32(static_cast<uint32_t>(v >> 32), out);
}

void AppendBytes(std::string_view bytes, std::string* out) {
  AppendU32(static_cast<uint32_t>(bytes.size()), out);
  out->append(bytes);
}

void AppendFields(const std::vector<StoredField>& fields, std::string* out) {
  AppendU32(static_cast<uint32_t>(fields.size()), out);
  for (const StoredField& field : fields) {
    AppendBytes(field.name, out);
    AppendBytes(field.value.Expose(), out);
  }
}

// Reads the serialised form front to back. Error messages name the part
// being read (never the bytes) and are only built on failure: this runs for
// every record read.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  bool U8(uint8_t* v) {
    if (rest_.empty()) return false;
    *v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }

  bool U32(uint32_t* v) {
    if (rest_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      *v |= static_cast<uint32_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(4);
    return true;
  }

  bool U64(uint64_t* v) {
    if (rest_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) {
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(8);
    return true;
  }

  // A length-prefixed byte string of min_length..max_length bytes.
  // `describe` names the part for the error message.
  template <typename Describe>
  absl::Status Bytes(size_t min_length, size_t max_length, Describe describe,
                     std::string_view* out) {
    uint32_t length = 0;
    if (!U32(&length)) return Truncated(describe());
    if (length < min_length || length > max_length) {
      return absl::DataLossError(
          absl::StrCat("stored record: ", describe(), " length ", length,
                       " is outside ", min_length, "..", max_length));
    }
    if (rest_.size() < length) return Truncated(describe());
    *out = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return absl::OkStatus();
  }

  bool AtEnd() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

  static absl::Status Truncated(absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("stored record is truncated in ", what));
  }

 private:
  std::string_view rest_;
};

absl::Status ReadFields(Reader& reader, absl::string_view list,
                        std::vector<StoredField>* fields) {
  uint32_t count = 0;
  if (!reader.U32(&count)) {
    return Reader::Truncated(absl::StrCat(list, " count"));
  }
  if (count > kMaxFieldsPerList) {
    return absl::DataLossError(absl::StrCat("stored record: ", list, " count ",
                                            count, " exceeds ",
                                            kMaxFieldsPerList));
  }
  fields->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name;
    FEDLINK_RETURN_IF_ERROR(reader.Bytes(
        1, kMaxFieldNameBytes,
        [&] { return absl::StrCat(list, "[", i, "] name"); }, &name));
    std::string_view value;
    FEDLINK_RETURN_IF_ERROR(reader.Bytes(
        0, kMaxFieldValueBytes,
        [&] { return absl::StrCat(list, "[", i, "] value"); }, &value));
    fields->push_back(
        StoredField{std::string(name), SensitiveString(std::string(value))});
  }
  if (FindRepeatedName(*fields) != nullptr) {
    return absl::DataLossError(
        absl::StrCat("stored record: ", list, " repeat a name"));
  }
  return absl::OkStatus();
}

// The format version and, from version 2 on, the ingest run.
absl::Status ReadHeader(Reader& reader, uint64_t* ingest_run) {
  uint8_t version = 0;
  if (!reader.U8(&version)) {
    return absl::DataLossError("stored record is empty");
  }
  if (version < kOldestStoredRecordFormatVersion ||
      version > kStoredRecordFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stored record has format version ", version,
        "; this build reads versions ", kOldestStoredRecordFormatVersion,
        " to ", kStoredRecordFormatVersion,
        " (a newer fedlink-agent wrote it?)"));
  }
  *ingest_run = 0;
  if (version >= 2 && !reader.U64(ingest_run)) {
    return Reader::Truncated("ingest run");
  }
  return absl::OkStatus();
}

}  // namespace

const SensitiveString* StoredRecord::FindIdentifier(
    std::string_view name) const {
  return FindField(identifiers, name);
}

const SensitiveString* StoredRecord::FindAttribute(
    std::string_view name) const {
  return FindField(attributes, name);
}

absl::StatusOr<SensitiveString> SerializeStoredRecord(
    const StoredRecord& record) {
  if (record.local_id.empty() || record.local_id.size() > kMaxLocalIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("stored record: local id must be 1..", kMaxLocalIdBytes,
                     " bytes, is ", record.local_id.size()));
  }
  absl::Status status = CheckFields("identifiers", record.identifiers);
  if (!status.ok()) return status;
  status = CheckFields("attributes", record.attributes);
  if (!status.ok()) return status;

  // Reserving the exact size up front means the buffer never reallocates,
  // so no unwiped copy of the values is left behind on the heap.
  std::string out;
  out.reserve(1 + 8 + 4 + record.local_id.size() +
              FieldsSize(record.identifiers) + FieldsSize(record.attributes));
  out.push_back(static_cast<char>(kStoredRecordFormatVersion));
  AppendU64(record.ingest_run, &out);
  AppendBytes(record.local_id.Expose(), &out);
  AppendFields(record.identifiers, &out);
  AppendFields(record.attributes, &out);
  return SensitiveString(std::move(out));
}

absl::StatusOr<StoredRecord> ParseStoredRecord(std::string_view bytes) {
  Reader reader(bytes);
  StoredRecord record;
  FEDLINK_RETURN_IF_ERROR(ReadHeader(reader, &record.ingest_run));
  std::string_view local_id;
  FEDLINK_RETURN_IF_ERROR(reader.Bytes(
      1, kMaxLocalIdBytes, [] { return std::string("local id"); }, &local_id));
  record.local_id = SensitiveString(std::string(local_id));
  absl::Status status = ReadFields(reader, "identifiers", &record.identifiers);
  if (!status.ok()) return status;
  status = ReadFields(reader, "attributes", &record.attributes);
  if (!status.ok()) return status;
  if (!reader.AtEnd()) {
    return absl::DataLossError(absl::StrCat(
        "stored record has ", reader.remaining(), " trailing bytes"));
  }
  return record;
}

absl::StatusOr<uint64_t> ParseStoredRecordIngestRun(std::string_view bytes) {
  Reader reader(bytes);
  uint64_t ingest_run = 0;
  FEDLINK_RETURN_IF_ERROR(ReadHeader(reader, &ingest_run));
  return ingest_run;
}

}  // namespace fedlink::agent
