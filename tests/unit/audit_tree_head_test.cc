#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/tree_head.h"
#include "proto/runtime/signing_input.h"
#include "tests/unit/audit_test_util.h"

namespace fedlink::audit {
namespace {

using testing::kLogId;
using testing::MakeEntry;
using testing::OpenLog;
using testing::TempAuditDb;
using testing::TestClock;
using testing::TestKey;

v1::TreeHead ReferenceHead() {
  v1::TreeHead head;
  head.set_tree_size(8);
  head.set_timestamp_unix_ms(1796104800000);
  // Root of the 8-entry certificate-transparency reference log.
  head.set_root_hash(
      absl::HexStringToBytes("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"));
  head.set_log_id(kLogId);
  return head;
}

// Pinned with the OpenSSL command line, independently of this code:
//   the signing input (hex below) to msg.bin, the RFC 8032 TEST 1 seed as
//   PKCS#8, then `openssl pkeyutl -sign -inkey key.pem -rawin -in msg.bin`.
TEST(TreeHeadTest, SignatureMatchesPinnedVector) {
  const v1::TreeHead head = ReferenceHead();
  EXPECT_EQ(absl::BytesToHexString(proto::TreeHeadSigningInput(head)),
            "6665646c696e6b2f76312f747265652d68656164000000000000000008000001a230304700"
            "000000205dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
            "0000000b636f6f7264696e61746f72");
  absl::StatusOr<v1::SignedTreeHead> signed_head = SignTreeHead(head, TestKey());
  ASSERT_TRUE(signed_head.ok()) << signed_head.status();
  EXPECT_EQ(absl::BytesToHexString(signed_head->signature()),
            "d411fc883a46cdfb8656b3eeb663c8ec2d194e87261108954666b83d9197c2b1a4a0da14cbcd77"
            "67d99904ddddd23d5a3d44bb30450ab2ffb922fe469c0d800b");
  // key_id = SHA-256 of the raw public key d75a9801…511a.
  EXPECT_EQ(absl::BytesToHexString(signed_head->key_id()),
            "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9");
  EXPECT_TRUE(VerifySignedTreeHead(*signed_head, TestKey().public_key(), kLogId).ok());
}

TEST(TreeHeadTest, AnyChangeToASignedHeadIsRejected) {
  absl::StatusOr<v1::SignedTreeHead> good = SignTreeHead(ReferenceHead(), TestKey());
  ASSERT_TRUE(good.ok());
  const crypto::Ed25519PublicKey key = TestKey().public_key();
  auto rejected = [&](const v1::SignedTreeHead& head, const std::string& what) {
    EXPECT_EQ(VerifySignedTreeHead(head, key, kLogId).code(), absl::StatusCode::kInvalidArgument)
        << what;
  };
  v1::SignedTreeHead h = *good;
  h.mutable_head()->set_tree_size(9);
  rejected(h, "size");
  h = *good;
  h.mutable_head()->set_timestamp_unix_ms(1796104800001);
  rejected(h, "timestamp");
  h = *good;
  (*h.mutable_head()->mutable_root_hash())[31] ^= 1;
  rejected(h, "root");
  h = *good;
  h.mutable_head()->set_log_id("coordinator/b");
  rejected(h, "log id");
  for (size_t bit = 0; bit < 512; bit += 7) {
    h = *good;
    (*h.mutable_signature())[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    rejected(h, absl::StrCat("signature bit ", bit));
  }
  h = *good;
  h.mutable_signature()->pop_back();
  rejected(h, "short signature");
  h = *good;
  h.clear_head();
  rejected(h, "no head");
  // Verified against another key, or another log, or another key's id.
  EXPECT_FALSE(VerifySignedTreeHead(*good, TestKey(2).public_key(), kLogId).ok());
  EXPECT_FALSE(VerifySignedTreeHead(*good, key, "agent/health-dept").ok());
  absl::StatusOr<v1::SignedTreeHead> other = SignTreeHead(ReferenceHead(), TestKey(2));
  ASSERT_TRUE(other.ok());
  h = *good;
  h.set_key_id(other->key_id());
  rejected(h, "other key id");
  h = *other;
  h.set_key_id(good->key_id());  // forger claims the log's key id
  rejected(h, "forged signature under the log's key id");
}

TEST(TreeHeadTest, SigningRefusesMalformedHeads) {
  v1::TreeHead head = ReferenceHead();
  head.set_root_hash("short");
  EXPECT_EQ(SignTreeHead(head, TestKey()).status().code(), absl::StatusCode::kInvalidArgument);
  head = ReferenceHead();
  head.set_log_id("Not A Principal");
  EXPECT_EQ(SignTreeHead(head, TestKey()).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Proofs as wire messages, from a real log --------------------------------

class TreeHeadProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLog(db_, &clock_);
    ASSERT_NE(log_, nullptr);
    for (uint64_t i = 0; i < 13; ++i) {
      const v1::AuditEntry entry = MakeEntry(i);
      entries_.push_back(entry.SerializeAsString());
      absl::StatusOr<v1::SignedTreeHead> head = log_->AppendBatchAndSign({entry});
      ASSERT_TRUE(head.ok()) << head.status();
      heads_.push_back(*head);
    }
  }

  const v1::TreeHead& Head(uint64_t size) { return heads_[size - 1].head(); }

  TestClock clock_;
  TempAuditDb db_;
  std::unique_ptr<AuditLog> log_;
  std::vector<std::string> entries_;
  std::vector<v1::SignedTreeHead> heads_;  // heads_[k] has size k + 1
};

// Complements crypto_merkle_test (which mutates the hash lists of the
// reference vectors): here the mutations are of the wire messages a client
// receives, including what only they can get wrong (hash lengths, the
// proof's own sizes disagreeing with the heads).
TEST_F(TreeHeadProofTest, EveryMutatedInclusionProofIsRejected) {
  for (uint64_t size : {1, 2, 5, 8, 13}) {
    for (uint64_t index = 0; index < size; ++index) {
      SCOPED_TRACE(absl::StrCat("leaf ", index, " of ", size));
      absl::StatusOr<v1::InclusionProof> good = log_->InclusionProof(index, size);
      ASSERT_TRUE(good.ok()) << good.status();
      const std::string& entry = entries_[index];
      ASSERT_TRUE(VerifyInclusionProof(*good, entry, Head(size)).ok());
      auto rejected = [&](const v1::InclusionProof& proof, const v1::TreeHead& head,
                          const std::string& what) {
        EXPECT_FALSE(VerifyInclusionProof(proof, entry, head).ok()) << what;
      };
      v1::InclusionProof p;
      for (uint64_t other : {index + 1, index - 1, index ^ 1, index ^ 2}) {
        if (other == index) continue;
        p = *good;
        p.set_leaf_index(other);
        rejected(p, Head(size), absl::StrCat("index ", other));
      }
      for (uint64_t other_size : {size + 1, size - 1, 2 * size}) {
        if (other_size == 0 || other_size > 13) continue;
        p = *good;
        p.set_tree_size(other_size);
        rejected(p, Head(size), absl::StrCat("proof size ", other_size));
        rejected(p, Head(other_size), absl::StrCat("proof and head size ", other_size));
      }
      for (int node = 0; node < good->path_size(); ++node) {
        for (int bit = 0; bit < 256; ++bit) {
          p = *good;
          (*p.mutable_path(node))[bit / 8] ^= static_cast<char>(1 << (bit % 8));
          rejected(p, Head(size), absl::StrCat("path[", node, "] bit ", bit));
        }
        p = *good;
        p.mutable_path(node)->pop_back();
        rejected(p, Head(size), absl::StrCat("path[", node, "] 31 bytes"));
        p = *good;
        p.mutable_path(node)->push_back('\0');
        rejected(p, Head(size), absl::StrCat("path[", node, "] 33 bytes"));
      }
      if (good->path_size() > 0) {
        p = *good;
        p.mutable_path()->RemoveLast();
        rejected(p, Head(size), "truncated");
        p = *good;
        p.mutable_path()->erase(p.mutable_path()->begin());
        rejected(p, Head(size), "first node removed");
      }
      p = *good;
      p.add_path(std::string(32, '\0'));
      rejected(p, Head(size), "extended");
      p = *good;
      *p.add_path() = Head(size).root_hash();
      rejected(p, Head(size), "extended by the root");
      p = *good;
      for (int k = 0; k < 65; ++k) p.add_path(std::string(32, 'x'));
      rejected(p, Head(size), "65 hashes");
      EXPECT_FALSE(VerifyInclusionProof(*good, entries_[(index + 1) % 13], Head(size)).ok())
          << "other entry";
    }
  }
}

TEST_F(TreeHeadProofTest, EveryMutatedConsistencyProofIsRejected) {
  for (uint64_t new_size : {2, 7, 8, 13}) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      SCOPED_TRACE(absl::StrCat(old_size, " -> ", new_size));
      absl::StatusOr<v1::ConsistencyProof> good = log_->ConsistencyProof(old_size, new_size);
      ASSERT_TRUE(good.ok()) << good.status();
      ASSERT_TRUE(VerifyConsistencyProof(*good, Head(old_size), Head(new_size)).ok());
      auto rejected = [&](const v1::ConsistencyProof& proof, const v1::TreeHead& old_head,
                          const v1::TreeHead& new_head, const std::string& what) {
        EXPECT_FALSE(VerifyConsistencyProof(proof, old_head, new_head).ok()) << what;
      };
      v1::ConsistencyProof p;
      for (uint64_t other : {old_size - 1, old_size + 1}) {
        if (other == 0 || other >= new_size) continue;
        p = *good;
        p.set_first_size(other);
        rejected(p, Head(old_size), Head(new_size), absl::StrCat("first size ", other));
        rejected(p, Head(other), Head(new_size), absl::StrCat("first size and head ", other));
      }
      for (uint64_t other : {new_size - 1, new_size + 1}) {
        if (other <= old_size || other > 13) continue;
        p = *good;
        p.set_second_size(other);
        rejected(p, Head(old_size), Head(new_size), absl::StrCat("second size ", other));
        rejected(p, Head(old_size), Head(other), absl::StrCat("second size and head ", other));
      }
      rejected(*good, Head(new_size), Head(old_size), "heads swapped");
      for (int node = 0; node < good->path_size(); ++node) {
        for (int bit = 0; bit < 256; ++bit) {
          p = *good;
          (*p.mutable_path(node))[bit / 8] ^= static_cast<char>(1 << (bit % 8));
          rejected(p, Head(old_size), Head(new_size), absl::StrCat("path[", node, "] bit ", bit));
        }
        p = *good;
        p.mutable_path(node)->pop_back();
        rejected(p, Head(old_size), Head(new_size), absl::StrCat("path[", node, "] 31 bytes"));
      }
      p = *good;
      p.mutable_path()->RemoveLast();
      rejected(p, Head(old_size), Head(new_size), "truncated");
      p = *good;
      p.add_path(std::string(32, '\0'));
      rejected(p, Head(old_size), Head(new_size), "extended");
      p = *good;
      *p.add_path() = Head(new_size).root_hash();
      rejected(p, Head(old_size), Head(new_size), "extended by the new root");
    }
  }
}

// --- Receipts (the agent's side) ---------------------------------------------

TEST_F(TreeHeadProofTest, ReceiptsAcceptGrowthAndCatchRollbackAndForks) {
  const crypto::Ed25519PublicKey key = TestKey().public_key();
  v1::Receipt first;
  *first.mutable_tree_head() = heads_[4];  // size 5
  ASSERT_TRUE(VerifyReceipt(first, key, kLogId, nullptr).ok());

  v1::Receipt grown;
  *grown.mutable_tree_head() = heads_[11];  // size 12
  absl::StatusOr<v1::ConsistencyProof> proof = log_->ConsistencyProof(5, 12);
  ASSERT_TRUE(proof.ok());
  *grown.mutable_consistency() = *proof;
  EXPECT_TRUE(VerifyReceipt(grown, key, kLogId, &heads_[4]).ok());

  v1::Receipt same;
  *same.mutable_tree_head() = heads_[4];
  EXPECT_TRUE(VerifyReceipt(same, key, kLogId, &heads_[4]).ok());

  // The coordinator shows an older, smaller head: rolled back.
  EXPECT_FALSE(VerifyReceipt(first, key, kLogId, &heads_[11]).ok());
  // Growth without a proof, or with a proof for other sizes.
  v1::Receipt unproven = grown;
  unproven.clear_consistency();
  EXPECT_FALSE(VerifyReceipt(unproven, key, kLogId, &heads_[4]).ok());
  EXPECT_FALSE(VerifyReceipt(grown, key, kLogId, &heads_[5]).ok());
  // A fork: another root signed at the same size by the log's own key.
  v1::TreeHead forked = heads_[4].head();
  (*forked.mutable_root_hash())[0] ^= 1;
  absl::StatusOr<v1::SignedTreeHead> forked_signed = SignTreeHead(forked, TestKey());
  ASSERT_TRUE(forked_signed.ok());
  v1::Receipt fork;
  *fork.mutable_tree_head() = *forked_signed;
  EXPECT_TRUE(VerifyReceipt(fork, key, kLogId, nullptr).ok());  // alone it looks fine
  EXPECT_FALSE(VerifyReceipt(fork, key, kLogId, &heads_[4]).ok());
  // Signed by someone else, or no head at all.
  absl::StatusOr<v1::SignedTreeHead> impostor = SignTreeHead(heads_[11].head(), TestKey(2));
  ASSERT_TRUE(impostor.ok());
  v1::Receipt impostor_receipt = grown;
  *impostor_receipt.mutable_tree_head() = *impostor;
  EXPECT_FALSE(VerifyReceipt(impostor_receipt, key, kLogId, &heads_[4]).ok());
  EXPECT_FALSE(VerifyReceipt(v1::Receipt(), key, kLogId, nullptr).ok());
}

}  // namespace
}  // namespace fedlink::audit
