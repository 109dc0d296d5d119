// The project's one pair of error-propagation macros. Abseil 20220623 has no
// ABSL_ASSIGN_OR_RETURN, so these fill the gap.
#ifndef FEDLINK_LINKAGE_STATUS_MACROS_H_
#define FEDLINK_LINKAGE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FEDLINK_STATUS_CONCAT_INNER_(a, b) a##b
#define FEDLINK_STATUS_CONCAT_(a, b) FEDLINK_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` (an absl::Status) is not OK.
#define FEDLINK_RETURN_IF_ERROR(expr)                \
  do {                                               \
    ::absl::Status fedlink_status_ = (expr);         \
    if (!fedlink_status_.ok()) return fedlink_status_; \
  } while (false)

// `lhs = value of expr` when `expr` (an absl::StatusOr<T>) holds a value;
// otherwise returns its status from the current function.
#define FEDLINK_ASSIGN_OR_RETURN(lhs, expr)                                   \
  FEDLINK_ASSIGN_OR_RETURN_IMPL_(                                             \
      FEDLINK_STATUS_CONCAT_(fedlink_statusor_, __LINE__), lhs, expr)

#define FEDLINK_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // FEDLINK_LINKAGE_STATUS_MACROS_H_
