// The role × RPC matrix of coordinator/README.md ("Who may call what"),
// walked against the real fedlink-coordinator over mutual TLS: every
// identity of every role calls every RPC of fedlink.v1.Coordinator, and
// each answer is asserted — PERMISSION_DENIED where the table says no (and
// a CALL_REFUSED audit entry for it), and where it says yes the exact code
// of a call that got past authorization (OK, or the job's state refusing
// it). Cross-agency (an agent acting on a job only other agencies are
// party to, or naming another agency; a steward reading another agency's
// job) and cross-analyst (bob reading, fetching or cancelling alice's job)
// attempts are rows like any other.
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/peer_identity.h"
#include "proto/runtime/signing_input.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::fedlink::testing::CoordinatorProcess;
using ::fedlink::testing::DeadlineIn;
using ::grpc::StatusCode;

// ---------------------------------------------------------------- identities
// Agents of two registered agencies and of an unregistered one, a steward of
// each registered agency, two registered analysts and an unregistered one,
// an auditor and an operator. A third agency, tax, is registered without
// any certificate: it is the other party of health's job.
constexpr char kAgentEdu[] = "agent/edu";
constexpr char kAgentHealth[] = "agent/health";
constexpr char kAgentGhost[] = "agent/ghost";
constexpr char kStewardEdu[] = "steward/edu/sam";
constexpr char kStewardHealth[] = "steward/health/hana";
constexpr char kAlice[] = "analyst/alice";
constexpr char kBob[] = "analyst/bob";
constexpr char kCarol[] = "analyst/carol";
constexpr char kAuditor[] = "auditor/audrey";
constexpr char kOperator[] = "operator/ops";

enum class Rpc {
  kWatchWork, kSubmitDecision, kUploadEncodings, kFetchAssignments, kUploadPayload, kAckPurge,
  kAbandonJob,
  kSubmitJob, kGetJob, kListJobs, kCancelJob, kFetchResults,
  kListAuditEntries, kGetSignedTreeHead, kGetInclusionProof, kGetConsistencyProof,
  kListJobSummaries, kListRegistrations, kReloadConfig, kGetStatus,
};

std::string RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kWatchWork: return "WatchWork";
    case Rpc::kSubmitDecision: return "SubmitDecision";
    case Rpc::kUploadEncodings: return "UploadEncodings";
    case Rpc::kFetchAssignments: return "FetchAssignments";
    case Rpc::kUploadPayload: return "UploadPayload";
    case Rpc::kAckPurge: return "AckPurge";
    case Rpc::kAbandonJob: return "AbandonJob";
    case Rpc::kSubmitJob: return "SubmitJob";
    case Rpc::kGetJob: return "GetJob";
    case Rpc::kListJobs: return "ListJobs";
    case Rpc::kCancelJob: return "CancelJob";
    case Rpc::kFetchResults: return "FetchResults";
    case Rpc::kListAuditEntries: return "ListAuditEntries";
    case Rpc::kGetSignedTreeHead: return "GetSignedTreeHead";
    case Rpc::kGetInclusionProof: return "GetInclusionProof";
    case Rpc::kGetConsistencyProof: return "GetConsistencyProof";
    case Rpc::kListJobSummaries: return "ListJobSummaries";
    case Rpc::kListRegistrations: return "ListRegistrations";
    case Rpc::kReloadConfig: return "ReloadConfig";
    case Rpc::kGetStatus: return "GetStatus";
  }
  return "?";
}

// What a call names. Agents act for their own agency unless the target says
// otherwise; other roles' request bodies name agency edu (they are refused
// by role before the body matters).
enum class Target {
  kNone,            // the RPC names no job
  kEduHealthJob,    // alice's job; parties edu and health
  kHealthTaxJob,    // bob's job; parties health and tax
  kEduHealthJobForOtherParty,  // alice's job, the body naming the other party
  kUnknownJob,      // no such job: the same answer as someone else's
  kAliceSpareJob,   // alice's, for her cancellation
  kBobSpareJob,     // bob's, for the operator's cancellation
};

std::string TargetName(Target target) {
  switch (target) {
    case Target::kNone: return "-";
    case Target::kEduHealthJob: return "alice's edu+health job";
    case Target::kHealthTaxJob: return "bob's health+tax job";
    case Target::kEduHealthJobForOtherParty: return "alice's edu+health job, naming the other party";
    case Target::kUnknownJob: return "a job that does not exist";
    case Target::kAliceSpareJob: return "alice's spare job";
    case Target::kBobSpareJob: return "bob's spare job";
  }
  return "?";
}

struct Row {
  const char* who;
  Rpc rpc;
  Target target;
  // PERMISSION_DENIED: refused by the access rules. Anything else: the call
  // got past them, and this is the exact answer.
  StatusCode expected;
};

constexpr StatusCode kDenied = StatusCode::PERMISSION_DENIED;
constexpr StatusCode kOk = StatusCode::OK;
// Allowed, but refused by the job's state (pending approval, not complete…).
constexpr StatusCode kWrongState = StatusCode::FAILED_PRECONDITION;

