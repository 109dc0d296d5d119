#include "linkage/encode/clk_encoder.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/encode/qgrams.h"
#include "linkage/encode/transform.h"

namespace fedlink::encode {
namespace {

absl::Status CheckLength(const char* what, uint32_t bits) {
  if (bits % 64 != 0 || bits < kMinClkBits || bits > kMaxClkBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("bloom.", what, " = ", bits,
                     ": must be a multiple of 64 in [", kMinClkBits, ", ",
                     kMaxClkBits, "]"));
  }
  return absl::OkStatus();
}

std::optional<size_t> FindField(const schema::LinkageSchema& schema,
                                const std::string& name) {
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClkEncoder>> ClkEncoder::Create(
    const schema::LinkageSchema& schema, const crypto::SecretBytes& bloom_key) {
  if (!schema.bloom.has_value()) {
    return absl::InvalidArgumentError(
        "schema has no bloom section: it does not ask for Bloom encodings");
  }
  const schema::BloomParams& p = *schema.bloom;
  FEDLINK_RETURN_IF_ERROR(CheckLength("bits", p.bits));
  if (p.field_level) {
    FEDLINK_RETURN_IF_ERROR(CheckLength("field_level_bits", p.field_level_bits));
  }
  if (p.q < 1 || p.q > kMaxQgramCodePoints) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bloom.q = ", p.q, ": must be in [1, ", kMaxQgramCodePoints, "]"));
  }
  if (p.fields.empty() || p.fields.size() > kMaxClkFields) {
    return absl::InvalidArgumentError(
        absl::StrCat("bloom.fields has ", p.fields.size(),
                     " entries: must have 1 to ", kMaxClkFields));
  }
  const schema::BloomHardening& h = p.hardening;
  if (h.xor_fold) {
    if (p.bits % 128 != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bloom.hardening.xor_fold: bloom.bits = ", p.bits,
          " must be a multiple of 128 to fold"));
    }
    if (p.field_level && p.field_level_bits % 128 != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bloom.hardening.xor_fold: bloom.field_level_bits = ",
          p.field_level_bits, " must be a multiple of 128 to fold"));
    }
  }
  if (!(h.blip_flip_probability >= 0.0 && h.blip_flip_probability < 0.5)) {
    return absl::InvalidArgumentError(
        "bloom.hardening.blip_flip_probability must be in [0, 0.5)");
  }

  auto encoder = std::unique_ptr<ClkEncoder>(new ClkEncoder());
  encoder->schema_field_count_ = schema.fields.size();
  for (size_t i = 0; i < p.fields.size(); ++i) {
    const schema::BloomField& f = p.fields[i];
    const std::optional<size_t> index = FindField(schema, f.field);
    if (!index.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bloom.fields[", i, "]: unknown field '", f.field, "'"));
    }
    if (f.k < 1 || f.k > kMaxBitsPerQgram) {
      return absl::InvalidArgumentError(
          absl::StrCat("bloom.fields[", i, "] ('", f.field, "'): k = ", f.k,
                       " must be in [1, ", kMaxBitsPerQgram, "]"));
    }
    encoder->fields_.push_back(
        {*index, f.transform, static_cast<uint8_t>(f.k)});
  }
  encoder->q_ = p.q;
  encoder->padded_ = p.padded;
  encoder->bits_ = p.bits;
  encoder->field_bits_ = p.field_level ? p.field_level_bits : 0;
  encoder->xor_fold_ = h.xor_fold;
  encoder->blip_probability_ = h.blip_flip_probability;
  encoder->clk_bits_ = HardenedBits(h, p.bits);
  encoder->field_filter_bits_ =
      p.field_level ? HardenedBits(h, p.field_level_bits) : 0;

  FEDLINK_ASSIGN_OR_RETURN(
      encoder->record_positions_,
      ClkPositionDeriver::Create(bloom_key, ClkLevel::kRecord, p.bits));
  if (p.field_level) {
    FEDLINK_ASSIGN_OR_RETURN(
        encoder->field_positions_,
        ClkPositionDeriver::Create(bloom_key, ClkLevel::kField,
                                   p.field_level_bits));
  }
  if (h.balance) {
    // The permutation acts on the (possibly folded) filter.
    const uint32_t record_in = h.xor_fold ? p.bits / 2 : p.bits;
    FEDLINK_ASSIGN_OR_RETURN(
        BalancingPermutation record_perm,
        BalancingPermutation::Create(
            bloom_key, BalancingStreamId(ClkLevel::kRecord, record_in),
            record_in));
    encoder->record_balance_ =
        std::make_shared<const BalancingPermutation>(std::move(record_perm));
    if (p.field_level) {
      const uint32_t field_in =
          h.xor_fold ? p.field_level_bits / 2 : p.field_level_bits;
      FEDLINK_ASSIGN_OR_RETURN(
          BalancingPermutation field_perm,
          BalancingPermutation::Create(
              bloom_key, BalancingStreamId(ClkLevel::kField, field_in),
              field_in));
      encoder->field_balance_ =
          std::make_shared<const BalancingPermutation>(std::move(field_perm));
    }
  }
  if (encoder->blip_probability_ > 0) {
    FEDLINK_ASSIGN_OR_RETURN(encoder->blip_rng_,
                             crypto::AesCtrRng::CreateRandomlySeeded());
  }
  return encoder;
}

