#include "coordinator/rpc/coordinator_metrics.h"

#include <utility>

#include <google/protobuf/descriptor.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "coordinator/state/job_state_machine.h"
#include "fedlink/v1/coordinator.grpc.pb.h"

namespace fedlink::coordinator {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// From a tenth of a second (matching a small job) to a month (a job left
// waiting for approval): the phases differ by orders of magnitude.
const prometheus::Histogram::BucketBoundaries& PhaseBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.1, 1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400};
  return *buckets;
}

std::string StateLabel(v1::JobState state) {
  return absl::AsciiStrToLower(std::string(JobStateName(state)));
}

std::string CodeLabel(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(std::function<absl::Time()> clock)
    : clock_(std::move(clock)),
      registry_(std::make_shared<prometheus::Registry>()),
      rpcs_(BuildCounter()
                .Name("fedlink_coordinator_rpcs_total")
                .Help("Calls answered, by method and gRPC status code")
                .Register(*registry_)),
      jobs_(BuildGauge()
                .Name("fedlink_coordinator_jobs")
                .Help("Jobs in the store, by state")
                .Register(*registry_)),
      transitions_(BuildCounter()
                       .Name("fedlink_coordinator_job_transitions_total")
                       .Help("Job state changes, by the state entered")
                       .Register(*registry_)),
      phases_(BuildHistogram()
                  .Name("fedlink_coordinator_job_phase_seconds")
                  .Help("Time jobs spent in a state before leaving it (jobs that entered it "
                        "while this process ran)")
                  .Register(*registry_)),
      decisions_(BuildCounter()
                     .Name("fedlink_coordinator_decisions_total")
                     .Help("Agency decisions accepted, by verdict (a repeated delivery of the "
                           "same decision counts again)")
                     .Register(*registry_)),
      encoding_batches_(BuildCounter()
                            .Name("fedlink_coordinator_encoding_batches_total")
                            .Help("Encoding batches of accepted uploads, by agent and whether "
                                  "they were new (stored) or a repeat")
                            .Register(*registry_)),
      payload_chunks_(BuildCounter()
                          .Name("fedlink_coordinator_payload_chunks_total")
                          .Help("Payload chunks of accepted uploads, by agent and whether they "
                                "were new (stored) or a repeat")
                          .Register(*registry_)),
      received_records_(BuildCounter()
                            .Name("fedlink_coordinator_received_records_total")
                            .Help("Records in the encoding batches read from agents")
                            .Register(*registry_)
                            .Add({})),
      received_messages_(BuildCounter()
                             .Name("fedlink_coordinator_received_messages_total")
                             .Help("Messages read on upload streams, by stream")
                             .Register(*registry_)),
      received_bytes_(BuildCounter()
                          .Name("fedlink_coordinator_received_bytes_total")
                          .Help("Serialized bytes read on upload streams, by stream")
                          .Register(*registry_)),
      sent_messages_(BuildCounter()
                         .Name("fedlink_coordinator_sent_messages_total")
                         .Help("Messages relayed: assignment batches to agents, results items "
                               "(payload chunks, tables) to analysts")
                         .Register(*registry_)),
      agent_streams_(BuildGauge()
                         .Name("fedlink_coordinator_agent_streams")
                         .Help("Open WatchWork streams, by agent certificate name")
                         .Register(*registry_)),
      audit_entries_(BuildGauge()
                         .Name("fedlink_coordinator_audit_entries")
                         .Help("Entries in the audit log")
                         .Register(*registry_)
                         .Add({})),
      store_bytes_(BuildGauge()
                       .Name("fedlink_coordinator_store_bytes")
                       .Help("RocksDB store size: table files on disk and memtables")
                       .Register(*registry_)) {
  BuildGauge()
      .Name("fedlink_coordinator_start_time_seconds")
      .Help("When this coordinator process started (Unix time)")
      .Register(*registry_)
      .Add({})
      .Set(absl::ToDoubleSeconds(clock_() - absl::UnixEpoch()));
  for (const char* stream : {"encodings", "payload"}) {
    received_messages_.Add({{"stream", stream}});
    received_bytes_.Add({{"stream", stream}});
  }
  for (const char* stream : {"assignments", "results"}) sent_messages_.Add({{"stream", stream}});
  for (const char* verdict : {"approve", "deny"}) decisions_.Add({{"verdict", verdict}});
  for (const char* kind : {"table_files", "memtables"}) store_bytes_.Add({{"kind", kind}});
}

std::string CoordinatorMetrics::RpcLabel(std::string_view method_path) {
  if (method_path == "/grpc.health.v1.Health/Check" ||
      method_path == "/grpc.health.v1.Health/Watch") {
    return std::string(method_path.substr(1));
  }
  const std::string coordinator = absl::StrCat("/", v1::Coordinator::service_full_name(), "/");
  if (method_path.starts_with(coordinator)) {
    // Through a message of the same file, which makes sure that file's
    // descriptors are linked in and built.
    const google::protobuf::ServiceDescriptor* service =
        v1::WatchWorkRequest::descriptor()->file()->FindServiceByName("Coordinator");
    const std::string method(method_path.substr(coordinator.size()));
    if (service != nullptr && service->FindMethodByName(method) != nullptr) {
      return std::string(method_path.substr(1));
    }
  }
  return "other";
}

void CoordinatorMetrics::CountRpc(const std::string& rpc, grpc::StatusCode code) {
  rpcs_.Add({{"rpc", rpc}, {"code", CodeLabel(code)}}).Increment();
}

void CoordinatorMetrics::CountDecision(v1::Verdict verdict) {
  if (verdict == v1::VERDICT_APPROVE) decisions_.Add({{"verdict", "approve"}}).Increment();
  if (verdict == v1::VERDICT_DENY) decisions_.Add({{"verdict", "deny"}}).Increment();
}

void CoordinatorMetrics::CountEncodingsReceived(uint64_t batches, uint64_t records,
                                                uint64_t bytes) {
  received_messages_.Add({{"stream", "encodings"}}).Increment(static_cast<double>(batches));
  received_bytes_.Add({{"stream", "encodings"}}).Increment(static_cast<double>(bytes));
  received_records_.Increment(static_cast<double>(records));
}

void CoordinatorMetrics::CountPayloadReceived(uint64_t chunks, uint64_t bytes) {
  received_messages_.Add({{"stream", "payload"}}).Increment(static_cast<double>(chunks));
  received_bytes_.Add({{"stream", "payload"}}).Increment(static_cast<double>(bytes));
}

void CoordinatorMetrics::CountEncodingsStored(const std::string& agent,
                                              const v1::UploadSummary& summary) {
  encoding_batches_.Add({{"agent", agent}, {"result", "stored"}})
      .Increment(static_cast<double>(summary.batches_stored()));
  encoding_batches_.Add({{"agent", agent}, {"result", "repeated"}})
      .Increment(static_cast<double>(summary.batches_repeated()));
}

void CoordinatorMetrics::CountPayloadStored(const std::string& agent,
                                            const v1::PayloadSummary& summary) {
  payload_chunks_.Add({{"agent", agent}, {"result", "stored"}})
      .Increment(static_cast<double>(summary.chunks_stored()));
  payload_chunks_.Add({{"agent", agent}, {"result", "repeated"}})
      .Increment(static_cast<double>(summary.chunks_repeated()));
}

void CoordinatorMetrics::CountAssignmentBatchesSent(uint64_t batches) {
  sent_messages_.Add({{"stream", "assignments"}}).Increment(static_cast<double>(batches));
}

void CoordinatorMetrics::CountResultsItemsSent(uint64_t items) {
  sent_messages_.Add({{"stream", "results"}}).Increment(static_cast<double>(items));
}

void CoordinatorMetrics::AgentStream(const std::string& agent, int delta) {
  agent_streams_.Add({{"agent", agent}}).Increment(static_cast<double>(delta));
}

void CoordinatorMetrics::JobTransition(const std::string& job_id, v1::JobState from,
                                       v1::JobState to) {
  transitions_.Add({{"state", StateLabel(to)}}).Increment();
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = entered_.find(job_id);
  if (it != entered_.end() && it->second.state == from) {
    phases_.Add({{"phase", StateLabel(from)}}, PhaseBuckets())
        .Observe(absl::ToDoubleSeconds(now - it->second.at));
  }
  if (IsFinalState(to)) {
    if (it != entered_.end()) entered_.erase(it);
  } else {
    entered_.insert_or_assign(job_id, Entered{to, now});
  }
}

void CoordinatorMetrics::SetJobCounts(const std::map<v1::JobState, uint64_t>& counts) {
  const google::protobuf::EnumDescriptor* states = v1::JobState_descriptor();
  for (int i = 0; i < states->value_count(); ++i) {
    const auto state = static_cast<v1::JobState>(states->value(i)->number());
    if (state == v1::JOB_STATE_UNSPECIFIED) continue;
    auto it = counts.find(state);
    jobs_.Add({{"state", StateLabel(state)}})
        .Set(it == counts.end() ? 0.0 : static_cast<double>(it->second));
  }
}

void CoordinatorMetrics::SetAuditEntries(uint64_t entries) {
  audit_entries_.Set(static_cast<double>(entries));
}

void CoordinatorMetrics::SetStoreSize(const metrics::RocksDbSize& size) {
  store_bytes_.Add({{"kind", "table_files"}}).Set(static_cast<double>(size.table_file_bytes));
  store_bytes_.Add({{"kind", "memtables"}}).Set(static_cast<double>(size.memtable_bytes));
}

}  // namespace fedlink::coordinator
