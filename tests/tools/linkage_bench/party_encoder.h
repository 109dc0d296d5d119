// One party's side of the benchmark: raw rows → normalised records →
// salted-hash tokens and CLKs, on several threads, as an agent would encode
// its upload (minus the storage). Times every step.
#ifndef FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_PARTY_ENCODER_H_
#define FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_PARTY_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/filter_store.h"
#include "linkage/schema/linkage_schema.h"
#include "tests/tools/linkage_bench/row_source.h"

namespace fedlink::tools {

struct EncodeOptions {
  int threads = 1;
  size_t batch_rows = 1 << 16;
};

struct EncodeTimes {
  double read_seconds = 0;    // wall time getting rows (generating or reading)
  double encode_seconds = 0;  // wall time of normalising + encoding
  // CPU seconds of the encoding workers, in all and per step (summed over
  // threads; see ThreadCpuSeconds in the .cc for how steps are apportioned).
  double encode_cpu_seconds = 0;
  double normalize_thread_seconds = 0;
  double token_thread_seconds = 0;
  double clk_thread_seconds = 0;
};

struct EncodedParty {
  explicit EncodedParty(match::FilterStore store) : filters(std::move(store)) {}

  std::vector<std::vector<encode::Token>> tokens;  // per record
  // Record i in row i; empty (and has_filters false) when the schema has no
  // bloom section.
  match::FilterStore filters;
  bool has_filters = false;
  std::vector<uint64_t> entities;  // ground truth per record
  uint64_t token_count = 0;
  uint64_t invalid_values = 0;  // values a normaliser rejected (then missing)
  // Schema fields with no column in this party (always missing).
  std::vector<std::string> unmapped_fields;
  EncodeTimes times;
};

// The column of `rows` that feeds schema field `field`: the column of that
// name, else a known synonym between the built-in default schema and the
// FEBRL/datagen layout (first_name = given_name, last_name = surname,
// dob = date_of_birth, ssn = soc_sec_id); -1 if none.
int ColumnForField(const std::vector<std::string>& columns, const std::string& field);

// Reads every row of `rows` and encodes it under `keys` with `schema`
// (dates in rows.date_format()). Errors: those of the source; those of the
// encoders' Create for a schema they reject; Internal if OpenSSL fails.
absl::StatusOr<EncodedParty> EncodeParty(RowSource& rows, const schema::LinkageSchema& schema,
                                         const crypto::JobKeys& keys, const EncodeOptions& options);

}  // namespace fedlink::tools

#endif  // FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_PARTY_ENCODER_H_
