#include "agent/store/key_file.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "agent/store/private_files.h"

namespace fedlink::agent {
namespace {

// Longest accepted file: 64 hex digits and "\r\n".
constexpr size_t kMaxKeyFileBytes = 2 * kKeyFileKeyBytes + 2;

int HexDigit(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The key in `contents` (raw or hex), or an empty SecretBytes if the contents
// fit neither form. Key bytes never leave SecretBytes.
crypto::SecretBytes DecodeKey(const crypto::SecretBytes& contents) {
  if (contents.size() == kKeyFileKeyBytes) return contents;
  size_t digits = contents.size();
  if (digits > 0 && contents.data()[digits - 1] == '\n') --digits;
  if (digits > 0 && contents.data()[digits - 1] == '\r') --digits;
  if (digits != 2 * kKeyFileKeyBytes) return crypto::SecretBytes();
  crypto::SecretBytes key = crypto::SecretBytes::Zeroed(kKeyFileKeyBytes);
  for (size_t i = 0; i < kKeyFileKeyBytes; ++i) {
    const int hi = HexDigit(contents.data()[2 * i]);
    const int lo = HexDigit(contents.data()[2 * i + 1]);
    if (hi < 0 || lo < 0) return crypto::SecretBytes();
    key.mutable_data()[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return key;
}

std::string FileLabel(std::string_view label) {
  return absl::StrCat(std::string(label), " file");
}

}  // namespace

absl::StatusOr<crypto::SecretBytes> LoadKeyFile(const std::string& path,
                                                std::string_view label) {
  const std::string what = FileLabel(label);
  absl::StatusOr<crypto::SecretBytes> contents =
      ReadPrivateFile(path, what, kMaxKeyFileBytes);
  if (!contents.ok()) {
    if (absl::IsInvalidArgument(contents.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", path, " holds more than ", kMaxKeyFileBytes,
                       " bytes; expected ", kKeyFileKeyBytes, " raw bytes or ",
                       2 * kKeyFileKeyBytes, " hex digits"));
    }
    return contents.status();
  }
  crypto::SecretBytes key = DecodeKey(*contents);
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " holds ", contents->size(),
                     " bytes that are not ", kKeyFileKeyBytes, " raw bytes or ",
                     2 * kKeyFileKeyBytes, " hex digits"));
  }
  return key;
}

absl::Status WriteKeyFile(const std::string& path,
                          const crypto::SecretBytes& key,
                          std::string_view label) {
  if (key.size() != kKeyFileKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(label), " is ", key.size(),
                     " bytes; expected ", kKeyFileKeyBytes));
  }
  return WriteNewPrivateFile(path, key.span(), FileLabel(label));
}

absl::StatusOr<crypto::SecretBytes> CreateKeyFile(const std::string& path,
                                                  std::string_view label) {
  absl::StatusOr<crypto::SecretBytes> key =
      crypto::SecretBytes::Random(kKeyFileKeyBytes);
  if (!key.ok()) return key.status();
  absl::Status status = WriteKeyFile(path, *key, label);
  if (!status.ok()) return status;
  return key;
}

}  // namespace fedlink::agent
