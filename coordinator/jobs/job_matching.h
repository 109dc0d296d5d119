// Matching of a job whose uploads are complete: reads every party's
// encoding batches from the store into compact form (16 B per token, L/8 B
// per filter), runs the linkage library, gives each cluster a random
// 128-bit research id and cuts each party's pseudonym → research id pairs
// into assignment batches. Aggregate jobs get their suppressed table
// instead (by category when the job asks: the category party's batches
// carry one code per record), and a quality report that leaves out what
// would reveal cells.
#ifndef FEDLINK_COORDINATOR_JOBS_JOB_MATCHING_H_
#define FEDLINK_COORDINATOR_JOBS_JOB_MATCHING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/state/coordinator_store.h"
#include "fedlink/v1/assignment.pb.h"
#include "fedlink/v1/results.pb.h"
#include "linkage/match/quality_report.h"
#include "state/stored_job.pb.h"

namespace fedlink::coordinator {

// Fills the span with CSPRNG bytes (injected so tests are deterministic).
using RandomBytes = std::function<absl::Status(absl::Span<uint8_t>)>;

// OpenSSL's RAND_bytes. Internal if the CSPRNG fails.
absl::Status CsprngBytes(absl::Span<uint8_t> out);

// The index of the party that owns the job's category column (an
// aggregate job broken down by category), or nullopt. Thread-safe.
std::optional<int> CategoryPartyIndex(const v1::JobSpec& spec);

struct MatchingOutput {
  v1::LinkageQualityReport quality;
  // Per party (spec order): its assignment batches, sequence 0.. in order.
  std::vector<std::vector<v1::AssignmentBatch>> assignments;
  // Per party: research ids handed out.
  std::vector<uint64_t> assigned;
  std::optional<v1::AggregateTable> aggregate;
  uint64_t clusters = 0;
};

// Links the job's uploads (see the top of this file). `min_cell_count`
// applies to aggregate jobs. Errors: InvalidArgument / DataLoss for stored
// batches that do not parse or disagree with each other (naming party and
// sequence); the linker's errors; Internal if the CSPRNG fails. Reads the
// store only. Thread-safe.
absl::StatusOr<MatchingOutput> MatchJob(const CoordinatorStore& store,
                                        const internal::StoredJob& job, uint32_t min_cell_count,
                                        const RandomBytes& random, int threads = 1);

// The wire form of the linkage library's report, parties named.
v1::LinkageQualityReport QualityReportToProto(const match::QualityReport& report,
                                              absl::Span<const std::string> party_names);

// Aggregate mode: only upload sizes, ambiguity and threshold figures stay;
// cluster and link counts would let an analyst undo suppression.
v1::LinkageQualityReport CoarsenForAggregate(const v1::LinkageQualityReport& report);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_JOB_MATCHING_H_
