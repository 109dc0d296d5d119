#include "agent/daemon/agent_metrics.h"

#include "agent/daemon/job_record.h"

namespace fedlink::agent::daemon {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Steps run from milliseconds (a decision stored) to hours (encoding and
// uploading millions of records).
const prometheus::Histogram::BucketBoundaries& StepBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600};
  return *buckets;
}

std::string CodeLabel(const absl::Status& status) {
  return absl::StatusCodeToString(status.code());
}

}  // namespace

AgentMetrics::AgentMetrics(absl::Time started_at)
    : registry_(std::make_shared<prometheus::Registry>()),
      connected_(BuildGauge()
                     .Name("fedlink_agent_connected")
                     .Help("1 while the WatchWork stream to the coordinator is open (after its "
                           "Welcome), else 0")
                     .Register(*registry_)
                     .Add({})),
      connections_(BuildCounter()
                       .Name("fedlink_agent_coordinator_connections_total")
                       .Help("WatchWork streams the coordinator welcomed")
                       .Register(*registry_)
                       .Add({})),
      disconnects_(BuildCounter()
                       .Name("fedlink_agent_coordinator_disconnects_total")
                       .Help("WatchWork streams that failed to open or ended (each is followed "
                             "by a reconnect after the backoff)")
                       .Register(*registry_)
                       .Add({})),
      calls_(BuildCounter()
                 .Name("fedlink_agent_coordinator_calls_total")
                 .Help("Coordinator calls made by the job steps, by method and status code")
                 .Register(*registry_)),
      work_items_(BuildCounter()
                      .Name("fedlink_agent_work_items_total")
                      .Help("Work items run, by kind and status code")
                      .Register(*registry_)),
      steps_(BuildHistogram()
                 .Name("fedlink_agent_step_seconds")
                 .Help("How long a work item's step took, by kind")
                 .Register(*registry_)),
      sent_messages_(BuildCounter()
                         .Name("fedlink_agent_sent_messages_total")
                         .Help("Encoding batches and payload chunks written to upload streams")
                         .Register(*registry_)),
      sent_bytes_(BuildCounter()
                      .Name("fedlink_agent_sent_bytes_total")
                      .Help("Serialized bytes of the messages written to upload streams")
                      .Register(*registry_)),
      encoded_records_(BuildCounter()
                           .Name("fedlink_agent_encoded_records_total")
                           .Help("Records in the encoding batches written to upload streams")
                           .Register(*registry_)
                           .Add({})),
      assignments_(BuildCounter()
                       .Name("fedlink_agent_assignments_received_total")
                       .Help("Pseudonyms in the assignment batches received")
                       .Register(*registry_)
                       .Add({})),
      decisions_(BuildCounter()
                     .Name("fedlink_agent_decisions_delivered_total")
                     .Help("Signed decisions the coordinator accepted, by verdict")
                     .Register(*registry_)),
      jobs_(BuildGauge()
                .Name("fedlink_agent_jobs")
                .Help("Jobs this agent keeps a record of, by local state")
                .Register(*registry_)),
      records_(BuildGauge()
                   .Name("fedlink_agent_records")
                   .Help("Records in the store after the last ingest")
                   .Register(*registry_)
                   .Add({})),
      rows_released_(BuildGauge()
                         .Name("fedlink_agent_rows_released")
                         .Help("Rows released (HPKE-encrypted for the analyst), summed over the "
                               "jobs this agent keeps a record of")
                         .Register(*registry_)
                         .Add({})),
      store_bytes_(BuildGauge()
                       .Name("fedlink_agent_store_bytes")
                       .Help("RocksDB store size: table files on disk and memtables")
                       .Register(*registry_)) {
  BuildGauge()
      .Name("fedlink_agent_start_time_seconds")
      .Help("When this agent process started (Unix time)")
      .Register(*registry_)
      .Add({})
      .Set(absl::ToDoubleSeconds(started_at - absl::UnixEpoch()));
  for (const char* stream : {"encodings", "payload"}) {
    sent_messages_.Add({{"stream", stream}});
    sent_bytes_.Add({{"stream", stream}});
  }
  for (const char* verdict : {"approve", "deny"}) decisions_.Add({{"verdict", verdict}});
  for (const char* kind : {"table_files", "memtables"}) store_bytes_.Add({{"kind", kind}});
}

void AgentMetrics::CountConnection() { connections_.Increment(); }

void AgentMetrics::CountDisconnect() { disconnects_.Increment(); }

void AgentMetrics::SetConnected(bool connected) { connected_.Set(connected ? 1 : 0); }

void AgentMetrics::CountCall(std::string_view rpc, const absl::Status& status) {
  calls_.Add({{"rpc", std::string(rpc)}, {"code", CodeLabel(status)}}).Increment();
}

void AgentMetrics::CountWorkItem(std::string_view item, const absl::Status& status,
                                 absl::Duration took) {
  work_items_.Add({{"item", std::string(item)}, {"code", CodeLabel(status)}}).Increment();
  steps_.Add({{"item", std::string(item)}}, StepBuckets()).Observe(absl::ToDoubleSeconds(took));
}

void AgentMetrics::CountEncodingBatchSent(uint64_t records, uint64_t bytes) {
  sent_messages_.Add({{"stream", "encodings"}}).Increment();
  sent_bytes_.Add({{"stream", "encodings"}}).Increment(static_cast<double>(bytes));
  encoded_records_.Increment(static_cast<double>(records));
}

void AgentMetrics::CountPayloadChunkSent(uint64_t bytes) {
  sent_messages_.Add({{"stream", "payload"}}).Increment();
  sent_bytes_.Add({{"stream", "payload"}}).Increment(static_cast<double>(bytes));
}

void AgentMetrics::CountAssignmentsReceived(uint64_t pseudonyms) {
  assignments_.Increment(static_cast<double>(pseudonyms));
}

void AgentMetrics::CountDecisionDelivered(v1::Verdict verdict) {
  if (verdict == v1::VERDICT_APPROVE) decisions_.Add({{"verdict", "approve"}}).Increment();
  if (verdict == v1::VERDICT_DENY) decisions_.Add({{"verdict", "deny"}}).Increment();
}

void AgentMetrics::SetJobCounts(const std::map<v1::AgentJobState, uint64_t>& counts) {
  const google::protobuf::EnumDescriptor* states = v1::AgentJobState_descriptor();
  for (int i = 0; i < states->value_count(); ++i) {
    const auto state = static_cast<v1::AgentJobState>(states->value(i)->number());
    if (state == v1::AGENT_JOB_STATE_UNSPECIFIED) continue;
    auto it = counts.find(state);
    jobs_.Add({{"state", std::string(AgentJobStateName(state))}})
        .Set(it == counts.end() ? 0.0 : static_cast<double>(it->second));
  }
}

void AgentMetrics::SetRecords(uint64_t records) { records_.Set(static_cast<double>(records)); }

void AgentMetrics::SetRowsReleased(uint64_t rows) {
  rows_released_.Set(static_cast<double>(rows));
}

void AgentMetrics::SetStoreSize(const metrics::RocksDbSize& size) {
  store_bytes_.Add({{"kind", "table_files"}}).Set(static_cast<double>(size.table_file_bytes));
  store_bytes_.Add({{"kind", "memtables"}}).Set(static_cast<double>(size.memtable_bytes));
}

}  // namespace fedlink::agent::daemon
