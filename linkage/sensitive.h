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
  // Identifier values are personal data: every buffer that held one is wiped
  // before it is given up. Not only on destruction: std::string's move of a
  // short value (up to 15 bytes, most names and dates) copies it out of the
  // source's inline buffer and leaves the bytes there, and an assignment
  // frees or overwrites the old buffer without clearing it.
  SensitiveString() = default;
  explicit SensitiveString(std::string value) : value_(std::move(value)) { WipeString(value); }
  SensitiveString(const SensitiveString&) = default;
  SensitiveString& operator=(const SensitiveString& other) {
    if (this != &other) {
      WipeString(value_);
      value_ = other.value_;
    }
    return *this;
  }
  SensitiveString(SensitiveString&& other) noexcept : value_(std::move(other.value_)) {
    WipeString(other.value_);
  }
  SensitiveString& operator=(SensitiveString&& other) noexcept {
    if (this != &other) {
      WipeString(value_);
      value_ = std::move(other.value_);
      WipeString(other.value_);
    }
    return *this;
  }
  ~SensitiveString() { WipeString(value_); }

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
  // Clears all of `s`'s buffer, its unused capacity too (left-overs of a
  // longer value), and empties it.
  static void WipeString(std::string& s) noexcept {
    OPENSSL_cleanse(s.data(), s.capacity());
    s.clear();
  }

  std::string value_;
};

// Streaming a SensitiveString is a compile error on purpose.
std::ostream& operator<<(std::ostream&, const SensitiveString&) = delete;

}  // namespace fedlink

#endif  // FEDLINK_LINKAGE_SENSITIVE_H_
