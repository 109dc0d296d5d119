#include "agent/cli/progress_display.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedlink::agent::cli {

ProgressDisplay::ProgressDisplay(std::ostream* out, bool terminal,
                                 absl::Time start,
                                 absl::Duration line_interval)
    : out_(out),
      terminal_(terminal),
      start_(start),
      line_interval_(line_interval) {}

std::string ProgressDisplay::Bytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes >= (uint64_t{1} << 30)) return absl::StrFormat("%.1f GiB", b / (1 << 30));
  if (bytes >= (uint64_t{1} << 20)) return absl::StrFormat("%.1f MiB", b / (1 << 20));
  if (bytes >= (uint64_t{1} << 10)) return absl::StrFormat("%.1f KiB", b / (1 << 10));
  return absl::StrCat(bytes, " B");
}

std::string ProgressDisplay::Duration(absl::Duration d) {
  const int64_t total = std::max<int64_t>(0, absl::ToInt64Seconds(d));
  const int64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  if (h > 0) return absl::StrFormat("%d:%02d:%02d", h, m, s);
  return absl::StrFormat("%d:%02d", m, s);
}

std::string ProgressDisplay::Line(const ingest::IngestProgress& p,
                                  absl::Time now) const {
  const double seconds = std::max(1e-3, absl::ToDoubleSeconds(now - start_));
  const double rate = static_cast<double>(p.rows_read) / seconds;
  std::string percent;
  std::string eta = "ETA --:--";
  std::string bar;
  if (p.total_bytes > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(p.bytes_read) /
                          static_cast<double>(p.total_bytes));
    percent = absl::StrFormat("%3.0f%% ", fraction * 100);
    if (fraction > 0) {
      eta = absl::StrCat("ETA ", Duration(absl::Seconds(
                                     seconds * (1 - fraction) / fraction)));
    }
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::floor(fraction * kWidth));
    bar = absl::StrCat("[", std::string(filled, '#'),
                       std::string(kWidth - filled, '.'), "] ");
  }
  return absl::StrFormat(
      "%s%s%d rows read, %d committed, %d quarantined | %.0f rows/s | %s of "
      "%s | %s",
      bar, percent, p.rows_read, p.rows_committed, p.rows_quarantined, rate,
      Bytes(p.bytes_read), p.total_bytes > 0 ? Bytes(p.total_bytes) : "?",
      eta);
}

void ProgressDisplay::Update(const ingest::IngestProgress& progress,
                             absl::Time now) {
  if (terminal_) {
    // \r and erase-to-end-of-line: redraw the bar in place.
    *out_ << "\r" << Line(progress, now) << "\x1b[K" << std::flush;
    drawn_ = true;
    return;
  }
  if (now - last_line_ < line_interval_) return;
  last_line_ = now;
  *out_ << "progress: " << Line(progress, now) << "\n" << std::flush;
}

void ProgressDisplay::Finish() {
  if (terminal_ && drawn_) *out_ << "\n" << std::flush;
  drawn_ = false;
}

bool IsTerminal(int fd) { return isatty(fd) == 1; }

}  // namespace fedlink::agent::cli
