#include "agent/daemon/job_record.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "openssl/crypto.h"

namespace fedlink::agent::daemon {
namespace {

using Json = nlohmann::json;

Json Binary(std::string_view bytes) {
  return Json::binary(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

template <typename Message>
Json MessageBinary(const Message& message) {
  return Binary(message.SerializeAsString());
}

// Reads the fields of one stored record, reporting the first bad one.
class RecordReader {
 public:
  RecordReader(const Json& json, std::string_view job_id) : json_(json), job_id_(job_id) {}

  absl::Status Error(std::string_view field) const {
    return absl::DataLossError(absl::StrCat("job ", std::string(job_id_),
                                            ": stored job record field '", std::string(field),
                                            "' is damaged"));
  }

  absl::StatusOr<std::string> Bytes(const char* key) const {
    if (!json_.contains(key)) return std::string();
    const Json& value = json_.at(key);
    if (!value.is_binary()) return Error(key);
    const auto& binary = value.get_binary();
    return std::string(binary.begin(), binary.end());
  }

  absl::StatusOr<std::string> Text(const char* key) const {
    if (!json_.contains(key)) return std::string();
    const Json& value = json_.at(key);
    if (!value.is_string()) return Error(key);
    return value.get<std::string>();
  }

  absl::StatusOr<uint64_t> Unsigned(const char* key, uint64_t max) const {
    if (!json_.contains(key)) return uint64_t{0};
    const Json& value = json_.at(key);
    if (!value.is_number_unsigned()) return Error(key);
    const uint64_t v = value.get<uint64_t>();
    if (v > max) return Error(key);
    return v;
  }

  absl::StatusOr<int64_t> Signed(const char* key) const {
    if (!json_.contains(key)) return int64_t{0};
    const Json& value = json_.at(key);
    if (!value.is_number_integer()) return Error(key);
    return value.get<int64_t>();
  }

  absl::StatusOr<bool> Flag(const char* key) const {
    if (!json_.contains(key)) return false;
    const Json& value = json_.at(key);
    if (!value.is_boolean()) return Error(key);
    return value.get<bool>();
  }

  template <typename Message>
  absl::Status Parse(const char* key, Message* message, bool* present) const {
    *present = json_.contains(key);
    if (!*present) return absl::OkStatus();
    absl::StatusOr<std::string> bytes = Bytes(key);
    if (!bytes.ok()) return bytes.status();
    if (!message->ParseFromString(*bytes)) return Error(key);
    return absl::OkStatus();
  }

 private:
  const Json& json_;
  std::string_view job_id_;
};

}  // namespace

std::string SerializeJobRecord(const JobRecord& record) {
  Json json = Json::object();
  json["format"] = "fedlink-agent-job";
  json["version"] = kJobRecordVersion;
  json["job_id"] = record.job_id;
  json["state"] = static_cast<uint64_t>(record.state);
  json["spec"] = Binary(record.job_spec_bytes);
  json["spec_sha256"] = Binary(record.job_spec_sha256);
  json["analyst"] = MessageBinary(record.analyst);
  json["received_at_ms"] = record.received_at_unix_ms;
  if (record.decision.has_value()) json["decision"] = MessageBinary(*record.decision);
  json["decision_delivered"] = record.decision_delivered;
  if (!record.job_nonce.empty()) json["job_nonce"] = Binary(record.job_nonce);
  if (!record.randomness.empty()) {
    json["randomness"] = Json::binary(
        std::vector<uint8_t>(record.randomness.data(),
                             record.randomness.data() + record.randomness.size()));
  }
  json["cohort_size"] = record.cohort_size;
  json["pseudonyms_saved"] = record.pseudonyms_saved;
  json["batches_total"] = record.batches_total;
  json["next_sequence"] = record.next_sequence;
  json["records_uploaded"] = record.records_uploaded;
  json["next_chunk_index"] = static_cast<uint64_t>(record.next_chunk_index);
  json["rows_released"] = record.rows_released;
  json["purge_acknowledged"] = record.purge_acknowledged;
  if (record.abandon.has_value()) json["abandon"] = MessageBinary(*record.abandon);
  json["abandon_pending"] = record.abandon_pending;
  if (!record.failure_reason.empty()) json["failure_reason"] = record.failure_reason;
  std::vector<uint8_t> cbor = Json::to_cbor(json);
  std::string out(cbor.begin(), cbor.end());
  // The randomness key sits in `cbor` and `json` too: wipe the copies the
  // caller does not get (the returned bytes are sealed by the store).
  OPENSSL_cleanse(cbor.data(), cbor.size());
  if (json.contains("randomness")) {
    auto& key = json["randomness"].get_binary();
    OPENSSL_cleanse(key.data(), key.size());
  }
  return out;
}

absl::StatusOr<JobRecord> ParseJobRecord(std::string_view bytes, std::string_view job_id) {
  const Json json = Json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true,
                                    /*allow_exceptions=*/false);
  const auto damaged = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat("job ", std::string(job_id),
                                            ": stored job record is damaged (",
                                            std::string(what), ")"));
  };
  if (json.is_discarded() || !json.is_object()) return damaged("not a CBOR map");
  if (!json.contains("format") || json.at("format") != "fedlink-agent-job") {
    return damaged("no format tag");
  }
  if (!json.contains("version") || !json.at("version").is_number_unsigned()) {
    return damaged("no version");
  }
  if (json.at("version").get<uint64_t>() != static_cast<uint64_t>(kJobRecordVersion)) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", std::string(job_id), ": stored job record has format version ",
                     json.at("version").get<uint64_t>(), "; this agent reads version ",
                     kJobRecordVersion));
  }
  RecordReader r(json, job_id);
  JobRecord record;
  absl::StatusOr<std::string> text = r.Text("job_id");
  if (!text.ok()) return text.status();
  record.job_id = *text;
  if (record.job_id != job_id) return r.Error("job_id");
  absl::StatusOr<uint64_t> state = r.Unsigned("state", 1000);
  if (!state.ok()) return state.status();
  if (!v1::AgentJobState_IsValid(static_cast<int>(*state)) || *state == 0) {
    return r.Error("state");
  }
  record.state = static_cast<v1::AgentJobState>(*state);

