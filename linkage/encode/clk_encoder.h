// Bloom-filter encodings of records (cryptographic long-term keys, CLKs):
// the record-level filter the matcher compares with the Dice coefficient,
// and optionally one filter per field for field-level (probabilistic)
// scoring.
//
// For each schema Bloom field, in order: the normalised value is transformed
// (BloomField::transform), cut into q-grams over code points (qgrams.h;
// padded with q-1 boundary markers on each side by default), and each q-gram
// sets exactly k distinct bits chosen by a keyed PRF under the job's Bloom
// key (clk_positions.h). The field's index is part of the PRF input, so the
// same q-gram in two fields sets unrelated bits, and k is the field's weight.
// A missing value — absent, empty, or without a value under its transform
// (e.g. no Soundex code) — sets nothing. Then the schema's hardening is
// applied: XOR-fold, balance, BLIP, in that order (hardening.h); the output
// has clk_bits() = HardenedBits(hardening, L) bits.
#ifndef FEDLINK_LINKAGE_ENCODE_CLK_ENCODER_H_
#define FEDLINK_LINKAGE_ENCODE_CLK_ENCODER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/aes_ctr_rng.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/encode/clk_positions.h"
#include "linkage/encode/encodings.h"
#include "linkage/encode/hardening.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/status_macros.h"

namespace fedlink::encode {

class ClkEncoder {
 public:
  // An encoder for `schema`'s Bloom parameters under `bloom_key` (the job's
  // 32-byte Bloom key, derived by HKDF elsewhere). Errors (InvalidArgument,
  // naming the offending entry, e.g. "bloom.fields[2]: unknown field
  // 'middle_name'"): no bloom section; L or field_level_bits not a multiple
  // of 64 in [64, 32768]; q outside [1, 65535]; no fields or more than 256;
  // a field not in schema.fields; k outside [1, 64]; XOR-folding a length
  // that is not a multiple of 128; a BLIP probability outside [0, 0.5); a
  // key that is not 32 bytes. Internal if OpenSSL fails.
  static absl::StatusOr<std::unique_ptr<ClkEncoder>> Create(
      const schema::LinkageSchema& schema, const crypto::SecretBytes& bloom_key);

  ClkEncoder(const ClkEncoder&) = delete;
  ClkEncoder& operator=(const ClkEncoder&) = delete;

  // An independent encoder with the same parameters and key, for another
  // worker thread (copies the AES key schedules, shares the immutable
  // balancing permutations). Its default BLIP generator is freshly and
  // randomly seeded — clones never share noise. Internal if OpenSSL fails.
  absl::StatusOr<std::unique_ptr<ClkEncoder>> Clone() const;

  // Length of Encode's output, after hardening.
  uint32_t clk_bits() const { return clk_bits_; }
  // Length of each present field-level filter, after hardening; 0 if the
  // schema asks for no field-level filters.
  uint32_t field_filter_bits() const { return field_filter_bits_; }
  // Number of Bloom fields (entries of EncodeFieldLevel's output).
  size_t field_count() const { return fields_.size(); }

  // Writes the record-level CLK to *out (capacity reused: no allocation in
  // steady state). BLIP noise, if configured, comes from the encoder's own
  // CSPRNG (crypto::AesCtrRng seeded from RAND_priv_bytes). InvalidArgument
  // if the record does not have one value per schema field; Internal if
  // OpenSSL fails (then *out is unspecified). Not thread-safe: one encoder
  // per thread (Clone).
  absl::Status Encode(const NormalizedRecord& record, BloomFilter* out);

  // As above, with BLIP noise drawn from `blip_urbg` (for reproducible
  // tests, or a caller-managed generator).
  template <std::uniform_random_bit_generator Urbg>
  absl::Status Encode(const NormalizedRecord& record, BloomFilter* out,
                      Urbg& blip_urbg) {
    FEDLINK_RETURN_IF_ERROR(EncodeDeterministic(record, out));
    ApplyBlip(blip_probability_, blip_urbg, out);
    return absl::OkStatus();
  }

  // Field-level filters: (*out)[i] for Bloom field i, field_filter_bits()
  // long, with the same q-grams, k and hardening as the CLK but positions of
  // their own (drawn in [0, field_level_bits) under a separate PRF domain).
  // A missing field gives an EMPTY filter (no words), so that scorers can
  // tell "missing" from "disagrees". FailedPrecondition if the schema does
  // not ask for field-level filters; otherwise as Encode.
  absl::Status EncodeFieldLevel(const NormalizedRecord& record,
                                std::vector<BloomFilter>* out);

  template <std::uniform_random_bit_generator Urbg>
  absl::Status EncodeFieldLevel(const NormalizedRecord& record,
                                std::vector<BloomFilter>* out,
                                Urbg& blip_urbg) {
    FEDLINK_RETURN_IF_ERROR(EncodeFieldLevelDeterministic(record, out));
    for (BloomFilter& filter : *out) {
      ApplyBlip(blip_probability_, blip_urbg, &filter);
    }
    return absl::OkStatus();
  }

 private:
  struct FieldPlan {
    size_t schema_index;
    schema::Transform transform;
    uint8_t k;
  };

  ClkEncoder() = default;

  // Q-grams of every present field into cps_/slots_; slot targets are 0 or
  // (per_field) the field index.
  absl::Status CollectQgrams(const NormalizedRecord& record, bool per_field);
  // Everything but BLIP.
  absl::Status EncodeDeterministic(const NormalizedRecord& record,
                                   BloomFilter* out);
  absl::Status EncodeFieldLevelDeterministic(const NormalizedRecord& record,
                                             std::vector<BloomFilter>* out);
  // XOR-fold and balance one filter in place.
  absl::Status Harden(const BalancingPermutation* permutation,
                      BloomFilter* filter);

  // Parameters.
  size_t schema_field_count_ = 0;
  std::vector<FieldPlan> fields_;
  uint32_t q_ = 2;
  bool padded_ = true;
  uint32_t bits_ = 0;
  uint32_t field_bits_ = 0;  // before hardening; 0: no field-level filters
  bool xor_fold_ = false;
  double blip_probability_ = 0;
  uint32_t clk_bits_ = 0;
  uint32_t field_filter_bits_ = 0;

  // Keyed state.
  std::optional<ClkPositionDeriver> record_positions_;
  std::optional<ClkPositionDeriver> field_positions_;
  std::shared_ptr<const BalancingPermutation> record_balance_;
  std::shared_ptr<const BalancingPermutation> field_balance_;
  std::optional<crypto::AesCtrRng> blip_rng_;

  // Scratch reused across records.
  std::string transformed_;
  std::vector<uint32_t> cps_;
  std::vector<QgramSlot> slots_;
  std::vector<bool> present_;
  std::vector<uint64_t*> targets_;
  BloomFilter balance_scratch_;
};

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_CLK_ENCODER_H_
