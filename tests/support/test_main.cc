// main() of every GoogleTest executable: gtest_main's, after setting OpenSSL
// up as fedlink's programs do (linkage/crypto/process_init.h). Tests run gRPC
// clients and servers whose threads can outlive main(); with OpenSSL's
// default clean-up at exit they leaked its per-thread state, and
// LeakSanitizer failed a passing test now and then.
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/process_init.h"

int main(int argc, char** argv) {
  if (const absl::Status openssl = fedlink::crypto::InitOpenSslForProcess(); !openssl.ok()) {
    std::fprintf(stderr, "%s\n", std::string(openssl.message()).c_str());
    return 1;
  }
  testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
