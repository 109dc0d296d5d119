// Encodes an agency's cohort for one job (DESIGN.md §6 "Encoding"): checks
// the job's linkage schema against the fingerprint the job was approved
// with, derives the job keys from the linkage secret and the job nonce,
// selects the cohort with the job's filter, numbers it with fresh random
// pseudonyms, and turns every cohort record into salted-hash tokens and/or
// Bloom filters, emitted as EncodingBatch messages in pseudonym order.
//
// Two passes over the records:
//   1. SelectCohort: one scan (RecordSource::ForEach) evaluates the cohort
//      filter and shuffles the selected local ids into a PseudonymMap. The
//      caller stores that map locally (it must be stored before any batch
//      leaves the agent: research ids come back by pseudonym).
//   2. EncodeCohort: for each batch, the records behind its pseudonyms are
//      fetched (RecordSource::Get), re-normalised, encoded on `threads`
//      threads with one encoder clone per thread, and the batch is handed to
//      the sink. Memory: one batch's encodings plus the PseudonymMap, never
//      the cohort's encodings.
//
// What leaves through the sink: job id, agency, schema fingerprint, sequence
// numbers, pseudonyms, record counts, tokens and filters — never a local id,
// an identifier or an attribute value. Tokens follow the method: TOKENS
// sends the recipes that link (blocking-only tokens cannot link without
// Bloom filters, so they are not disclosed); TOKENS_AND_BLOOM sends every
// token TokenEncoder yields, the record's CLK and, if the schema asks,
// field-level filters (a missing field is an all-zero filter); BLOOM sends
// filters only.
//
// A breakdown by category (params.category_column): SelectCohort also
// collects the column's distinct values among the cohort and numbers them
// (category_codes.h); every batch then carries one code per record (0 for a
// blank value). The codes, never the values, leave through the sink.
//
// Determinism: everything random (the pseudonym shuffle, BLIP noise, the
// category codes) comes from one 32-byte randomness key: AES-CTR stream 0
// shuffles; BLIP noise for the records of a work unit (kRecordsPerUnit
// consecutive pseudonyms of a batch) comes from the stream numbered 1 + the
// unit's first pseudonym; the codes from kCategoryCodeStream. So
// the batches are a function of (records, job, randomness key, batch size),
// whatever the thread count. By default the key is fresh from the CSPRNG and
// never leaves the encoder; tests inject one.
#ifndef FEDLINK_AGENT_ENCODING_JOB_ENCODER_H_
#define FEDLINK_AGENT_ENCODING_JOB_ENCODER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/encoding/category_codes.h"
#include "agent/encoding/cohort_filter.h"
#include "agent/encoding/job_params.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/encoding/record_source.h"
#include "fedlink/v1/encoding.pb.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/encode/clk_encoder.h"
#include "linkage/encode/record_normalizer.h"
#include "linkage/encode/token_encoder.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::agent::encoding {

// Consecutive pseudonyms encoded as one task by one thread.
inline constexpr uint32_t kRecordsPerUnit = 256;
inline constexpr size_t kRandomnessKeyBytes = 32;

struct JobEncoderOptions {
  // Encoding threads, the calling thread included; 0: one per hardware
  // thread.
  int threads = 0;
  // Upper bound on records per batch (1..65536); the batch plan may choose
  // fewer (batch_plan.h).
  uint32_t max_records_per_batch = 65536;
  // Target size of a batch of worst-case records; the proto contract
  // suggests about 4 MiB.
  size_t target_batch_bytes = size_t{4} << 20;
  // The randomness key (kRandomnessKeyBytes); unset: fresh from the CSPRNG.
  std::optional<crypto::SecretBytes> randomness;
  // The agency's attribute columns; when set, a cohort condition on any
  // other column is refused (FailedPrecondition) instead of matching
  // nothing.
  std::optional<absl::flat_hash_set<std::string>> known_attribute_columns;
};

// Pass 1's result.
struct CohortSelection {
  PseudonymMap pseudonyms;  // the cohort: pseudonym → local id
  uint64_t records_scanned = 0;
  // Per filter condition: records left out because it was the first
  // condition they did not meet.
  std::vector<uint64_t> excluded_by_condition;
  // Records that met the filter but have no value for any field of the
  // linkage schema: nothing to encode, so they get no pseudonym.
  uint64_t excluded_without_identifiers = 0;
  // A breakdown by category: the codes of the cohort's values.
  std::optional<CategoryCodes> categories;
};

// Pass 2's result: counts only.
struct EncodingSummary {
  struct RecipeCount {
    uint16_t recipe_id = 0;
    std::string name;
    uint64_t tokens = 0;
  };
  uint64_t cohort_records = 0;  // pseudonyms in the map
  uint64_t first_sequence = 0;  // first batch emitted by this call
  uint64_t batches_emitted = 0;
  uint64_t records_encoded = 0;  // records in the emitted batches
  uint64_t tokens = 0;           // tokens in the emitted batches
  // Token methods: records that yielded no token (they can only be linked
  // by Bloom filters, if at all).
  uint64_t records_without_tokens = 0;
  // Per schema field: stored values its normaliser rejected (then encoded as
  // missing). Ingest normalises already, so these are normally 0.
  std::vector<uint64_t> invalid_values_per_field;
  // Per recipe sent, in schema order.
  std::vector<RecipeCount> tokens_per_recipe;
};