using R = Rpc;
using T = Target;

// clang-format off
const Row kMatrix[] = {
    // ---- agent RPCs: own agency, jobs it is party to ----
    {kAgentEdu,      R::kWatchWork, T::kNone, kOk},
    {kAgentHealth,   R::kWatchWork, T::kNone, kOk},
    {kAgentGhost,    R::kWatchWork, T::kNone, kDenied},  // no registered agency
    {kStewardEdu,    R::kWatchWork, T::kNone, kDenied},
    {kStewardHealth, R::kWatchWork, T::kNone, kDenied},
    {kAlice,         R::kWatchWork, T::kNone, kDenied},
    {kBob,           R::kWatchWork, T::kNone, kDenied},
    {kAuditor,       R::kWatchWork, T::kNone, kDenied},
    {kOperator,      R::kWatchWork, T::kNone, kDenied},

    {kAgentEdu,      R::kSubmitDecision, T::kEduHealthJob, kOk},  // signed approval
    {kAgentHealth,   R::kSubmitDecision, T::kHealthTaxJob, kOk},
    {kAgentEdu,      R::kSubmitDecision, T::kHealthTaxJob, kDenied},  // not a party
    {kAgentEdu,      R::kSubmitDecision, T::kEduHealthJobForOtherParty, kDenied},  // health's decision
    {kAgentEdu,      R::kSubmitDecision, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kSubmitDecision, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kSubmitDecision, T::kEduHealthJob, kDenied},  // stewards sign; agents submit
    {kStewardHealth, R::kSubmitDecision, T::kEduHealthJob, kDenied},
    {kAlice,         R::kSubmitDecision, T::kEduHealthJob, kDenied},
    {kBob,           R::kSubmitDecision, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kSubmitDecision, T::kEduHealthJob, kDenied},
    {kOperator,      R::kSubmitDecision, T::kEduHealthJob, kDenied},

    {kAgentEdu,      R::kUploadEncodings, T::kEduHealthJob, kWrongState},  // not ENCODING yet
    {kAgentHealth,   R::kUploadEncodings, T::kEduHealthJob, kWrongState},
    {kAgentHealth,   R::kUploadEncodings, T::kHealthTaxJob, kWrongState},
    {kAgentEdu,      R::kUploadEncodings, T::kHealthTaxJob, kDenied},
    {kAgentEdu,      R::kUploadEncodings, T::kEduHealthJobForOtherParty, kDenied},
    {kAgentEdu,      R::kUploadEncodings, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kAlice,         R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kBob,           R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kUploadEncodings, T::kEduHealthJob, kDenied},
    {kOperator,      R::kUploadEncodings, T::kEduHealthJob, kDenied},

    {kAgentEdu,      R::kFetchAssignments, T::kEduHealthJob, kWrongState},  // not matched yet
    {kAgentHealth,   R::kFetchAssignments, T::kHealthTaxJob, kWrongState},
    {kAgentEdu,      R::kFetchAssignments, T::kHealthTaxJob, kDenied},
    {kAgentEdu,      R::kFetchAssignments, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kAlice,         R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kBob,           R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kFetchAssignments, T::kEduHealthJob, kDenied},
    {kOperator,      R::kFetchAssignments, T::kEduHealthJob, kDenied},

    {kAgentEdu,      R::kUploadPayload, T::kEduHealthJob, kWrongState},  // not RELEASING yet
    {kAgentHealth,   R::kUploadPayload, T::kHealthTaxJob, kWrongState},
    {kAgentEdu,      R::kUploadPayload, T::kHealthTaxJob, kDenied},
    {kAgentEdu,      R::kUploadPayload, T::kEduHealthJobForOtherParty, kDenied},
    {kAgentEdu,      R::kUploadPayload, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kAlice,         R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kBob,           R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kUploadPayload, T::kEduHealthJob, kDenied},
    {kOperator,      R::kUploadPayload, T::kEduHealthJob, kDenied},

    {kAgentEdu,      R::kAckPurge, T::kEduHealthJob, kWrongState},  // the job has not ended
    {kAgentHealth,   R::kAckPurge, T::kHealthTaxJob, kWrongState},
    {kAgentEdu,      R::kAckPurge, T::kHealthTaxJob, kDenied},
    {kAgentEdu,      R::kAckPurge, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kAckPurge, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kAckPurge, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kAckPurge, T::kEduHealthJob, kDenied},
    {kAlice,         R::kAckPurge, T::kEduHealthJob, kDenied},
    {kBob,           R::kAckPurge, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kAckPurge, T::kEduHealthJob, kDenied},
    {kOperator,      R::kAckPurge, T::kEduHealthJob, kDenied},

    {kAgentEdu,      R::kAbandonJob, T::kEduHealthJob, kWrongState},  // not approved yet
    {kAgentHealth,   R::kAbandonJob, T::kEduHealthJob, kWrongState},
    {kAgentHealth,   R::kAbandonJob, T::kHealthTaxJob, kWrongState},
    {kAgentEdu,      R::kAbandonJob, T::kHealthTaxJob, kDenied},  // not a party
    {kAgentEdu,      R::kAbandonJob, T::kUnknownJob, kDenied},
    {kAgentGhost,    R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kAlice,         R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kBob,           R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kAbandonJob, T::kEduHealthJob, kDenied},
    {kOperator,      R::kAbandonJob, T::kEduHealthJob, kDenied},

    // ---- SubmitJob: registered analysts with valid training ----
    {kAlice,         R::kSubmitJob, T::kNone, kOk},
    {kBob,           R::kSubmitJob, T::kNone, kOk},
    {kCarol,         R::kSubmitJob, T::kNone, kDenied},  // not in the analyst registry
    {kAgentEdu,      R::kSubmitJob, T::kNone, kDenied},
    {kAgentHealth,   R::kSubmitJob, T::kNone, kDenied},
    {kStewardEdu,    R::kSubmitJob, T::kNone, kDenied},
    {kStewardHealth, R::kSubmitJob, T::kNone, kDenied},
    {kAuditor,       R::kSubmitJob, T::kNone, kDenied},
    {kOperator,      R::kSubmitJob, T::kNone, kDenied},

    // ---- GetJob, ListJobs: analysts their own jobs, stewards their agency's ----
    {kAlice,         R::kGetJob, T::kEduHealthJob, kOk},
    {kBob,           R::kGetJob, T::kHealthTaxJob, kOk},
    {kBob,           R::kGetJob, T::kEduHealthJob, kDenied},  // alice's
    {kAlice,         R::kGetJob, T::kHealthTaxJob, kDenied},  // bob's
    {kCarol,         R::kGetJob, T::kEduHealthJob, kDenied},
    {kAlice,         R::kGetJob, T::kUnknownJob, kDenied},
    {kStewardEdu,    R::kGetJob, T::kEduHealthJob, kOk},
    {kStewardHealth, R::kGetJob, T::kEduHealthJob, kOk},
    {kStewardHealth, R::kGetJob, T::kHealthTaxJob, kOk},
    {kStewardEdu,    R::kGetJob, T::kHealthTaxJob, kDenied},  // edu is not a party
    {kStewardEdu,    R::kGetJob, T::kUnknownJob, kDenied},
    {kAgentEdu,      R::kGetJob, T::kEduHealthJob, kDenied},
    {kAgentHealth,   R::kGetJob, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kGetJob, T::kEduHealthJob, kDenied},  // summaries only
    {kOperator,      R::kGetJob, T::kEduHealthJob, kDenied},

    // (ListJobs answers are also checked to hold only the caller's jobs.)
    {kAlice,         R::kListJobs, T::kNone, kOk},
    {kBob,           R::kListJobs, T::kNone, kOk},
    {kCarol,         R::kListJobs, T::kNone, kOk},  // an empty list
    {kStewardEdu,    R::kListJobs, T::kNone, kOk},
    {kStewardHealth, R::kListJobs, T::kNone, kOk},
    {kAgentEdu,      R::kListJobs, T::kNone, kDenied},
    {kAgentHealth,   R::kListJobs, T::kNone, kDenied},
    {kAuditor,       R::kListJobs, T::kNone, kDenied},
    {kOperator,      R::kListJobs, T::kNone, kDenied},

    // ---- CancelJob: the job's analyst, or an operator (any job) ----
    {kBob,           R::kCancelJob, T::kEduHealthJob, kDenied},  // alice's
    {kAlice,         R::kCancelJob, T::kHealthTaxJob, kDenied},  // bob's
    {kAlice,         R::kCancelJob, T::kUnknownJob, kDenied},
    {kStewardEdu,    R::kCancelJob, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kCancelJob, T::kEduHealthJob, kDenied},
    {kAgentEdu,      R::kCancelJob, T::kEduHealthJob, kDenied},
    {kAgentHealth,   R::kCancelJob, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kCancelJob, T::kEduHealthJob, kDenied},
    {kOperator,      R::kCancelJob, T::kUnknownJob, kDenied},
    {kAlice,         R::kCancelJob, T::kAliceSpareJob, kOk},
    {kOperator,      R::kCancelJob, T::kBobSpareJob, kOk},

    // ---- FetchResults: the job's analyst only ----
    {kAlice,         R::kFetchResults, T::kEduHealthJob, kWrongState},  // not COMPLETE
    {kBob,           R::kFetchResults, T::kHealthTaxJob, kWrongState},
    {kBob,           R::kFetchResults, T::kEduHealthJob, kDenied},  // alice's
    {kAlice,         R::kFetchResults, T::kUnknownJob, kDenied},
    {kCarol,         R::kFetchResults, T::kEduHealthJob, kDenied},
    {kStewardEdu,    R::kFetchResults, T::kEduHealthJob, kDenied},
    {kStewardHealth, R::kFetchResults, T::kEduHealthJob, kDenied},
    {kAgentEdu,      R::kFetchResults, T::kEduHealthJob, kDenied},
    {kAgentHealth,   R::kFetchResults, T::kEduHealthJob, kDenied},
    {kAuditor,       R::kFetchResults, T::kEduHealthJob, kDenied},
    {kOperator,      R::kFetchResults, T::kEduHealthJob, kDenied},

    // ---- the audit log: auditors ----
    {kAuditor,       R::kListAuditEntries, T::kNone, kOk},
    {kAgentEdu,      R::kListAuditEntries, T::kNone, kDenied},
    {kAgentHealth,   R::kListAuditEntries, T::kNone, kDenied},
    {kStewardEdu,    R::kListAuditEntries, T::kNone, kDenied},
    {kStewardHealth, R::kListAuditEntries, T::kNone, kDenied},
    {kAlice,         R::kListAuditEntries, T::kNone, kDenied},
    {kBob,           R::kListAuditEntries, T::kNone, kDenied},
    {kOperator,      R::kListAuditEntries, T::kNone, kDenied},

    {kAuditor,       R::kGetSignedTreeHead, T::kNone, kOk},
    {kAgentEdu,      R::kGetSignedTreeHead, T::kNone, kDenied},
    {kAgentHealth,   R::kGetSignedTreeHead, T::kNone, kDenied},
    {kStewardEdu,    R::kGetSignedTreeHead, T::kNone, kDenied},
    {kStewardHealth, R::kGetSignedTreeHead, T::kNone, kDenied},
    {kAlice,         R::kGetSignedTreeHead, T::kNone, kDenied},
    {kBob,           R::kGetSignedTreeHead, T::kNone, kDenied},
    {kOperator,      R::kGetSignedTreeHead, T::kNone, kDenied},

    {kAuditor,       R::kGetInclusionProof, T::kNone, kOk},
    {kAgentEdu,      R::kGetInclusionProof, T::kNone, kDenied},
    {kAgentHealth,   R::kGetInclusionProof, T::kNone, kDenied},
    {kStewardEdu,    R::kGetInclusionProof, T::kNone, kDenied},
    {kStewardHealth, R::kGetInclusionProof, T::kNone, kDenied},
    {kAlice,         R::kGetInclusionProof, T::kNone, kDenied},
    {kBob,           R::kGetInclusionProof, T::kNone, kDenied},
    {kOperator,      R::kGetInclusionProof, T::kNone, kDenied},

    {kAuditor,       R::kGetConsistencyProof, T::kNone, kOk},
    {kAgentEdu,      R::kGetConsistencyProof, T::kNone, kDenied},
    {kAgentHealth,   R::kGetConsistencyProof, T::kNone, kDenied},
    {kStewardEdu,    R::kGetConsistencyProof, T::kNone, kDenied},
    {kStewardHealth, R::kGetConsistencyProof, T::kNone, kDenied},
    {kAlice,         R::kGetConsistencyProof, T::kNone, kDenied},
    {kBob,           R::kGetConsistencyProof, T::kNone, kDenied},
    {kOperator,      R::kGetConsistencyProof, T::kNone, kDenied},

    // ---- job summaries: auditors and operators ----
    {kAuditor,       R::kListJobSummaries, T::kNone, kOk},
    {kOperator,      R::kListJobSummaries, T::kNone, kOk},
    {kAgentEdu,      R::kListJobSummaries, T::kNone, kDenied},
    {kAgentHealth,   R::kListJobSummaries, T::kNone, kDenied},
    {kStewardEdu,    R::kListJobSummaries, T::kNone, kDenied},
    {kStewardHealth, R::kListJobSummaries, T::kNone, kDenied},
    {kAlice,         R::kListJobSummaries, T::kNone, kDenied},
    {kBob,           R::kListJobSummaries, T::kNone, kDenied},

    // ---- operators ----
    {kOperator,      R::kListRegistrations, T::kNone, kOk},
    {kAgentEdu,      R::kListRegistrations, T::kNone, kDenied},
    {kAgentHealth,   R::kListRegistrations, T::kNone, kDenied},
    {kStewardEdu,    R::kListRegistrations, T::kNone, kDenied},
    {kStewardHealth, R::kListRegistrations, T::kNone, kDenied},
    {kAlice,         R::kListRegistrations, T::kNone, kDenied},
    {kBob,           R::kListRegistrations, T::kNone, kDenied},
    {kAuditor,       R::kListRegistrations, T::kNone, kDenied},

    {kOperator,      R::kReloadConfig, T::kNone, kOk},
    {kAgentEdu,      R::kReloadConfig, T::kNone, kDenied},
    {kAgentHealth,   R::kReloadConfig, T::kNone, kDenied},
    {kStewardEdu,    R::kReloadConfig, T::kNone, kDenied},
    {kStewardHealth, R::kReloadConfig, T::kNone, kDenied},
    {kAlice,         R::kReloadConfig, T::kNone, kDenied},
    {kBob,           R::kReloadConfig, T::kNone, kDenied},
    {kAuditor,       R::kReloadConfig, T::kNone, kDenied},

    {kOperator,      R::kGetStatus, T::kNone, kOk},
    {kAgentEdu,      R::kGetStatus, T::kNone, kDenied},
    {kAgentHealth,   R::kGetStatus, T::kNone, kDenied},
    {kStewardEdu,    R::kGetStatus, T::kNone, kDenied},
    {kStewardHealth, R::kGetStatus, T::kNone, kDenied},
    {kAlice,         R::kGetStatus, T::kNone, kDenied},
    {kBob,           R::kGetStatus, T::kNone, kDenied},
    {kAuditor,       R::kGetStatus, T::kNone, kDenied},
};
// clang-format on

