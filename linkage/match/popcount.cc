#include "linkage/match/popcount.h"

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/popcount_kernels.h"

namespace fedlink::match {
namespace {

const PopcountKernels* TableFor(PopcountPath path) {
  switch (path) {
    case PopcountPath::kPortable:
      return &internal::kPortableKernels;
#if defined(FEDLINK_MATCH_HAVE_X86_KERNELS)
    case PopcountPath::kPopcnt:
      return &internal::kPopcntKernels;
    case PopcountPath::kAvx2:
      return &internal::kAvx2Kernels;
    case PopcountPath::kAvx512:
      return &internal::kAvx512Kernels;
#else
    case PopcountPath::kPopcnt:
    case PopcountPath::kAvx2:
    case PopcountPath::kAvx512:
      return nullptr;
#endif
  }
  return nullptr;
}

bool CpuSupports(PopcountPath path) {
  switch (path) {
    case PopcountPath::kPortable:
      return true;
#if defined(FEDLINK_MATCH_HAVE_X86_KERNELS)
    // libgcc's CPU model also checks XGETBV: "avx2" is reported only when the
    // OS saves YMM state, and the AVX-512 features only when it saves the
    // opmask and ZMM state too.
    case PopcountPath::kPopcnt:
      __builtin_cpu_init();
      return __builtin_cpu_supports("popcnt");
    case PopcountPath::kAvx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case PopcountPath::kAvx512:
      __builtin_cpu_init();
      // VL for the 256-bit vpternlogq of the bit-sliced kernel (Knights Mill
      // has VPOPCNTDQ without it); POPCNT for its position lists.
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("popcnt");
#else
    case PopcountPath::kPopcnt:
    case PopcountPath::kAvx2:
    case PopcountPath::kAvx512:
      return false;
#endif
  }
  return false;
}

}  // namespace

std::string_view PopcountPathName(PopcountPath path) {
  switch (path) {
    case PopcountPath::kPortable:
      return "portable";
    case PopcountPath::kPopcnt:
      return "popcnt";
    case PopcountPath::kAvx2:
      return "avx2";
    case PopcountPath::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool PopcountPathSupported(PopcountPath path) {
  return TableFor(path) != nullptr && CpuSupports(path);
}

std::vector<PopcountPath> AllPopcountPaths() {
  std::vector<PopcountPath> paths;
  for (PopcountPath path : {PopcountPath::kPortable, PopcountPath::kPopcnt,
                            PopcountPath::kAvx2, PopcountPath::kAvx512}) {
    if (TableFor(path) != nullptr) paths.push_back(path);
  }
  return paths;
}

std::vector<PopcountPath> SupportedPopcountPaths() {
  std::vector<PopcountPath> paths;
  for (PopcountPath path : AllPopcountPaths()) {
    if (CpuSupports(path)) paths.push_back(path);
  }
  return paths;
}

PopcountPath BestPopcountPath() {
  // Decided once: the CPU does not change under a running process.
  static const PopcountPath best = SupportedPopcountPaths().back();
  return best;
}

absl::StatusOr<const PopcountKernels*> GetPopcountKernels(PopcountPath path) {
  if (!PopcountPathSupported(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("popcount path '", std::string(PopcountPathName(path)),
                     "' is not supported by this CPU or build"));
  }
  return TableFor(path);
}

const PopcountKernels& BestPopcountKernels() { return *TableFor(BestPopcountPath()); }

}  // namespace fedlink::match