// Receives each batch in sequence order; a non-OK status stops encoding and
// is returned by EncodeCohort unchanged. The batch is only valid during the
// call.
using BatchSink = absl::FunctionRef<absl::Status(const v1::EncodingBatch&)>;

class JobEncoder {
 public:
  // Checks and prepares everything for `params`. Errors (all name the job):
  //   FailedPrecondition  the schema's fingerprint differs from the one the
  //                       job carries (both given in hex); a cohort
  //                       condition or the category column on a column
  //                       outside options.known_attribute_columns;
  //   InvalidArgument     a job id or agency the batch contract refuses; an
  //                       unspecified method; a method the schema cannot
  //                       serve (BLOOM without a bloom section, TOKENS
  //                       without a linking recipe); a schema that does not
  //                       convert or validate; a malformed cohort filter
  //                       (cohort_filter.h); a job nonce that is not 32
  //                       bytes; a linkage secret that is not 32 bytes;
  //                       options out of range (threads < 0, batch size 0,
  //                       a randomness key that is not 32 bytes);
  //   Internal            OpenSSL failed.
  // The job keys live only inside the encoders built here.
  static absl::StatusOr<std::unique_ptr<JobEncoder>> Create(
      const EncodeJobParams& params, const crypto::SecretBytes& linkage_secret,
      JobEncoderOptions options = {});

  JobEncoder(const JobEncoder&) = delete;
  JobEncoder& operator=(const JobEncoder&) = delete;
  ~JobEncoder();

  // Pass 1: scans `source` once, selects the cohort and assigns pseudonyms
  // (a random permutation, from the randomness key: calling it twice gives
  // the same order) and, for a breakdown, category codes. Errors: the
  // source's, unchanged; InvalidArgument / ResourceExhausted from
  // PseudonymMapBuilder::Add; FailedPrecondition from CategoryCollector::Add
  // (a value too long, too many distinct values); Internal if the generator
  // fails. Thread-compatible.
  absl::StatusOr<CohortSelection> SelectCohort(
      const RecordSource& source) const;

  // Pass 2: encodes the records behind `pseudonyms` and emits batches
  // first_sequence, first_sequence + 1, …, batch_count(pseudonyms.size())-1
  // to `sink` (the last with final_batch set; none if first_sequence equals
  // the batch count, i.e. everything is stored already). Errors:
  //   OutOfRange  first_sequence > batch count;
  //   Aborted     a cohort record is no longer in the source, or no longer
  //               meets the cohort filter (the store changed since
  //               SelectCohort; run the job's encoding again);
  //   Internal    OpenSSL failed, or a batch broke the wire limits (a bug);
  //   InvalidArgument  a breakdown job without `categories`, codes for
  //               another column, or codes for a job without a breakdown;
  //   the source's errors and the sink's, unchanged.
  // A breakdown job passes the codes SelectCohort made (or the same codes
  // restored from their legend, CategoryCodes::FromLegend); a record whose
  // value has no code aborts (the store changed). Batches emitted before an
  // error stand. Runs `threads` threads, which call source.Get
  // concurrently; the sink is called on the calling thread.
  // Thread-compatible.
  absl::Status EncodeCohort(const PseudonymMap& pseudonyms,
                            const RecordSource& source, uint64_t first_sequence,
                            BatchSink sink,
                            EncodingSummary* summary = nullptr,
                            const CategoryCodes* categories = nullptr) const;

  // Records per batch for this job (fixed: batch s starts at pseudonym
  // s × records_per_batch()).
  uint32_t records_per_batch() const { return records_per_batch_; }
  // Batches for a cohort of `cohort_size` records (1 if it is empty).
  uint64_t batch_count(uint64_t cohort_size) const;
  const schema::LinkageSchema& schema() const { return schema_; }
  const std::array<uint8_t, 32>& schema_fingerprint() const {
    return fingerprint_;
  }
  int threads() const { return threads_; }

 private:
  struct RecipeInfo {
    uint16_t id = 0;
    std::string name;
    bool sent = true;  // false: dropped under the method (blocking-only)
  };
  struct Worker;
  struct Unit;

  JobEncoder() = default;

  // Encodes the records of `unit` (a range of the batch that starts at
  // pseudonym `batch_first`) into its buffers and into its rows of the
  // batch's filter columns `filters` / `field_filters` (null when not sent).
  absl::Status EncodeUnit(const PseudonymMap& pseudonyms,
                          const RecordSource& source,
                          const CategoryCodes* categories, Worker& worker,
                          Unit& unit, uint32_t batch_first, char* filters,
                          char* field_filters) const;
  absl::StatusOr<std::unique_ptr<Worker>> NewWorker() const;

  EncodeJobParams params_;
  schema::LinkageSchema schema_;
  std::array<uint8_t, 32> fingerprint_{};
  bool send_tokens_ = false;
  bool send_filters_ = false;
  bool send_field_filters_ = false;
  crypto::SecretBytes randomness_;
  int threads_ = 1;
  uint32_t records_per_batch_ = 1;
  std::optional<CohortFilter> filter_;
  std::optional<encode::RecordNormalizer> normalizer_;
  // Prototypes cloned per worker.
  std::optional<encode::TokenEncoder> tokens_;
  std::unique_ptr<encode::ClkEncoder> clk_;
  std::vector<RecipeInfo> recipes_;                     // schema order
  absl::flat_hash_map<uint16_t, size_t> recipe_index_;  // id → recipes_
};

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_JOB_ENCODER_H_