std::string RowText(const Row& row) {
  return absl::StrCat(row.who, " ", RpcName(row.rpc), " on ", TargetName(row.target));
}

// The role part of "agent/edu" etc.
std::string RoleOf(const std::string& who) { return who.substr(0, who.find('/')); }
// "edu" for "agent/edu" and "steward/edu/sam"; empty for other roles.
std::string AgencyOf(const std::string& who) {
  std::vector<std::string> parts = absl::StrSplit(who, '/');
  if (parts[0] == "agent" || parts[0] == "steward") return parts[1];
  return "";
}

class CoordinatorRoleMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-role-matrix-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = new fs::path(pattern);
    testing::CommandOutput pki = testing::RunCommand(absl::StrCat(
        "'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", (*dir_ / "pki").string(),
        "' --coordinator coord --agent edu --agent health --agent ghost",
        " --steward edu/sam --steward health/hana --analyst alice --analyst bob --analyst carol",
        " --auditor audrey --operator ops"));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;
    keys_ = new std::map<std::string, crypto::Ed25519PrivateKey>;
    // ghost's key signs its decisions but is registered nowhere.
    for (const char* agency : {"edu", "health", "tax", "ghost"}) {
      absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(*dir_ / absl::StrCat(agency, ".pub")) << key->public_key().ToPem().value();
      keys_->emplace(agency, *std::move(key));
    }
    port_ = testing::FreeLoopbackPort();
    std::ofstream(*dir_ / "coordinator.yaml") << absl::StrCat(
        "version: 1\nlisten: 127.0.0.1:", port_, "\ndata_dir: data\n",
        "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n"
        "  key: pki/coordinator/coord.key\n",
        "agencies:\n  - id: edu\n    decision_key: edu.pub\n",
        "  - id: health\n    decision_key: health.pub\n",
        "  - id: tax\n    decision_key: tax.pub\n",
        "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n",
        "  - name: bob\n    training_expires: 2099-12-31\n");
    daemon_ = new CoordinatorProcess(*dir_ / "coordinator.yaml", *dir_ / "daemon.log");
    std::string why;
    ASSERT_TRUE(daemon_->Start(Files(kOperator), port_, &why)) << why;

    jobs_ = new std::map<Target, v1::Job>;
    ASSERT_TRUE(SubmitSetupJob(kAlice, {"edu", "health"}, Target::kEduHealthJob));
    ASSERT_TRUE(SubmitSetupJob(kBob, {"health", "tax"}, Target::kHealthTaxJob));
    ASSERT_TRUE(SubmitSetupJob(kAlice, {"edu", "health"}, Target::kAliceSpareJob));
    ASSERT_TRUE(SubmitSetupJob(kBob, {"health", "tax"}, Target::kBobSpareJob));
  }

  static void TearDownTestSuite() {
    delete daemon_;
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete keys_;
    delete jobs_;
    delete stubs_;
  }

  static proto::TlsFiles Files(const std::string& who) {
    return testing::PkiFiles(*dir_ / "pki", who);
  }

  // One channel per identity, reused by its calls.
  static v1::Coordinator::Stub& Stub(const std::string& who) {
    if (stubs_ == nullptr) stubs_ = new std::map<std::string, std::unique_ptr<v1::Coordinator::Stub>>;
    std::unique_ptr<v1::Coordinator::Stub>& stub = (*stubs_)[who];
    if (stub == nullptr) stub = testing::CoordinatorStub(Files(who), port_);
    return *stub;
  }

  static v1::JobSpec Spec(const std::vector<std::string>& agencies) {
    v1::JobSpec spec;
    spec.set_title("Role matrix");
    spec.set_purpose("Access rule test");
    spec.set_irb_reference("IRB-1");
    spec.set_data_sharing_agreement("DSA-1");
    spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
    for (const std::string& agency : agencies) spec.add_parties()->set_agency(agency);
    spec.mutable_parties(0)->add_columns("outcome");
    spec.set_method(v1::LINKAGE_METHOD_TOKENS);
    *spec.mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
    spec.set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
    spec.mutable_analyst_key()->set_x25519_public_key(std::string(32, '\x05'));
    spec.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_CHACHA20_POLY1305);
    return spec;
  }

  static bool SubmitSetupJob(const std::string& who, const std::vector<std::string>& agencies,
                             Target target) {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    v1::SubmitJobRequest request;
    *request.mutable_spec() = Spec(agencies);
    v1::Job job;
    grpc::Status status = Stub(who).SubmitJob(&context, request, &job);
    EXPECT_TRUE(status.ok()) << status.error_message();
    (*jobs_)[target] = job;
    return status.ok();
  }

  // The job a target names (an id that exists nowhere for kUnknownJob).
  static std::string JobId(Target target) {
    if (target == Target::kUnknownJob) return "j00000000000000000000000000000000";
    if (target == Target::kEduHealthJobForOtherParty) target = Target::kEduHealthJob;
    auto it = jobs_->find(target);
    return it == jobs_->end() ? "" : it->second.job_id();
  }

  // The agency a request body names: the caller's, or for
  // kEduHealthJobForOtherParty the other party of alice's job.
  static std::string BodyAgency(const std::string& who, Target target) {
    std::string agency = RoleOf(who) == "agent" ? AgencyOf(who) : "edu";
    if (target == Target::kEduHealthJobForOtherParty) return agency == "edu" ? "health" : "edu";
    return agency;
  }

  // A decision of `agency` on the target job, signed with that agency's key
  // (genuine, so only the access rules can refuse it).
  static v1::SignedDecision Decision(const std::string& agency, Target target) {
    v1::SignedDecision decision;
    decision.set_job_id(JobId(target));
    auto job = jobs_->find(target == Target::kEduHealthJobForOtherParty ? Target::kEduHealthJob
                                                                        : target);
    decision.set_job_spec_sha256(job != jobs_->end() ? job->second.job_spec_sha256()
                                                     : std::string(32, '\x01'));
    decision.set_agency(agency);
    decision.set_verdict(v1::VERDICT_APPROVE);
    decision.set_steward(absl::StrCat(agency, "/steward"));
    decision.set_decided_at_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
    const crypto::Ed25519PrivateKey& key = keys_->at(agency);
    decision.set_key_id(proto::DecisionKeyId(key.public_key()));
    absl::StatusOr<crypto::Ed25519Signature> signature =
        key.Sign(proto::DecisionSigningInput(decision));
    EXPECT_TRUE(signature.ok());
    if (signature.ok()) decision.set_signature(std::string(signature->begin(), signature->end()));
    return decision;
  }

  // Drains a server stream and returns its status code.
  template <typename Item>
  static StatusCode Drain(grpc::ClientReader<Item>& reader) {
    Item item;
    while (reader.Read(&item)) {
    }
    return reader.Finish().error_code();
  }

  // Every job in `jobs` is one `who` may read, and `must_see` are among them.
  static void CheckOnlyOwnJobs(const std::string& who,
                               const google::protobuf::RepeatedPtrField<v1::JobSummary>& jobs,
                               const std::vector<Target>& must_see) {
    const std::string role = RoleOf(who);
    std::vector<std::string> listed;
    for (const v1::JobSummary& job : jobs) {
      listed.push_back(job.job_id());
      if (role == "analyst") {
        EXPECT_EQ(absl::StrCat("analyst/", job.analyst().name()), who)
            << who << " was listed job " << job.job_id() << " of analyst " << job.analyst().name();
      } else {
        EXPECT_THAT(job.agencies(), ::testing::Contains(AgencyOf(who)))
            << who << " was listed job " << job.job_id() << " its agency is not party to";
      }
    }
    for (Target target : must_see) {
      EXPECT_THAT(listed, ::testing::Contains(JobId(target))) << who << " misses " << TargetName(target);
    }
  }

  // Makes the row's call as its identity; returns the status code.
  static StatusCode Call(const Row& row) {
    const std::string who = row.who;
    v1::Coordinator::Stub& stub = Stub(who);
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(15)));
    const std::string job_id = JobId(row.target);
    const std::string agency = BodyAgency(who, row.target);
    switch (row.rpc) {
      case Rpc::kWatchWork: {
        auto reader = stub.WatchWork(&context, v1::WatchWorkRequest());
        v1::WorkItem first;
        if (reader->Read(&first)) {
          // Allowed: the stream opened with the Welcome. Close it.
          EXPECT_TRUE(first.has_welcome()) << RowText(row);
          context.TryCancel();
          reader->Finish();
          return StatusCode::OK;
        }
        return reader->Finish().error_code();
      }
      case Rpc::kSubmitDecision: {
        v1::SubmitDecisionRequest request;
        *request.mutable_decision() = Decision(agency, row.target);
        v1::SubmitDecisionResponse response;
        return stub.SubmitDecision(&context, request, &response).error_code();
      }
      case Rpc::kUploadEncodings: {
        v1::EncodingBatch batch;
        batch.set_job_id(job_id);
        batch.set_agency(agency);
        batch.set_schema_fingerprint(std::string(32, '\x02'));
        batch.set_final_batch(true);
        v1::UploadSummary summary;
        auto writer = stub.UploadEncodings(&context, &summary);
        writer->Write(batch);
        writer->WritesDone();
        return writer->Finish().error_code();
      }
      case Rpc::kFetchAssignments: {
        v1::FetchAssignmentsRequest request;
        request.set_job_id(job_id);
        auto reader = stub.FetchAssignments(&context, request);
        return Drain(*reader);
      }
      case Rpc::kUploadPayload: {
        v1::PayloadChunk chunk;
        chunk.set_job_id(job_id);
        chunk.set_agency(agency);
        chunk.set_kind(v1::PAYLOAD_KIND_ROWS);
        chunk.set_final_chunk(true);
        chunk.set_enc(std::string(32, '\x03'));
        chunk.set_ciphertext(std::string(16, '\x04'));
        v1::PayloadSummary summary;
        auto writer = stub.UploadPayload(&context, &summary);
        writer->Write(chunk);
        writer->WritesDone();
        return writer->Finish().error_code();
      }
      case Rpc::kAckPurge: {
        v1::AckPurgeRequest request;
        request.set_job_id(job_id);
        v1::AckPurgeResponse response;
        return stub.AckPurge(&context, request, &response).error_code();
      }
      case Rpc::kAbandonJob: {
        v1::AbandonJobRequest request;
        request.set_job_id(job_id);
        request.set_reason(v1::ABANDON_REASON_APPROVALS_UNVERIFIED);
        request.set_detail("approvals do not verify against the pinned keys");
        v1::AbandonJobResponse response;
        return stub.AbandonJob(&context, request, &response).error_code();
      }
      case Rpc::kSubmitJob: {
        v1::SubmitJobRequest request;
        *request.mutable_spec() = Spec({"edu", "health"});
        v1::Job job;
        return stub.SubmitJob(&context, request, &job).error_code();
      }
      case Rpc::kGetJob: {
        v1::GetJobRequest request;
        request.set_job_id(job_id);
        v1::Job job;
        grpc::Status status = stub.GetJob(&context, request, &job);
        if (status.ok()) {
          EXPECT_EQ(job.job_id(), job_id) << RowText(row);
        }
        return status.error_code();
      }
      case Rpc::kListJobs: {
        v1::ListJobsResponse response;
        grpc::Status status = stub.ListJobs(&context, v1::ListJobsRequest(), &response);
        if (status.ok()) {
          std::vector<Target> must_see;
          if (who == kAlice) must_see = {Target::kEduHealthJob};
          if (who == kBob) must_see = {Target::kHealthTaxJob};
          if (who == kStewardEdu) must_see = {Target::kEduHealthJob};
          if (who == kStewardHealth) must_see = {Target::kEduHealthJob, Target::kHealthTaxJob};
          CheckOnlyOwnJobs(who, response.jobs(), must_see);
          if (who == kCarol) {
            EXPECT_EQ(response.jobs_size(), 0);
          }
        }
        return status.error_code();
      }
      case Rpc::kCancelJob: {
        v1::CancelJobRequest request;
        request.set_job_id(job_id);
        v1::Job job;
        grpc::Status status = stub.CancelJob(&context, request, &job);
        if (status.ok()) {
          EXPECT_EQ(job.state(), v1::JOB_STATE_CANCELLED) << RowText(row);
        }
        return status.error_code();
      }
      case Rpc::kFetchResults: {
        v1::FetchResultsRequest request;
        request.set_job_id(job_id);
        auto reader = stub.FetchResults(&context, request);
        return Drain(*reader);
      }
      case Rpc::kListAuditEntries: {
        auto reader = stub.ListAuditEntries(&context, v1::ListAuditEntriesRequest());
        return Drain(*reader);
      }
      case Rpc::kGetSignedTreeHead: {
        v1::SignedTreeHead head;
        return stub.GetSignedTreeHead(&context, v1::GetSignedTreeHeadRequest(), &head).error_code();
      }
      case Rpc::kGetInclusionProof: {
        v1::GetInclusionProofRequest request;
        request.set_leaf_index(0);
        request.set_tree_size(SignedTreeSize());
        v1::InclusionProof proof;
        return stub.GetInclusionProof(&context, request, &proof).error_code();
      }
      case Rpc::kGetConsistencyProof: {
        v1::GetConsistencyProofRequest request;
        request.set_first_size(1);
        request.set_second_size(SignedTreeSize());
        v1::ConsistencyProof proof;
        return stub.GetConsistencyProof(&context, request, &proof).error_code();
      }
      case Rpc::kListJobSummaries: {
        v1::ListJobSummariesResponse response;
        return stub.ListJobSummaries(&context, v1::ListJobSummariesRequest(), &response)
            .error_code();
      }
      case Rpc::kListRegistrations: {
        v1::ListRegistrationsResponse response;
        return stub.ListRegistrations(&context, v1::ListRegistrationsRequest(), &response)
            .error_code();
      }
      case Rpc::kReloadConfig: {
        v1::ReloadConfigResponse response;
        return stub.ReloadConfig(&context, v1::ReloadConfigRequest(), &response).error_code();
      }
      case Rpc::kGetStatus: {
        v1::CoordinatorStatus response;
        return stub.GetStatus(&context, v1::GetStatusRequest(), &response).error_code();
      }
    }
    return StatusCode::UNKNOWN;
  }

  // The size of the coordinator's latest signed tree head (as the auditor).
  static uint64_t SignedTreeSize() {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    v1::SignedTreeHead head;
    grpc::Status status = Stub(kAuditor).GetSignedTreeHead(&context, {}, &head);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return head.head().tree_size();
  }

  // Every audit entry, as the auditor.
  static std::vector<v1::AuditEntry> AuditEntries() {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(15)));
    auto reader = Stub(kAuditor).ListAuditEntries(&context, v1::ListAuditEntriesRequest());
    std::vector<v1::AuditEntry> entries;
    v1::LoggedEntry logged;
    while (reader->Read(&logged)) {
      v1::AuditEntry entry;
      EXPECT_TRUE(entry.ParseFromString(logged.entry()));
      entries.push_back(entry);
    }
    EXPECT_TRUE(reader->Finish().ok());
    return entries;
  }

  static fs::path* dir_;
  static int port_;
  static CoordinatorProcess* daemon_;
  static std::map<std::string, crypto::Ed25519PrivateKey>* keys_;
  static std::map<Target, v1::Job>* jobs_;
  static std::map<std::string, std::unique_ptr<v1::Coordinator::Stub>>* stubs_;
};