absl::StatusOr<std::unique_ptr<ClkEncoder>> ClkEncoder::Clone() const {
  auto clone = std::unique_ptr<ClkEncoder>(new ClkEncoder());
  clone->schema_field_count_ = schema_field_count_;
  clone->fields_ = fields_;
  clone->q_ = q_;
  clone->padded_ = padded_;
  clone->bits_ = bits_;
  clone->field_bits_ = field_bits_;
  clone->xor_fold_ = xor_fold_;
  clone->blip_probability_ = blip_probability_;
  clone->clk_bits_ = clk_bits_;
  clone->field_filter_bits_ = field_filter_bits_;
  FEDLINK_ASSIGN_OR_RETURN(clone->record_positions_,
                           record_positions_->Clone());
  if (field_positions_.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(clone->field_positions_,
                             field_positions_->Clone());
  }
  clone->record_balance_ = record_balance_;
  clone->field_balance_ = field_balance_;
  if (blip_rng_.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(clone->blip_rng_,
                             crypto::AesCtrRng::CreateRandomlySeeded());
  }
  return clone;
}

absl::Status ClkEncoder::CollectQgrams(const NormalizedRecord& record,
                                       bool per_field) {
  if (record.values.size() != schema_field_count_) {
    return absl::InvalidArgumentError(
        absl::StrCat("record has ", record.values.size(),
                     " values but the schema has ", schema_field_count_,
                     " fields"));
  }
  cps_.clear();
  slots_.clear();
  present_.assign(fields_.size(), false);
  for (size_t f = 0; f < fields_.size(); ++f) {
    const FieldPlan& plan = fields_[f];
    const std::optional<SensitiveString>& value =
        record.values[plan.schema_index];
    if (!value.has_value() || value->empty()) continue;
    if (!ApplyTransform(plan.transform, value->Expose(), &transformed_)) {
      continue;
    }
    const size_t offset = cps_.size();
    const size_t length = AppendQgramSequence(transformed_, q_, padded_, &cps_);
    if (length == 0) continue;
    if (cps_.size() > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bloom.fields[", f, "]: record too long to encode"));
    }
    present_[f] = true;
    const size_t count = QgramCount(length, q_);
    const uint16_t width = static_cast<uint16_t>(QgramLength(length, q_));
    for (size_t i = 0; i < count; ++i) {
      QgramSlot slot;
      slot.offset = static_cast<uint32_t>(offset + i);
      slot.length = width;
      slot.field = static_cast<uint8_t>(f);
      slot.k = plan.k;
      slot.target = per_field ? static_cast<uint32_t>(f) : 0;
      slots_.push_back(slot);
    }
  }
  return absl::OkStatus();
}

absl::Status ClkEncoder::Harden(const BalancingPermutation* permutation,
                                BloomFilter* filter) {
  if (xor_fold_) FEDLINK_RETURN_IF_ERROR(XorFold(filter));
  if (permutation != nullptr) {
    FEDLINK_RETURN_IF_ERROR(permutation->Apply(*filter, &balance_scratch_));
    // Swapping keeps both buffers' capacity for the next record.
    filter->words.swap(balance_scratch_.words);
  }
  return absl::OkStatus();
}

absl::Status ClkEncoder::EncodeDeterministic(const NormalizedRecord& record,
                                             BloomFilter* out) {
  FEDLINK_RETURN_IF_ERROR(CollectQgrams(record, /*per_field=*/false));
  out->words.assign(bits_ / 64, 0);
  uint64_t* target = out->words.data();
  FEDLINK_RETURN_IF_ERROR(
      record_positions_->SetBits(cps_, slots_, absl::MakeConstSpan(&target, 1)));
  return Harden(record_balance_.get(), out);
}

absl::Status ClkEncoder::EncodeFieldLevelDeterministic(
    const NormalizedRecord& record, std::vector<BloomFilter>* out) {
  if (!field_positions_.has_value()) {
    return absl::FailedPreconditionError(
        "the schema does not ask for field-level Bloom filters "
        "(bloom.field_level is false)");
  }
  FEDLINK_RETURN_IF_ERROR(CollectQgrams(record, /*per_field=*/true));
  out->resize(fields_.size());
  targets_.assign(fields_.size(), nullptr);
  for (size_t f = 0; f < fields_.size(); ++f) {
    BloomFilter& filter = (*out)[f];
    if (present_[f]) {
      filter.words.assign(field_bits_ / 64, 0);
      targets_[f] = filter.words.data();
    } else {
      filter.words.clear();
    }
  }
  FEDLINK_RETURN_IF_ERROR(field_positions_->SetBits(cps_, slots_, targets_));
  for (size_t f = 0; f < fields_.size(); ++f) {
    if (present_[f]) {
      FEDLINK_RETURN_IF_ERROR(Harden(field_balance_.get(), &(*out)[f]));
    }
  }
  return absl::OkStatus();
}

absl::Status ClkEncoder::Encode(const NormalizedRecord& record,
                                BloomFilter* out) {
  FEDLINK_RETURN_IF_ERROR(EncodeDeterministic(record, out));
  if (blip_rng_.has_value()) {
    ApplyBlip(blip_probability_, *blip_rng_, out);
    // The generator latches OpenSSL failures: noise of zeros is no noise.
    FEDLINK_RETURN_IF_ERROR(blip_rng_->status());
  }
  return absl::OkStatus();
}

absl::Status ClkEncoder::EncodeFieldLevel(const NormalizedRecord& record,
                                          std::vector<BloomFilter>* out) {
  FEDLINK_RETURN_IF_ERROR(EncodeFieldLevelDeterministic(record, out));
  if (blip_rng_.has_value()) {
    for (BloomFilter& filter : *out) {
      ApplyBlip(blip_probability_, *blip_rng_, &filter);
    }
    FEDLINK_RETURN_IF_ERROR(blip_rng_->status());
  }
  return absl::OkStatus();
}

}  // namespace fedlink::encode
