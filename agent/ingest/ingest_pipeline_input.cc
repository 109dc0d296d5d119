#include "agent/ingest/ingest_pipeline_input.h"
#include "linkage/sensitive.h"

#include <algorithm>
#include <utility>

namespace fedlink::agent::ingest {

ChunkedInput::ChunkedInput(size_t max_buffered_bytes)
    : max_buffered_bytes_(std::max<size_t>(max_buffered_bytes, 1)),
      buf_(this),
      stream_(&buf_) {}

ChunkedInput::~ChunkedInput() {
  // The chunks are rows of an agency export: wipe what was not read.
  for (std::string& chunk : chunks_) {
    WipeString(chunk);
  }
}

bool ChunkedInput::Push(std::string bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] {
    return closed_ || finished_ || !abort_status_.ok() ||
           buffered_bytes_ < max_buffered_bytes_;
  });
  if (closed_ || finished_ || !abort_status_.ok()) {
    WipeString(bytes);
    return false;
  }
  if (bytes.empty()) return true;
  buffered_bytes_ += bytes.size();
  chunks_.push_back(std::move(bytes));
  cv_.notify_all();
  return true;
}

void ChunkedInput::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (abort_status_.ok()) finished_ = true;
  cv_.notify_all();
}

void ChunkedInput::Abort(absl::Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_ || !abort_status_.ok()) return;
  abort_status_ = why.ok() ? absl::AbortedError("the input was abandoned")
                           : std::move(why);
  cv_.notify_all();
}

absl::Status ChunkedInput::end_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!abort_status_.ok()) return abort_status_;
  if (finished_) return absl::OkStatus();
  return absl::AbortedError("the input ended before it was finished");
}

void ChunkedInput::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

IngestInput ChunkedInput::AsIngestInput(std::string name,
                                        uint64_t total_bytes) {
  return IngestInput{.stream = &stream_,
                     .name = std::move(name),
                     .total_bytes = total_bytes,
                     .end_status = [this] { return end_status(); }};
}

ChunkedInput::Buf::int_type ChunkedInput::Buf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  WipeString(current_);
  std::unique_lock<std::mutex> lock(owner_->mu_);
  owner_->cv_.wait(lock, [&] {
    return !owner_->chunks_.empty() || owner_->finished_ ||
           !owner_->abort_status_.ok() || owner_->closed_;
  });
  // The bytes queued before an Abort are still read (the batches before
  // the break commit whatever the timing); the ingest fails at the end.
  if (owner_->chunks_.empty()) return traits_type::eof();
  current_ = std::move(owner_->chunks_.front());
  owner_->chunks_.pop_front();
  owner_->buffered_bytes_ -= current_.size();
  owner_->cv_.notify_all();
  setg(current_.data(), current_.data(), current_.data() + current_.size());
  return traits_type::to_int_type(*gptr());
}

}  // namespace fedlink::agent::ingest
