// The PEM files of one mTLS endpoint, loaded and checked before they are
// handed to gRPC, so that a wrong path, a key that does not belong to the
// certificate, an expired certificate or one from another CA is reported at
// startup with the file named — not as an opaque handshake failure later.
#ifndef FEDLINK_PROTO_RUNTIME_TLS_MATERIAL_H_
#define FEDLINK_PROTO_RUNTIME_TLS_MATERIAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linkage/sensitive.h"
#include "proto/runtime/peer_identity.h"

namespace fedlink::proto {

// Paths of the PEM files, as deploy/pki.sh lays them out.
struct TlsFiles {
  // The deployment CA certificate(s): the only trust anchors.
  std::string ca_file;
  // This endpoint's certificate, optionally followed by intermediates.
  std::string cert_file;
  // Its unencrypted private key; must not be accessible by group or others.
  std::string key_file;
};

// Which side of a connection the certificate is for: selects the X.509
// purpose (extended key usage) it must allow.
enum class TlsSide { kServer, kClient };

// Largest PEM file read (certificates and keys are a few KiB).
inline constexpr size_t kMaxPemFileBytes = 1 << 20;

struct TlsMaterial {
  std::string ca_pem;
  std::string cert_chain_pem;
  SensitiveString private_key_pem;
  // The identity the certificate carries (its fedlink:// URI SAN).
  PeerIdentity identity;
};

// Reads and checks the three files. Errors, each naming the file:
//   NotFound / FailedPrecondition  a file is missing, unreadable, larger than
//                                  kMaxPemFileBytes, or (key) accessible by
//                                  group or others;
//   InvalidArgument                a file holds no PEM certificate / key, a
//                                  CA certificate is not a CA, the key does
//                                  not match the certificate, or the
//                                  certificate has no valid fedlink identity;
//   FailedPrecondition             the certificate does not verify against
//                                  the CA at `now` for `side` (expired, not
//                                  yet valid, other CA, wrong key usage).
// Thread-safe.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsFiles& files, TlsSide side,
                                            absl::Time now = absl::Now());

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_TLS_MATERIAL_H_
