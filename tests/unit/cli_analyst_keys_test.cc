#include "coordinator/fedlink_cli/analyst_keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "gtest/gtest.h"
#include "linkage/crypto/x25519.h"

namespace fedlink::cli {
namespace {

TEST(AnalystKeysTest, WritesAMatchingPairPrivateKeyOwnerOnlyAndNeverOverwrites) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("fedlink_cli_keys_", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string private_path = (dir / "analyst.key").string();
  const std::string public_path = (dir / "analyst.key.pub").string();
  ASSERT_TRUE(WriteAnalystKeyPair(private_path, public_path).ok());

  struct stat info {};
  ASSERT_EQ(stat(private_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  absl::StatusOr<std::string> private_pem = ReadWholeFile(private_path);
  absl::StatusOr<std::string> public_pem = ReadWholeFile(public_path);
  ASSERT_TRUE(private_pem.ok() && public_pem.ok());
  absl::StatusOr<crypto::X25519PrivateKey> key = crypto::X25519PrivateKey::FromPem(*private_pem);
  absl::StatusOr<crypto::X25519PublicKey> public_key = crypto::X25519PublicKey::FromPem(*public_pem);
  ASSERT_TRUE(key.ok() && public_key.ok());
  EXPECT_EQ(key->public_key(), *public_key);

  EXPECT_EQ(WriteAnalystKeyPair(private_path, (dir / "other.pub").string()).code(),
            absl::StatusCode::kAlreadyExists);
  absl::StatusOr<std::string> unchanged = ReadWholeFile(private_path);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(*unchanged, *private_pem);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fedlink::cli
