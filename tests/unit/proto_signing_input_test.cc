// The signed byte layouts are pinned (a change breaks every stored signature
// and must be a new context string), cover every signed field, and cannot
// be confused with one another.
#include "proto/runtime/signing_input.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace fedlink::proto {
namespace {

v1::SignedDecision Decision() {
  v1::SignedDecision d;
  d.set_job_id("j1");
  d.set_agency("edu");
  d.set_job_spec_sha256(std::string(32, '\x11'));
  d.set_verdict(v1::VERDICT_APPROVE);
  d.set_reason("ok");
  d.set_steward("edu/bob");
  d.set_decided_at_unix_ms(0x0102030405060708);
  d.set_key_id(std::string(32, '\x22'));
  d.set_signature(std::string(64, '\x33'));
  return d;
}

TEST(DecisionSigningInputTest, PinnedLayout) {
  const std::string expected =
      absl::StrCat("fedlink/v1/decision", std::string(1, '\0'), "\x01",
                   absl::HexStringToBytes("0102030405060708"), absl::HexStringToBytes("00000020"),
                   std::string(32, '\x11'), absl::HexStringToBytes("00000002"), "j1",
                   absl::HexStringToBytes("00000003"), "edu", absl::HexStringToBytes("00000007"),
                   "edu/bob", absl::HexStringToBytes("00000002"), "ok");
  EXPECT_EQ(absl::BytesToHexString(DecisionSigningInput(Decision())),
            absl::BytesToHexString(expected));
}

TEST(DecisionSigningInputTest, CoversEverySignedFieldButNotTheSignature) {
  const std::string base = DecisionSigningInput(Decision());
  auto changed = [&](auto mutate) {
    v1::SignedDecision d = Decision();
    mutate(d);
    return DecisionSigningInput(d) != base;
  };
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_job_id("j2"); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_agency("wages"); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_job_spec_sha256(std::string(32, 'x')); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_verdict(v1::VERDICT_DENY); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_reason("ok."); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_steward("edu/eve"); }));
  EXPECT_TRUE(changed([](v1::SignedDecision& d) { d.set_decided_at_unix_ms(1); }));
  EXPECT_FALSE(changed([](v1::SignedDecision& d) { d.set_signature(std::string(64, 'y')); }));
  EXPECT_FALSE(changed([](v1::SignedDecision& d) { d.set_key_id(std::string(32, 'y')); }));
  // Moving bytes between adjacent fields changes the input (length prefixes).
  EXPECT_TRUE(changed([](v1::SignedDecision& d) {
    d.set_job_id("j1e");
    d.set_agency("du");
  }));
}

TEST(TreeHeadSigningInputTest, PinnedLayout) {
  v1::TreeHead head;
  head.set_tree_size(3);
  head.set_timestamp_unix_ms(0x10);
  head.set_root_hash(std::string(32, '\xaa'));
  head.set_log_id("coordinator/coord");
  const std::string expected = absl::StrCat(
      "fedlink/v1/tree-head", std::string(1, '\0'), absl::HexStringToBytes("0000000000000003"),
      absl::HexStringToBytes("0000000000000010"), absl::HexStringToBytes("00000020"),
      std::string(32, '\xaa'), absl::HexStringToBytes("00000011"), "coordinator/coord");
  EXPECT_EQ(absl::BytesToHexString(TreeHeadSigningInput(head)), absl::BytesToHexString(expected));
}

TEST(PayloadAssociatedDataTest, PinnedLayoutAndBindsPosition) {
  v1::PayloadChunk chunk;
  chunk.set_job_id("j1");
  chunk.set_agency("edu");
  chunk.set_kind(v1::PAYLOAD_KIND_ROWS);
  chunk.set_chunk_index(258);
  chunk.set_final_chunk(true);
  chunk.set_enc(std::string(32, 'e'));
  chunk.set_ciphertext("not covered");
  const std::string expected = absl::StrCat(
      "fedlink/v1/payload", std::string(1, '\0'), "\x01", absl::HexStringToBytes("00000102"),
      "\x01", absl::HexStringToBytes("00000002"), "j1", absl::HexStringToBytes("00000003"), "edu");
  EXPECT_EQ(absl::BytesToHexString(PayloadAssociatedData(chunk)), absl::BytesToHexString(expected));
  v1::PayloadChunk other = chunk;
  other.set_final_chunk(false);
  EXPECT_NE(PayloadAssociatedData(other), PayloadAssociatedData(chunk));
  other = chunk;
  other.set_kind(v1::PAYLOAD_KIND_CATEGORY_LEGEND);
  EXPECT_NE(PayloadAssociatedData(other), PayloadAssociatedData(chunk));
}

TEST(SigningInputTest, ContextsDiffer) {
  // A decision's bytes can never be a tree head's or a payload's: the
  // context strings differ in their first bytes.
  EXPECT_NE(DecisionSigningInput(Decision()).substr(0, 12),
            TreeHeadSigningInput(v1::TreeHead()).substr(0, 12));
  EXPECT_NE(TreeHeadSigningInput(v1::TreeHead()).substr(0, 12),
            PayloadAssociatedData(v1::PayloadChunk()).substr(0, 12));
}

}  // namespace
}  // namespace fedlink::proto
