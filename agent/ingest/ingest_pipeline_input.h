// A byte stream fed in chunks by one thread and read as a std::istream by
// the ingest pipeline on another: how the agent daemon turns the data
// messages of an AgentAdmin.Ingest call into an IngestInput.
//
//   ChunkedInput input(/*max_buffered_bytes=*/4 << 20);
//   std::thread ingest([&] {
//     result = RunIngest(schema, input.AsIngestInput("export.csv", total),
//                        store, sink, options);
//     input.Close();              // releases a producer blocked in Push
//   });
//   for each data message: if (!input.Push(bytes)) break;  // ingest ended
//   input.Finish();               // or input.Abort(status) if the call broke
//   ingest.join();
//
// Memory is bounded: Push blocks while more than max_buffered_bytes wait to
// be read. An aborted input (or one that the producer dropped without
// Finish) makes the ingest fail with that status before its last batch
// commits, so a broken call never commits a truncated record.
#ifndef FEDLINK_AGENT_INGEST_INGEST_PIPELINE_INPUT_H_
#define FEDLINK_AGENT_INGEST_INGEST_PIPELINE_INPUT_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <mutex>
#include <streambuf>
#include <string>

#include "absl/status/status.h"
#include "agent/ingest/ingest_pipeline.h"

namespace fedlink::agent::ingest {

class ChunkedInput {
 public:
  // max_buffered_bytes >= 1; a single chunk larger than it is still taken.
  explicit ChunkedInput(size_t max_buffered_bytes = size_t{4} << 20);
  ChunkedInput(const ChunkedInput&) = delete;
  ChunkedInput& operator=(const ChunkedInput&) = delete;
  ~ChunkedInput();

  // --- producer (one thread) ----------------------------------------------
  // Appends `bytes`; blocks while more than max_buffered_bytes are waiting.
  // False (bytes dropped) once Close was called or after Finish/Abort.
  bool Push(std::string bytes);
  // The input is complete: the reader sees its end after the last byte.
  void Finish();
  // The input broke off: the reader sees an end, and end_status() (hence
  // the ingest) returns `why` (which must not be OK; Aborted is used then).
  void Abort(absl::Status why);

  // --- consumer -----------------------------------------------------------
  // The stream to read; reads block until bytes, Finish or Abort arrive.
  std::istream& stream() { return stream_; }
  // After the stream's end: OK if Finish was called, the Abort status, or
  // Aborted if the input ended any other way. Thread-safe.
  absl::Status end_status() const;
  // The consumer is done (the ingest returned): blocked and later Pushes
  // return false. Thread-safe.
  void Close();
  // An IngestInput over stream() and end_status(); `name` and
  // `total_bytes` as in IngestInput.
  IngestInput AsIngestInput(std::string name, uint64_t total_bytes);

 private:
  class Buf : public std::streambuf {
   public:
    explicit Buf(ChunkedInput* owner) : owner_(owner) {}

   protected:
    int_type underflow() override;

   private:
    ChunkedInput* owner_;
    std::string current_;
  };

  const size_t max_buffered_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;  // guarded by mu_
  size_t buffered_bytes_ = 0;       // guarded by mu_
  bool finished_ = false;           // guarded by mu_
  bool closed_ = false;             // guarded by mu_
  absl::Status abort_status_;       // guarded by mu_
  Buf buf_;
  std::istream stream_;
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_INGEST_PIPELINE_INPUT_H_
