// Ingest progress for the operator, on stderr: on a terminal a bar redrawn
// in place with rows, rate and ETA; otherwise (a log file, systemd, a pipe)
// plain lines at most every `line_interval`, so logs stay readable.
// Shows counts only, never a value of the file.
#ifndef FEDLINK_AGENT_CLI_PROGRESS_DISPLAY_H_
#define FEDLINK_AGENT_CLI_PROGRESS_DISPLAY_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "agent/ingest/ingest_pipeline.h"

namespace fedlink::agent::cli {

class ProgressDisplay {
 public:
  // `start` is when the ingest began; `terminal` selects the bar.
  ProgressDisplay(std::ostream* out, bool terminal, absl::Time start,
                  absl::Duration line_interval = absl::Seconds(5));

  // Shows `progress` as of `now` (rate = rows read since start). Not
  // thread-safe.
  void Update(const ingest::IngestProgress& progress, absl::Time now);
  // Ends the bar's line (terminal) so later output starts on a new line.
  void Finish();

  // "1.2 MiB", "350.0 KiB": for the bar and the summary.
  static std::string Bytes(uint64_t bytes);
  // "0:42", "1:02:03".
  static std::string Duration(absl::Duration d);

 private:
  std::string Line(const ingest::IngestProgress& progress,
                   absl::Time now) const;

  std::ostream* out_;
  bool terminal_;
  absl::Time start_;
  absl::Duration line_interval_;
  absl::Time last_line_ = absl::InfinitePast();
  bool drawn_ = false;
};

// True if file descriptor `fd` is a terminal (isatty).
bool IsTerminal(int fd);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_PROGRESS_DISPLAY_H_
