// Salted-hash tokens: for each token recipe of the linkage schema, a keyed
// hash of the recipe's field values, so that two agencies holding the same
// person under the same job key produce the same token, and nobody without
// the key can compute or invert one.
//
//   token = first 16 bytes of HMAC-SHA256(K_tok,
//           recipe id (2 bytes, big-endian) ‖ 0x00 ‖ v1 ‖ 0x1F ‖ v2 ‖ … ‖ vn)
//
// where vi is the i-th part's transform of its normalised field. The input is
// unambiguous: the header has a fixed length, the recipe id fixes the number
// of parts, and no value contains 0x1F (normalised values hold no control
// characters; a value that does anyway is treated as missing, see Encode).
#ifndef FEDLINK_LINKAGE_ENCODE_TOKEN_ENCODER_H_
#define FEDLINK_LINKAGE_ENCODE_TOKEN_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/hmac.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/encode/encodings.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::encode {

// The byte that joins part values in the HMAC input.
inline constexpr char kTokenPartSeparator = '\x1f';

// Thread-compatible, not thread-safe: Encode reuses internal buffers and the
// HMAC context, so use one encoder per thread and Clone() it for workers.
// Movable, not copyable.
class TokenEncoder {
 public:
  // Resolves every recipe's field names to field indices once. InvalidArgument
  // (naming the recipe and part) if a recipe has no parts, names a field the
  // schema does not have, or reuses another recipe's id; errors from
  // HmacSha256::Create otherwise. Does not otherwise validate the schema
  // (that is schema::ValidateSchema's job, done where the schema is loaded).
  static absl::StatusOr<TokenEncoder> Create(const schema::LinkageSchema& schema,
                                             const crypto::SecretBytes& token_key);

  // An independent encoder with the same recipes and key, for another thread.
  // Internal if OpenSSL fails.
  absl::StatusOr<TokenEncoder> Clone() const;

  TokenEncoder(TokenEncoder&&) noexcept = default;
  // Both wipe the identifier values left in the scratch buffers they drop.
  TokenEncoder& operator=(TokenEncoder&& other) noexcept;
  ~TokenEncoder();

  // Appends to *out one Token per recipe, in schema order, whose every part
  // has a value; a recipe with a missing field, or whose transform yields no
  // value (ApplyTransform false) or a value containing kTokenPartSeparator,
  // yields no token. Blocking-only recipes are encoded too: the Token's
  // recipe_id tells the consumer. In steady state (a caller that clears and
  // reuses *out) this allocates nothing. InvalidArgument if the record's
  // field count differs from the schema's; Internal if OpenSSL fails (*out
  // then holds the tokens appended before the failure).
  absl::Status Encode(const NormalizedRecord& record, std::vector<Token>* out);

  size_t field_count() const { return field_count_; }
  size_t recipe_count() const { return recipes_.size(); }

 private:
  // One (field, transform) pair that some recipe uses; computed once per
  // record even when several recipes share it.
  struct Derived {
    size_t field = 0;
    schema::Transform transform = schema::Transform::kValue;
  };
  struct Recipe {
    uint16_t id = 0;
    std::vector<size_t> derived;  // indices into derived_, one per part
  };

  TokenEncoder(size_t field_count, std::vector<Derived> derived,
               std::vector<Recipe> recipes, crypto::HmacSha256 hmac);
  void WipeScratch();

  size_t field_count_;
  std::vector<Derived> derived_;
  std::vector<Recipe> recipes_;
  crypto::HmacSha256 hmac_;

  // Per-record scratch, kept between calls so that Encode does not allocate.
  // parts_[i] is derived_[i] for this record, empty if it has no value. It
  // views the record's own value for kValue (no copy) and scratch_[i] for
  // the other transforms. Only valid during Encode.
  std::vector<std::string_view> parts_;
  std::vector<std::string> scratch_;
  std::string message_;              // the HMAC input being built
  crypto::HmacSha256Tag tag_{};
};

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_TOKEN_ENCODER_H_
