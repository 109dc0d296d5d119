// The agent daemon's Prometheus metrics (served by proto/metrics'
// MetricsHttpServer when agent.yaml has `metrics.listen`). Labels are
// bounded sets — RPC names, status codes, work item kinds, job states,
// verdicts — never a job id or anything read from a record.
//
//   fedlink_agent_connected                              1 while a WatchWork stream is open
//   fedlink_agent_coordinator_connections_total          Welcomes received
//   fedlink_agent_coordinator_disconnects_total          streams that failed or ended
//   fedlink_agent_coordinator_calls_total{rpc,code}      calls made by the job steps
//   fedlink_agent_work_items_total{item,code}            work items run, by outcome
//   fedlink_agent_step_seconds{item}                     how long each step took
//   fedlink_agent_sent_messages_total{stream}            encodings | payload, accepted by the stream
//   fedlink_agent_sent_bytes_total{stream}               serialized bytes of those
//   fedlink_agent_encoded_records_total                  records in the encoding batches sent
//   fedlink_agent_assignments_received_total            pseudonyms in assignment batches
//   fedlink_agent_decisions_delivered_total{verdict}     decisions the coordinator took
//   fedlink_agent_jobs{state}                            jobs by local state (at scrape)
//   fedlink_agent_records                                records in the store after the last ingest
//   fedlink_agent_rows_released                          rows released, summed over the jobs kept
//   fedlink_agent_store_bytes{kind}                      RocksDB table files | memtables
//   fedlink_agent_start_time_seconds                     process start (Unix time)
#ifndef FEDLINK_AGENT_DAEMON_AGENT_METRICS_H_
#define FEDLINK_AGENT_DAEMON_AGENT_METRICS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fedlink/v1/agent_admin.pb.h"
#include "fedlink/v1/decision.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "proto/metrics/rocksdb_size.h"

namespace fedlink::agent::daemon {

// Thread-safe.
class AgentMetrics {
 public:
  explicit AgentMetrics(absl::Time started_at = absl::Now());

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // A Welcome on a new WatchWork stream; a stream that failed or ended.
  void CountConnection();
  void CountDisconnect();

  // A coordinator call by the job steps ("SubmitDecision", "UploadEncodings",
  // …) and its outcome.
  void CountCall(std::string_view rpc, const absl::Status& status);
  // A work item ("decide", "encode", "release", "purge", "welcome") that
  // ran for `took` with `status`.
  void CountWorkItem(std::string_view item, const absl::Status& status, absl::Duration took);

  void CountEncodingBatchSent(uint64_t records, uint64_t bytes);
  void CountPayloadChunkSent(uint64_t bytes);
  void CountAssignmentsReceived(uint64_t pseudonyms);
  void CountDecisionDelivered(v1::Verdict verdict);

  // Scrape-time values.
  void SetConnected(bool connected);
  void SetJobCounts(const std::map<v1::AgentJobState, uint64_t>& counts);
  void SetRecords(uint64_t records);
  void SetRowsReleased(uint64_t rows);
  void SetStoreSize(const metrics::RocksDbSize& size);

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& connected_;
  prometheus::Counter& connections_;
  prometheus::Counter& disconnects_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Counter>& work_items_;
  prometheus::Family<prometheus::Histogram>& steps_;
  prometheus::Family<prometheus::Counter>& sent_messages_;
  prometheus::Family<prometheus::Counter>& sent_bytes_;
  prometheus::Counter& encoded_records_;
  prometheus::Counter& assignments_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Gauge& records_;
  prometheus::Gauge& rows_released_;
  prometheus::Family<prometheus::Gauge>& store_bytes_;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_AGENT_METRICS_H_
