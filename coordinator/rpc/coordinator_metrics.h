// The coordinator's Prometheus metrics (served by proto/metrics'
// MetricsHttpServer when coordinator.yaml has `metrics.listen`). Labels are
// bounded sets — RPC names, status codes, job states, verdicts, the agent
// certificate names the deployment CA issued — never a job id, an analyst
// or anything taken from a record.
//
//   fedlink_coordinator_rpcs_total{rpc,code}               calls answered
//   fedlink_coordinator_jobs{state}                        jobs per state (at scrape)
//   fedlink_coordinator_job_transitions_total{state}       state changes, by new state
//   fedlink_coordinator_job_phase_seconds{phase}           time jobs spent in a state
//   fedlink_coordinator_decisions_total{verdict}           decisions accepted
//   fedlink_coordinator_encoding_batches_total{agent,result}  stored | repeated
//   fedlink_coordinator_payload_chunks_total{agent,result}    stored | repeated
//   fedlink_coordinator_received_records_total             records in encoding batches read
//   fedlink_coordinator_received_messages_total{stream}    encodings | payload
//   fedlink_coordinator_received_bytes_total{stream}       encodings | payload
//   fedlink_coordinator_sent_messages_total{stream}        assignments | results
//   fedlink_coordinator_agent_streams{agent}               open WatchWork streams
//   fedlink_coordinator_audit_entries                      audit log size (at scrape)
//   fedlink_coordinator_store_bytes{kind}                  RocksDB table files | memtables
//   fedlink_coordinator_start_time_seconds                 process start (Unix time)
#ifndef FEDLINK_COORDINATOR_RPC_COORDINATOR_METRICS_H_
#define FEDLINK_COORDINATOR_RPC_COORDINATOR_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fedlink/v1/coordinator.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "proto/metrics/rocksdb_size.h"

namespace fedlink::coordinator {

// Thread-safe.
class CoordinatorMetrics {
 public:
  explicit CoordinatorMetrics(std::function<absl::Time()> clock = [] { return absl::Now(); });

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // An answered call; `rpc` is a label from RpcLabel.
  void CountRpc(const std::string& rpc, grpc::StatusCode code);
  // "fedlink.v1.Coordinator/SubmitJob" for a method of the Coordinator or
  // the health service ("/fedlink.v1.Coordinator/SubmitJob" as gRPC gives
  // it), "other" for any other path (labels stay a fixed set).
  static std::string RpcLabel(std::string_view method_path);

  void CountDecision(v1::Verdict verdict);
  // What one upload stream read off the wire, whatever its outcome.
  void CountEncodingsReceived(uint64_t batches, uint64_t records, uint64_t bytes);
  void CountPayloadReceived(uint64_t chunks, uint64_t bytes);
  // What an accepted upload stream stored (its summary), by agent.
  void CountEncodingsStored(const std::string& agent, const v1::UploadSummary& summary);
  void CountPayloadStored(const std::string& agent, const v1::PayloadSummary& summary);
  void CountAssignmentBatchesSent(uint64_t batches);
  void CountResultsItemsSent(uint64_t items);
  // A WatchWork stream of `agent` opened (+1) or ended (-1).
  void AgentStream(const std::string& agent, int delta);

  // A job changed state (CoreOptions::on_transition). The time a job spent
  // in `from` is observed when this process saw it enter `from`; jobs are
  // remembered by id in memory only while they are not final.
  void JobTransition(const std::string& job_id, v1::JobState from, v1::JobState to);

  // Scrape-time values.
  void SetJobCounts(const std::map<v1::JobState, uint64_t>& counts);
  void SetAuditEntries(uint64_t entries);
  void SetStoreSize(const metrics::RocksDbSize& size);

 private:
  struct Entered {
    v1::JobState state;
    absl::Time at;
  };

  const std::function<absl::Time()> clock_;
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpcs_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Family<prometheus::Counter>& transitions_;
  prometheus::Family<prometheus::Histogram>& phases_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& encoding_batches_;
  prometheus::Family<prometheus::Counter>& payload_chunks_;
  prometheus::Counter& received_records_;
  prometheus::Family<prometheus::Counter>& received_messages_;
  prometheus::Family<prometheus::Counter>& received_bytes_;
  prometheus::Family<prometheus::Counter>& sent_messages_;
  prometheus::Family<prometheus::Gauge>& agent_streams_;
  prometheus::Gauge& audit_entries_;
  prometheus::Family<prometheus::Gauge>& store_bytes_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entered> entered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_RPC_COORDINATOR_METRICS_H_