#define FEDLINK_READ(target, expr)    \
  do {                                \
    auto value_ = (expr);             \
    if (!value_.ok()) return value_.status(); \
    target = std::move(*value_);      \
  } while (false)
  FEDLINK_READ(record.job_spec_bytes, r.Bytes("spec"));
  FEDLINK_READ(record.job_spec_sha256, r.Bytes("spec_sha256"));
  FEDLINK_READ(record.received_at_unix_ms, r.Signed("received_at_ms"));
  FEDLINK_READ(record.decision_delivered, r.Flag("decision_delivered"));
  FEDLINK_READ(record.job_nonce, r.Bytes("job_nonce"));
  FEDLINK_READ(record.cohort_size, r.Unsigned("cohort_size", UINT32_MAX));
  FEDLINK_READ(record.pseudonyms_saved, r.Flag("pseudonyms_saved"));
  FEDLINK_READ(record.batches_total, r.Unsigned("batches_total", UINT32_MAX));
  FEDLINK_READ(record.next_sequence, r.Unsigned("next_sequence", UINT32_MAX));
  FEDLINK_READ(record.records_uploaded, r.Unsigned("records_uploaded", UINT64_MAX));
  uint64_t chunk = 0;
  FEDLINK_READ(chunk, r.Unsigned("next_chunk_index", UINT32_MAX));
  record.next_chunk_index = static_cast<uint32_t>(chunk);
  FEDLINK_READ(record.rows_released, r.Unsigned("rows_released", UINT64_MAX));
  FEDLINK_READ(record.purge_acknowledged, r.Flag("purge_acknowledged"));
  FEDLINK_READ(record.abandon_pending, r.Flag("abandon_pending"));
  FEDLINK_READ(record.failure_reason, r.Text("failure_reason"));
  std::string randomness;
  FEDLINK_READ(randomness, r.Bytes("randomness"));
#undef FEDLINK_READ
  if (!randomness.empty()) {
    record.randomness = crypto::SecretBytes(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(randomness.data()), randomness.size()));
    OPENSSL_cleanse(randomness.data(), randomness.size());
  }
  bool present = false;
  if (absl::Status s = r.Parse("analyst", &record.analyst, &present); !s.ok()) return s;
  v1::SignedDecision decision;
  if (absl::Status s = r.Parse("decision", &decision, &present); !s.ok()) return s;
  if (present) record.decision = std::move(decision);
  v1::AbandonJobRequest abandon;
  if (absl::Status s = r.Parse("abandon", &abandon, &present); !s.ok()) return s;
  if (present) record.abandon = std::move(abandon);
  return record;
}

std::string_view AgentJobStateName(v1::AgentJobState state) {
  switch (state) {
    case v1::AGENT_JOB_STATE_PENDING_DECISION:
      return "pending_decision";
    case v1::AGENT_JOB_STATE_APPROVED:
      return "approved";
    case v1::AGENT_JOB_STATE_DENIED:
      return "denied";
    case v1::AGENT_JOB_STATE_ENCODING:
      return "encoding";
    case v1::AGENT_JOB_STATE_UPLOADED:
      return "uploaded";
    case v1::AGENT_JOB_STATE_RELEASING:
      return "releasing";
    case v1::AGENT_JOB_STATE_RELEASED:
      return "released";
    case v1::AGENT_JOB_STATE_PURGED:
      return "purged";
    case v1::AGENT_JOB_STATE_FAILED:
      return "failed";
    default:
      break;
  }
  return "unspecified";
}

}  // namespace fedlink::agent::daemon
