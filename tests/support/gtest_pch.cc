// Builds the precompiled GoogleTest/GoogleMock header that every test binary
// reuses (see tests/CMakeLists.txt); it has no code of its own.
#include <gtest/gtest.h>
