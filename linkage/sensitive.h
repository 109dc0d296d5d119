// SensitiveString holds a raw or normalised identifier value (a name, a date
// of birth, an SSN…). The type exists so that such a value cannot reach a log
// line, an error message or the wire by accident: it has no implicit
// conversion and no operator<<, so absl::StrCat, StrFormat and logging calls
// do not compile with it. Code that truly needs the bytes (an encoder) calls
// Expose(), which is easy to find in review.
#ifndef FEDLINK_LINKAGE_SENSITIVE_H_
#define FEDLINK_LINKAGE_SENSITIVE_H_

#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace fedlink {

// Overwrites n bytes at p with zeros in a way the compiler cannot drop as a
// dead store: the empty asm tells it the bytes are read afterwards. What
// OPENSSL_cleanse does, but inline: OpenSSL's is an out-of-line loop, and
// wiping the short values an ingest moves around took 6% of its CPU with it.
inline void WipeBytes(void* p, std::size_t n) noexcept {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

// Overwrites all of s's buffer, its unused capacity too (left-overs of a
// longer value), and empties it. For every std::string that held identifier
// values, agency rows or plaintext records.
inline void WipeString(std::string& s) noexcept {
  WipeBytes(s.data(), s.capacity());
  s.clear();
}

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
  std::string value_;
};

// Streaming a SensitiveString is a compile error on purpose.
std::ostream& operator<<(std::ostream&, const SensitiveString&) = delete;

}  // namespace fedlink

#endif  // FEDLINK_LINKAGE_SENSITIVE_H_
