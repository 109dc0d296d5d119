// AbandonJob's reason, as both ends write it: the category's short name for
// logs, audit entries and the job's state_reason, and the agent's detail
// made to fit AbandonJobRequest.detail (one line of at most 500 bytes).
#ifndef FEDLINK_PROTO_RUNTIME_ABANDON_REASON_H_
#define FEDLINK_PROTO_RUNTIME_ABANDON_REASON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "fedlink/v1/coordinator.pb.h"

namespace fedlink::proto {

// The limit of AbandonJobRequest.detail (checked by proto_limits_test).
inline constexpr size_t kMaxAbandonDetailBytes = 500;

// "approvals_unverified" for ABANDON_REASON_APPROVALS_UNVERIFIED; "reason <n>"
// for a value this build does not know. Thread-safe.
std::string AbandonReasonName(v1::AbandonReason reason);

// `message` as a detail: every byte outside printable ASCII becomes a space
// (control characters) or '?', cut to kMaxAbandonDetailBytes. The message
// itself must name no data value: this only makes it fit. Thread-safe.
std::string AbandonDetail(absl::string_view message);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_ABANDON_REASON_H_
