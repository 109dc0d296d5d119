// CertificateRevocations (proto/runtime/tls_revocation.h) on CRLs made by
// deploy/pki.sh and the openssl CLI: which certificates it refuses, which
// directories it accepts, and that a failed reload keeps the list in force.
#include "proto/runtime/tls_revocation.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink::proto {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TlsRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fedlink-tls-revocation-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Pki("--agent edu --agent health --analyst bob --crl");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Pki(const std::string& arguments, const std::string& out = "pki") {
    testing::CommandOutput pki = testing::RunCommand(absl::StrCat(
        "'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", (dir_ / out).string(), "' ", arguments));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;
  }

  std::string Cert(const std::string& who) const {
    return testing::ReadTextFile(dir_ / "pki" / (who + ".crt"));
  }
  std::string CrlDir() const { return (dir_ / "pki/crl").string(); }
  std::string CaFile() const { return (dir_ / "pki/ca.crt").string(); }

  fs::path dir_;
};

TEST_F(TlsRevocationTest, AnEmptyCrlRevokesNothing) {
  auto revocations = CertificateRevocations::Load(CrlDir(), CaFile());
  ASSERT_TRUE(revocations.ok()) << revocations.status();
  // The CRL and its `openssl rehash` link are one file.
  EXPECT_EQ((*revocations)->summary().crl_files, 1u);
  EXPECT_EQ((*revocations)->summary().revoked, 0u);
  EXPECT_TRUE((*revocations)->Check(Cert("agent/edu")).ok());
}

TEST_F(TlsRevocationTest, RevokedCertificatesAreRefusedOnceReloaded) {
  auto revocations = CertificateRevocations::Load(CrlDir(), CaFile());
  ASSERT_TRUE(revocations.ok()) << revocations.status();
  Pki("--revoke agent/edu --revoke analyst/bob");
  EXPECT_TRUE((*revocations)->Check(Cert("agent/edu")).ok()) << "read before the revocation";

  absl::StatusOr<RevocationSummary> summary = (*revocations)->Reload();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->revoked, 2u);
  EXPECT_TRUE(summary->expired.empty());
  const absl::Status edu = (*revocations)->Check(Cert("agent/edu"));
  EXPECT_EQ(edu.code(), absl::StatusCode::kPermissionDenied);
  // "serial=0A1B…" from the openssl CLI.
  std::string serial = testing::RunCommand(absl::StrCat("openssl x509 -noout -serial -in '",
                                                        (dir_ / "pki/agent/edu.crt").string(), "'"))
                           .text;
  serial = absl::AsciiStrToLower(absl::StripAsciiWhitespace(serial.substr(serial.find('=') + 1)));
  EXPECT_THAT(std::string(edu.message()), HasSubstr(absl::StrCat("serial ", serial, " ")));
  EXPECT_THAT(std::string(edu.message()), HasSubstr("ca.crl.pem"));
  EXPECT_EQ((*revocations)->Check(Cert("analyst/bob")).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE((*revocations)->Check(Cert("agent/health")).ok());
  EXPECT_EQ((*revocations)->Check("not a certificate").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsRevocationTest, ReadsDerCrlsAndSkipsHiddenFiles) {
  Pki("--revoke agent/health");
  ASSERT_EQ(testing::RunCommand(absl::StrCat("cd '", CrlDir(),
                                             "' && openssl crl -in ca.crl.pem -outform DER -out "
                                             "ca.crl.der && rm ca.crl.pem *.r0"))
                .exit_code,
            0);
  std::ofstream(fs::path(CrlDir()) / ".half-written") << "garbage";
  auto revocations = CertificateRevocations::Load(CrlDir(), CaFile());
  ASSERT_TRUE(revocations.ok()) << revocations.status();
  EXPECT_EQ((*revocations)->summary().crl_files, 1u);
  EXPECT_EQ((*revocations)->Check(Cert("agent/health")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(TlsRevocationTest, AFailedReloadKeepsTheListInForce) {
  Pki("--revoke agent/edu");
  auto revocations = CertificateRevocations::Load(CrlDir(), CaFile());
  ASSERT_TRUE(revocations.ok()) << revocations.status();

  std::ofstream(fs::path(CrlDir()) / "notes.txt") << "not a CRL\n";
  absl::StatusOr<RevocationSummary> bad = (*revocations)->Reload();
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("notes.txt"));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("holds no certificate revocation list"));
  EXPECT_EQ((*revocations)->Check(Cert("agent/edu")).code(), absl::StatusCode::kPermissionDenied);
  fs::remove(fs::path(CrlDir()) / "notes.txt");

  // A CRL of another CA is refused, by name, at load and at reload.
  Pki("--crl", "other");
  fs::copy_file(dir_ / "other/crl/ca.crl.pem", fs::path(CrlDir()) / "other.pem");
  bad = (*revocations)->Reload();
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("other.pem' is not issued and signed by the deployment CA"));
  EXPECT_EQ(CertificateRevocations::Load(CrlDir(), CaFile()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*revocations)->Check(Cert("agent/edu")).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(TlsRevocationTest, AnExpiredCrlStillRevokesAndIsReported) {
  Pki("--revoke agent/edu --crl-days 1");
  auto revocations =
      CertificateRevocations::Load(CrlDir(), CaFile(), absl::Now() + absl::Hours(48));
  ASSERT_TRUE(revocations.ok()) << revocations.status();
  ASSERT_EQ((*revocations)->summary().expired.size(), 1u);
  EXPECT_THAT((*revocations)->summary().expired[0], HasSubstr("ca.crl.pem"));
  EXPECT_EQ((*revocations)->Check(Cert("agent/edu")).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(TlsRevocationTest, MissingDirectoryOrCaIsAnError) {
  EXPECT_EQ(CertificateRevocations::Load((dir_ / "nowhere").string(), CaFile()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CertificateRevocations::Load(CrlDir(), (dir_ / "no-ca.crt").string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fedlink::proto
