// A job whose approval is forged never starts. With the agent certificate
// of health (what a compromised host or a stolen certificate gives), the
// test sends SubmitDecision approvals that are not health's steward's:
// signed by another key, with a flipped signature bit, re-pointed to a
// different spec after signing, and health's genuine-looking approval sent
// over edu's connection. Each is refused, the job stays PENDING_APPROVAL
// and edu (which did approve) is never asked to encode. Then health's
// steward approves with `fedlink-agent jobs approve`, the job completes,
// and `fedlink audit verify` (the auditor's CLI, checking every decision
// signature against the agencies' registered keys) accepts the log.
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/signing_input.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

using ::testing::HasSubstr;

void SignWith(const crypto::Ed25519PrivateKey& key, v1::SignedDecision& decision) {
  absl::StatusOr<crypto::Ed25519Signature> signature =
      key.Sign(proto::DecisionSigningInput(decision));
  ASSERT_TRUE(signature.ok()) << signature.status();
  decision.set_signature(std::string(signature->begin(), signature->end()));
}

grpc::Status Submit(v1::Coordinator::Stub& stub, const v1::SignedDecision& decision) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SubmitDecisionRequest request;
  *request.mutable_decision() = decision;
  v1::SubmitDecisionResponse response;
  return stub.SubmitDecision(&context, request, &response);
}

TEST(ForgedApprovalTest, ForgedApprovalsAreRefusedAndTheJobNeverStarts) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 20)}, {"health", Range(10, 30)}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "Approval forgery";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.parties = {{"edu", {"program"}}, {"health", {"program"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();
  CommandResult approved = cluster.Approve("edu", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  // health's agent has the job too, waiting for its steward.
  ASSERT_TRUE(cluster.WaitForAgentJob("health", *job_id, [](const v1::AgentJob&) {
    return true;
  }).ok());
  absl::StatusOr<v1::Job> pending = cluster.GetJob(*job_id);
  ASSERT_TRUE(pending.ok()) << pending.status();

  absl::StatusOr<crypto::Ed25519PrivateKey> health_key = crypto::Ed25519PrivateKey::FromPem(
      ReadFileBytes(cluster.agent_data_dir("health") / "signing_key.pem"));
  ASSERT_TRUE(health_key.ok()) << health_key.status();
  absl::StatusOr<crypto::Ed25519PrivateKey> other_key = crypto::Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other_key.ok());

  v1::SignedDecision base;
  base.set_job_id(*job_id);
  base.set_agency("health");
  base.set_job_spec_sha256(pending->job_spec_sha256());
  base.set_verdict(v1::VERDICT_APPROVE);
  base.set_steward("health/mallory");
  base.set_decided_at_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
  base.set_key_id(proto::DecisionKeyId(health_key->public_key()));

  std::unique_ptr<v1::Coordinator::Stub> as_health = cluster.CoordinatorStub("agent/health");
  std::unique_ptr<v1::Coordinator::Stub> as_edu = cluster.CoordinatorStub("agent/edu");
  ASSERT_NE(as_health, nullptr);

  v1::SignedDecision wrong_key = base;
  SignWith(*other_key, wrong_key);
  v1::SignedDecision flipped = base;
  SignWith(*health_key, flipped);
  flipped.mutable_signature()->at(7) ^= 0x01;
  v1::SignedDecision other_spec = base;
  SignWith(*health_key, other_spec);
  other_spec.mutable_job_spec_sha256()->at(0) ^= 0x01;
  v1::SignedDecision relayed = base;
  SignWith(*health_key, relayed);

  struct Attempt {
    const char* what;
    v1::Coordinator::Stub* stub;
    const v1::SignedDecision* decision;
  };
  for (const Attempt& attempt :
       {Attempt{"signed by another key", as_health.get(), &wrong_key},
        Attempt{"signature bit flipped", as_health.get(), &flipped},
        Attempt{"spec hash changed after signing", as_health.get(), &other_spec},
        Attempt{"health's approval over edu's connection", as_edu.get(), &relayed}}) {
    const grpc::Status status = Submit(*attempt.stub, *attempt.decision);
    EXPECT_FALSE(status.ok()) << attempt.what << " was accepted";
    absl::StatusOr<v1::Job> now = cluster.GetJob(*job_id);
    ASSERT_TRUE(now.ok()) << now.status();
    EXPECT_EQ(now->state(), v1::JOB_STATE_PENDING_APPROVAL) << attempt.what;
    EXPECT_EQ(now->parties(1).verdict(), v1::VERDICT_UNSPECIFIED) << attempt.what;
  }

  // Nothing started: edu, which approved, was never sent the job nonce.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  absl::StatusOr<v1::AgentJob> edu = cluster.AgentJob("edu", *job_id);
  ASSERT_TRUE(edu.ok()) << edu.status();
  EXPECT_EQ(edu->state(), v1::AGENT_JOB_STATE_APPROVED);
  EXPECT_EQ(edu->records_uploaded(), 0u);

  // The real steward's approval goes through, and the job runs.
  approved = cluster.Approve("health", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();
  absl::StatusOr<v1::AgentJob> health = cluster.AgentJob("health", *job_id);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->decision().steward(), "health/sam");

  // The refusals are on the record, and the log verifies.
  CommandResult denials = cluster.RunAuditorCli({"audit", "denials"});
  EXPECT_EQ(denials.exit_code, 0) << denials.Describe();
  int refused_decisions = 0, refused_calls = 0;
  for (absl::string_view line : absl::StrSplit(denials.out, '\n')) {
    if (absl::StrContains(line, "decision_received") && absl::StrContains(line, "refused") &&
        absl::StrContains(line, *job_id)) {
      ++refused_decisions;
    }
    if (absl::StrContains(line, "call_refused") && absl::StrContains(line, "SubmitDecision")) {
      ++refused_calls;
    }
  }
  EXPECT_EQ(refused_decisions, 3) << denials.out;
  EXPECT_EQ(refused_calls, 1) << denials.out;
  CommandResult verify = cluster.RunAuditorCli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

}  // namespace
}  // namespace fedlink::e2e
