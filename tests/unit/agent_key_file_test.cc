#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/store/data_dir.h"
#include "agent/store/key_file.h"
#include "agent/store/signing_key_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/fedlink_key_file_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `contents` to `name` with exactly `mode`, as an operator might.
  std::string WriteFile(const std::string& name, const std::string& contents,
                        mode_t mode) {
    const std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << contents;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  static std::string ReadFile(const std::string& path) {
    std::string bytes;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return bytes;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
      bytes.append(buffer, n);
    std::fclose(f);
    return bytes;
  }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  std::string dir_;
};

// 32 distinctive bytes and their hex spelling.
const std::string kRawKey = "0123456789abcdefghijklmnopqrstuv";
const std::string kHexKey =
    "303132333435363738396162636465666768696a6b6c6d6e6f70717273747576";

crypto::SecretBytes RawKey() {
  return crypto::SecretBytes(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(kRawKey.data()), kRawKey.size()));
}

TEST_F(KeyFileTest, CreatedKeyIsPrivateRandomAndLoadsBack) {
  const std::string path = Path("at_rest.key");
  absl::StatusOr<crypto::SecretBytes> created =
      CreateKeyFile(path, "at-rest key");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->size(), kKeyFileKeyBytes);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), kKeyFileKeyBytes);

  absl::StatusOr<crypto::SecretBytes> loaded = LoadKeyFile(path, "at-rest key");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, *created);

  absl::StatusOr<crypto::SecretBytes> other =
      CreateKeyFile(Path("other.key"), "at-rest key");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(*other == *created);
}

TEST_F(KeyFileTest, CreateLeavesNoTemporaryFile) {
  ASSERT_TRUE(CreateKeyFile(Path("k.key"), "at-rest key").ok());
  EXPECT_THAT(Entries(), ::testing::ElementsAre("k.key"));
}

TEST_F(KeyFileTest, CreateNeverReplacesAnExistingFile) {
  const std::string path = WriteFile("at_rest.key", kRawKey, 0600);
  absl::StatusOr<crypto::SecretBytes> created =
      CreateKeyFile(path, "at-rest key");
  EXPECT_EQ(created.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(created.status().message(), HasSubstr(path));
  absl::StatusOr<crypto::SecretBytes> loaded = LoadKeyFile(path, "at-rest key");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, RawKey());
  EXPECT_THAT(Entries(), ::testing::ElementsAre("at_rest.key"));
}

TEST_F(KeyFileTest, CreateRefusesToFollowADanglingSymlink) {
  const std::string link = Path("link.key");
  ASSERT_EQ(symlink(Path("target.key").c_str(), link.c_str()), 0);
  EXPECT_EQ(CreateKeyFile(link, "at-rest key").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(Path("target.key")));
}

TEST_F(KeyFileTest, WriteRefusesKeyOfWrongSize) {
  const crypto::SecretBytes short_key = crypto::SecretBytes::Zeroed(16);
  EXPECT_EQ(WriteKeyFile(Path("k.key"), short_key, "at-rest key").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Entries().empty());
}

TEST_F(KeyFileTest, LoadsHexWithOrWithoutNewline) {
  for (const std::string& contents :
       {kHexKey, kHexKey + "\n", kHexKey + "\r\n"}) {
    const std::string path = WriteFile("hex.key", contents, 0600);
    absl::StatusOr<crypto::SecretBytes> key =
        LoadKeyFile(path, "linkage secret");
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(*key, RawKey());
  }
  std::string upper = kHexKey;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  const std::string path = WriteFile("upper.key", upper, 0600);
  absl::StatusOr<crypto::SecretBytes> key = LoadKeyFile(path, "linkage secret");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, RawKey());
}

TEST_F(KeyFileTest, RefusesModesLooserThan0600) {
  for (mode_t mode : {0640, 0644, 0604, 0660, 0601, 0610}) {
    const std::string path = WriteFile("loose.key", kRawKey, mode);
    absl::StatusOr<crypto::SecretBytes> key =
        LoadKeyFile(path, "linkage secret");
    EXPECT_EQ(key.status().code(), absl::StatusCode::kPermissionDenied)
        << std::oct << mode;
    char octal[8];
    snprintf(octal, sizeof(octal), "%04o", mode);
    EXPECT_THAT(key.status().message(), HasSubstr(path));
    EXPECT_THAT(key.status().message(), HasSubstr(octal));
    EXPECT_THAT(key.status().message(), HasSubstr("linkage secret file"));
    EXPECT_THAT(key.status().message(), HasSubstr("chmod 600"));
  }
}

TEST_F(KeyFileTest, AcceptsStricterModes) {
  for (mode_t mode : {0600, 0400}) {
    const std::string path = WriteFile("strict.key", kRawKey, mode);
    EXPECT_TRUE(LoadKeyFile(path, "at-rest key").ok()) << std::oct << mode;
  }
}

