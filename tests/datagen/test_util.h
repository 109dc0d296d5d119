// Helpers shared by the datagen tests (header-only; not part of the library).
#ifndef FEDLINK_TESTS_DATAGEN_TEST_UTIL_H_
#define FEDLINK_TESTS_DATAGEN_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/datagen/generator.h"
#include "tests/datagen/presets.h"

namespace fedlink::datagen::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A generator for a preset; fails the test when the preset is rejected.
inline std::unique_ptr<DatasetGenerator> MakeGenerator(std::string_view preset,
                                                       const PresetOptions& options) {
  auto config = MakePresetConfig(preset, options);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return nullptr;
  auto generator = DatasetGenerator::Create(*std::move(config));
  EXPECT_TRUE(generator.ok()) << generator.status();
  if (!generator.ok()) return nullptr;
  return *std::move(generator);
}

// A fresh directory under the test temp dir, removed at destruction.
class ScopedDirectory {
 public:
  explicit ScopedDirectory(std::string_view name)
      : path_(std::filesystem::path(::testing::TempDir()) /
              (std::string("datagen_") + std::string(name) + "_" +
               std::to_string(reinterpret_cast<uintptr_t>(this)))) {
    std::filesystem::remove_all(path_);
  }
  ~ScopedDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or
// truncated sequences).
inline bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t code_point;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c < 0xE0) {
      length = 2;
      code_point = c & 0x1F;
    } else if (c >= 0xE0 && c < 0xF0) {
      length = 3;
      code_point = c & 0x0F;
    } else if (c >= 0xF0 && c < 0xF5) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (continuation & 0x3F);
    }
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
        (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace fedlink::datagen::testing

#endif  // FEDLINK_TESTS_DATAGEN_TEST_UTIL_H_
