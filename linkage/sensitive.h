// SensitiveString holds a raw or normalised identifier value (a name, a date
// of birth, an SSN…). The type exists so that such a value cannot reach a log
// line, an error message or the wire by accident: it has no implicit
// conversion and no operator<<, so absl::StrCat, StrFormat and logging calls
// do not compile with it. Code that truly needs the bytes (an encoder) calls
// Expose(), which is easy to find in review.
#ifndef FEDLINK_LINKAGE_SENSITIVE_H_
#define FEDLINK_LINKAGE_SENSITIVE_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <openssl/crypto.h>

namespace fedlink {

class SensitiveString {
 public:
  SensitiveString() = default;
  explicit SensitiveString(std::string value) : value_(std::move(value)) {}
  SensitiveString(const SensitiveString&) = default;
  SensitiveString& operator=(const SensitiveString&) = default;
  SensitiveString(SensitiveString&&) noexcept = default;
  SensitiveString& operator=(SensitiveString&&) noexcept = default;
  // Identifier values are personal data: wipe them when they are dropped.
  ~SensitiveString() {
    if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  }

  // The raw bytes, for encoders and comparisons only. Never log the result.
  std::string_view Expose() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  friend bool operator==(const SensitiveString& a, const SensitiveString& b) {
    return a.value_ == b.value_;
  }

  // gtest prints values of failed expectations: keep the redaction there too.
  friend void PrintTo(const SensitiveString&, std::ostream* os) {
    *os << "[redacted]";
  }

 private:
  std::string value_;
};

// Streaming a SensitiveString is a compile error on purpose.
std::ostream& operator<<(std::ostream&, const SensitiveString&) = delete;

}  // namespace fedlink

#endif  // FEDLINK_LINKAGE_SENSITIVE_H_