fs::path* CoordinatorRoleMatrixTest::dir_ = nullptr;
int CoordinatorRoleMatrixTest::port_ = 0;
CoordinatorProcess* CoordinatorRoleMatrixTest::daemon_ = nullptr;
std::map<std::string, crypto::Ed25519PrivateKey>* CoordinatorRoleMatrixTest::keys_ = nullptr;
std::map<Target, v1::Job>* CoordinatorRoleMatrixTest::jobs_ = nullptr;
std::map<std::string, std::unique_ptr<v1::Coordinator::Stub>>* CoordinatorRoleMatrixTest::stubs_ =
    nullptr;

TEST_F(CoordinatorRoleMatrixTest, EveryIdentityCallsEveryRpcAndGetsTheTablesAnswer) {
  // The table covers every RPC of the service, and every role on each.
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::Coordinator::service_full_name());
  ASSERT_NE(service, nullptr);
  std::map<std::string, std::set<std::string>> roles_per_rpc;
  for (const Row& row : kMatrix) roles_per_rpc[RpcName(row.rpc)].insert(RoleOf(row.who));
  ASSERT_EQ(static_cast<int>(roles_per_rpc.size()), service->method_count());
  for (int m = 0; m < service->method_count(); ++m) {
    const std::string rpc = service->method(m)->name();
    EXPECT_EQ(roles_per_rpc[rpc].size(), 5u) << rpc << " is not called by every role";
  }

  for (const Row& row : kMatrix) {
    const StatusCode code = Call(row);
    EXPECT_EQ(code, row.expected) << RowText(row) << ": expected "
                                  << (row.expected == kDenied ? "refused" : "allowed") << " ("
                                  << row.expected << "), got " << code;
  }

  // Each refusal is in the audit log once: a CALL_REFUSED entry naming the
  // caller (from its certificate) and the RPC.
  std::multiset<std::string> refused_rows, refusal_entries;
  for (const Row& row : kMatrix) {
    if (row.expected == kDenied) {
      refused_rows.insert(absl::StrCat("fedlink://", row.who, " fedlink.v1.Coordinator/",
                                       RpcName(row.rpc)));
    }
  }
  for (const v1::AuditEntry& entry : AuditEntries()) {
    if (entry.action() != v1::AUDIT_ACTION_CALL_REFUSED) continue;
    EXPECT_EQ(entry.outcome(), v1::AUDIT_OUTCOME_REFUSED);
    EXPECT_FALSE(entry.reason().empty()) << entry.rpc();
    absl::StatusOr<proto::PeerIdentity> actor = proto::FromProto(entry.actor());
    ASSERT_TRUE(actor.ok()) << actor.status();
    refusal_entries.insert(absl::StrCat(proto::IdentityUri(*actor), " ", entry.rpc()));
  }
  std::vector<std::string> unaudited, unexpected;
  std::set_difference(refused_rows.begin(), refused_rows.end(), refusal_entries.begin(),
                      refusal_entries.end(), std::back_inserter(unaudited));
  std::set_difference(refusal_entries.begin(), refusal_entries.end(), refused_rows.begin(),
                      refused_rows.end(), std::back_inserter(unexpected));
  EXPECT_THAT(unaudited, ::testing::IsEmpty()) << "refusals without a CALL_REFUSED entry";
  EXPECT_THAT(unexpected, ::testing::IsEmpty()) << "CALL_REFUSED entries of no refused row";
}

}  // namespace
}  // namespace fedlink::coordinator