TEST_F(KeyFileTest, RefusesFileOwnedByAnotherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "only root can give a file away";
  const std::string path = WriteFile("theirs.key", kRawKey, 0600);
  ASSERT_EQ(chown(path.c_str(), 12345, 12345), 0);
  absl::StatusOr<crypto::SecretBytes> key = LoadKeyFile(path, "at-rest key");
  EXPECT_EQ(key.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(key.status().message(), HasSubstr(path));
  EXPECT_THAT(key.status().message(), HasSubstr("owned by uid 12345"));
}

TEST_F(KeyFileTest, RefusesSymlinkAndDirectory) {
  const std::string target = WriteFile("real.key", kRawKey, 0600);
  const std::string link = Path("link.key");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  absl::StatusOr<crypto::SecretBytes> via_link =
      LoadKeyFile(link, "at-rest key");
  EXPECT_EQ(via_link.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(via_link.status().message(), HasSubstr("symbolic link"));

  const std::string sub = Path("sub");
  ASSERT_EQ(mkdir(sub.c_str(), 0700), 0);
  absl::StatusOr<crypto::SecretBytes> dir = LoadKeyFile(sub, "at-rest key");
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(dir.status().message(), HasSubstr("not a regular file"));
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
  absl::StatusOr<crypto::SecretBytes> key =
      LoadKeyFile(Path("absent.key"), "at-rest key");
  EXPECT_EQ(key.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(key.status().message(), HasSubstr(Path("absent.key")));
}

TEST_F(KeyFileTest, RefusesMalformedContentsWithoutQuotingThem) {
  const std::string secretish =
      "SECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRETSECR";
  ASSERT_EQ(secretish.size(), 64u);  // 64 characters that are not hex digits
  for (const std::string& contents :
       {kRawKey.substr(0, 31), kRawKey + "x", kHexKey.substr(0, 62),
        kHexKey + "\n\n", secretish, std::string(100, 'a'), std::string()}) {
    const std::string path = WriteFile("bad.key", contents, 0600);
    absl::StatusOr<crypto::SecretBytes> key = LoadKeyFile(path, "at-rest key");
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument)
        << contents.size();
    EXPECT_THAT(key.status().message(), HasSubstr(path));
    EXPECT_THAT(key.status().message(), Not(HasSubstr("SECR")));
    EXPECT_THAT(key.status().message(), Not(HasSubstr("aaaa")));
  }
}

class DataDirTest : public KeyFileTest {};

TEST_F(DataDirTest, InitCreatesPrivateDirectoryAndKey) {
  const std::string root = Path("agent");
  absl::StatusOr<DataDirLayout> layout = InitDataDir(root);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->root, root);
  EXPECT_EQ(ModeOf(root), 0700u);
  EXPECT_EQ(ModeOf(layout->at_rest_key), 0600u);
  EXPECT_TRUE(LoadKeyFile(layout->at_rest_key, "at-rest key").ok());
  EXPECT_EQ(layout->store, root + "/store");
  EXPECT_EQ(ModeOf(layout->signing_key), 0600u);
  EXPECT_EQ(ModeOf(layout->signing_public_key), 0600u);
  absl::StatusOr<crypto::Ed25519PrivateKey> signing =
      LoadSigningKey(layout->signing_key);
  ASSERT_TRUE(signing.ok()) << signing.status();
  const std::string public_pem = ReadFile(layout->signing_public_key);
  absl::StatusOr<crypto::Ed25519PublicKey> public_key =
      crypto::Ed25519PublicKey::FromPem(public_pem);
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(*public_key, signing->public_key());
  absl::StatusOr<crypto::Ed25519Signature> signature =
      signing->Sign("decision");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(public_key->Verify("decision", *signature).ok());

  absl::StatusOr<DataDirLayout> opened = OpenDataDir(root + "/");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->at_rest_key, layout->at_rest_key);
}

TEST_F(DataDirTest, SecondInitKeepsTheKey) {
  const std::string root = Path("agent");
  ASSERT_TRUE(InitDataDir(root).ok());
  absl::StatusOr<crypto::SecretBytes> before =
      LoadKeyFile(LayoutOf(root).at_rest_key, "at-rest key");
  ASSERT_TRUE(before.ok());
  absl::StatusOr<DataDirLayout> again = InitDataDir(root);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("already initialised"));
  absl::StatusOr<crypto::SecretBytes> after =
      LoadKeyFile(LayoutOf(root).at_rest_key, "at-rest key");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before, *after);
}

