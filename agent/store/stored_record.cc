#include "agent/store/stored_record.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fedlink::agent {
namespace {

const SensitiveString* FindField(const std::vector<StoredField>& fields,
                                 std::string_view name) {
  for (const StoredField& field : fields) {
    if (field.name == name) return &field.value;
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
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    const StoredField& field = fields[i];
    if (field.name.empty() || field.name.size() > kMaxFieldNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("stored record ", list, "[", i, "]: name must be 1..",
                       kMaxFieldNameBytes, " bytes, is ", field.name.size()));
    }
    if (!seen.insert(absl::string_view(field.name)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stored record ", list, ": name '", field.name, "' appears twice"));
    }
    if (field.value.size() > kMaxFieldValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("stored record ", list, " '", field.name, "': value is ",
                       field.value.size(), " bytes; at most ",
                       kMaxFieldValueBytes, " are allowed"));
    }
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

void AppendU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
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

// Reads the serialised form front to back; every failure names the part
// being read, never the bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  absl::StatusOr<uint32_t> U32(absl::string_view what) {
    if (rest_.size() < 4) return Truncated(what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v |= static_cast<uint32_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(4);
    return v;
  }

  // A length-prefixed byte string of min_length..max_length bytes.
  absl::StatusOr<std::string_view> Bytes(absl::string_view what,
                                         size_t min_length, size_t max_length) {
    absl::StatusOr<uint32_t> length = U32(what);
    if (!length.ok()) return length.status();
    if (*length < min_length || *length > max_length) {
      return absl::DataLossError(
          absl::StrCat("stored record: ", what, " length ", *length,
                       " is outside ", min_length, "..", max_length));
    }
    if (rest_.size() < *length) return Truncated(what);
    std::string_view out = rest_.substr(0, *length);
    rest_.remove_prefix(*length);
    return out;
  }

  bool AtEnd() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

 private:
  static absl::Status Truncated(absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("stored record is truncated in ", what));
  }

  std::string_view rest_;
};

absl::Status ReadFields(Reader& reader, absl::string_view list,
                        std::vector<StoredField>* fields) {
  const std::string count_what = absl::StrCat(list, " count");
  absl::StatusOr<uint32_t> count = reader.U32(count_what);
  if (!count.ok()) return count.status();
  if (*count > kMaxFieldsPerList) {
    return absl::DataLossError(absl::StrCat("stored record: ", count_what, " ",
                                            *count, " exceeds ",
                                            kMaxFieldsPerList));
  }
  fields->reserve(*count);
  absl::flat_hash_set<absl::string_view> seen;
  for (uint32_t i = 0; i < *count; ++i) {
    const std::string name_what = absl::StrCat(list, "[", i, "] name");
    absl::StatusOr<std::string_view> name =
        reader.Bytes(name_what, 1, kMaxFieldNameBytes);
    if (!name.ok()) return name.status();
    if (!seen.insert(absl::string_view(name->data(), name->size())).second) {
      return absl::DataLossError(
          absl::StrCat("stored record: ", list, "[", i, "] repeats a name"));
    }
    absl::StatusOr<std::string_view> value = reader.Bytes(
        absl::StrCat(list, "[", i, "] value"), 0, kMaxFieldValueBytes);
    if (!value.ok()) return value.status();
    fields->push_back(
        StoredField{std::string(*name), SensitiveString(std::string(*value))});
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
  out.reserve(1 + 4 + record.local_id.size() + FieldsSize(record.identifiers) +
              FieldsSize(record.attributes));
  out.push_back(static_cast<char>(kStoredRecordFormatVersion));
  AppendBytes(record.local_id.Expose(), &out);
  AppendFields(record.identifiers, &out);
  AppendFields(record.attributes, &out);
  return SensitiveString(std::move(out));
}

absl::StatusOr<StoredRecord> ParseStoredRecord(std::string_view bytes) {
  if (bytes.empty()) {
    return absl::DataLossError("stored record is empty");
  }
  const uint8_t version = static_cast<uint8_t>(bytes[0]);
  if (version != kStoredRecordFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("stored record has format version ", version,
                     "; this build reads version ", kStoredRecordFormatVersion,
                     " (a newer fedlink-agent wrote it?)"));
  }
  Reader reader(bytes.substr(1));
  StoredRecord record;
  absl::StatusOr<std::string_view> local_id =
      reader.Bytes("local id", 1, kMaxLocalIdBytes);
  if (!local_id.ok()) return local_id.status();
  record.local_id = SensitiveString(std::string(*local_id));
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

}  // namespace fedlink::agent
