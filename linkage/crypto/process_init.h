// OpenSSL set-up for a whole program: the first call in every fedlink main().
#ifndef FEDLINK_LINKAGE_CRYPTO_PROCESS_INIT_H_
#define FEDLINK_LINKAGE_CRYPTO_PROCESS_INIT_H_

#include "absl/status/status.h"

namespace fedlink::crypto {

// Initialises OpenSSL so that it keeps its state until the process ends.
//
// By default OpenSSL frees its global state, and the thread-local keys of its
// error queues and random generators, from an atexit handler. That is only
// safe once no other thread uses OpenSSL, and gRPC's threads (handshakes,
// resolvers, its detached clean-up thread) can outlive main(): a thread that
// exits after the clean-up has lost its thread-exit destructor and leaks its
// state (LeakSanitizer caught it intermittently in the daemons and tests),
// and one still inside OpenSSL uses freed memory. The kernel reclaims a
// process's memory anyway, so fedlink's programs skip the clean-up.
//
// Must run before anything else touches OpenSSL (gRPC included): only the
// first initialisation decides whether the atexit handler is registered.
absl::Status InitOpenSslForProcess();

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_PROCESS_INIT_H_