TEST_F(DataDirTest, RerunAfterInterruptedInitKeepsTheSigningKey) {
  const std::string root = Path("agent");
  ASSERT_EQ(mkdir(root.c_str(), 0700), 0);
  const DataDirLayout layout = LayoutOf(root);
  // An init that stopped after the signing key, before the at-rest key.
  absl::StatusOr<crypto::Ed25519PrivateKey> first =
      EnsureSigningKey(layout.signing_key, layout.signing_public_key);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(InitDataDir(root).ok());
  absl::StatusOr<crypto::Ed25519PrivateKey> kept =
      LoadSigningKey(layout.signing_key);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->public_key(), first->public_key());
}

TEST_F(DataDirTest, InitAcceptsPrecreatedPrivateDirectory) {
  const std::string root = Path("volume");
  ASSERT_EQ(mkdir(root.c_str(), 0700), 0);
  EXPECT_TRUE(InitDataDir(root).ok());
}

TEST_F(DataDirTest, RefusesSharedDirectory) {
  const std::string root = Path("shared");
  ASSERT_EQ(mkdir(root.c_str(), 0700), 0);
  ASSERT_EQ(chmod(root.c_str(), 0755), 0);
  absl::StatusOr<DataDirLayout> init = InitDataDir(root);
  EXPECT_EQ(init.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(init.status().message(), HasSubstr("0755"));
  EXPECT_THAT(init.status().message(), HasSubstr("chmod 700"));
  EXPECT_FALSE(std::filesystem::exists(LayoutOf(root).at_rest_key));
  EXPECT_EQ(OpenDataDir(root).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(DataDirTest, RefusesFileInPlaceOfDirectoryAndMissingParent) {
  const std::string file = WriteFile("plain", "x", 0600);
  EXPECT_EQ(InitDataDir(file).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(InitDataDir(Path("no/such/dir")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(OpenDataDir(Path("absent")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DataDirTest, ImportsLinkageSecretOnce) {
  absl::StatusOr<DataDirLayout> layout = InitDataDir(Path("agent"));
  ASSERT_TRUE(layout.ok()) << layout.status();
  const std::string source = WriteFile("shared.key", kHexKey + "\n", 0600);
  ASSERT_TRUE(ImportLinkageSecret(source, *layout).ok());
  EXPECT_EQ(ModeOf(layout->linkage_secret), 0600u);
  absl::StatusOr<crypto::SecretBytes> secret =
      LoadKeyFile(layout->linkage_secret, "linkage secret");
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(*secret, RawKey());
  EXPECT_EQ(ImportLinkageSecret(source, *layout).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(DataDirTest, ImportRefusesReadableSource) {
  absl::StatusOr<DataDirLayout> layout = InitDataDir(Path("agent"));
  ASSERT_TRUE(layout.ok()) << layout.status();
  const std::string source = WriteFile("shared.key", kRawKey, 0644);
  absl::Status status = ImportLinkageSecret(source, *layout);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr(source));
  EXPECT_FALSE(std::filesystem::exists(layout->linkage_secret));
}

class SigningKeyFileTest : public KeyFileTest {};

TEST_F(SigningKeyFileTest, LoadsKeyWrittenByOpensslCli) {
  const std::string path = Path("agency.pem");
  const std::string command =
      "openssl genpkey -algorithm ed25519 -out " + path + " 2>/dev/null";
  if (std::system(command.c_str()) != 0) GTEST_SKIP() << "no openssl CLI";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  absl::StatusOr<crypto::Ed25519PrivateKey> key = LoadSigningKey(path);
  ASSERT_TRUE(key.ok()) << key.status();
}

TEST_F(SigningKeyFileTest, RefusesLooseModeAndForeignContents) {
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      crypto::Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  absl::StatusOr<crypto::SecretBytes> pem = key->ToPem();
  ASSERT_TRUE(pem.ok());
  const std::string text(reinterpret_cast<const char*>(pem->data()),
                         pem->size());
  const std::string loose = WriteFile("loose.pem", text, 0640);
  absl::StatusOr<crypto::Ed25519PrivateKey> loaded = LoadSigningKey(loose);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(loaded.status().message(), HasSubstr("0640"));

  const std::string garbage =
      WriteFile("garbage.pem", "NOTAKEY-SECRETISH", 0600);
  loaded = LoadSigningKey(garbage);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr(garbage));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr("SECRETISH")));
}

TEST_F(SigningKeyFileTest, RefusesPublicKeyOfAnotherKey) {
  absl::StatusOr<crypto::Ed25519PrivateKey> other =
      crypto::Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  absl::StatusOr<std::string> other_public = other->public_key().ToPem();
  ASSERT_TRUE(other_public.ok());
  const std::string public_path = WriteFile("key.pub.pem", *other_public, 0600);
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      EnsureSigningKey(Path("key.pem"), public_path);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(key.status().message(), HasSubstr("does not match"));
}

}  // namespace
}  // namespace fedlink::agent
