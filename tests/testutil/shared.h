// Access to ../shared (the real Coral models, the real compiler's outputs, the oracle).
//
// Tests that need a shared file call ETPU_SHARED_FILE_OR_SKIP: on a fresh clone without
// ../shared the test is skipped with a clear message; with ETPU_REQUIRE_SHARED=1 (CI) a
// missing file is a failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

namespace etpu::testutil {

/// The shared folder: $ETPU_SHARED_DIR, else <source>/../shared.
std::string SharedDir();
/// SharedDir() + "/" + relative.
std::string SharedPath(const std::string& relative);
/// True when ETPU_REQUIRE_SHARED=1.
bool SharedRequired();
/// A fresh empty temporary directory, removed at process exit.
std::string MakeTempDir(const std::string& tag);
/// The names of the entries of `dir` (tests that check that nothing was written).
std::set<std::string> ListFileNames(const std::string& dir);

}  // namespace etpu::testutil

/// Declares `var` as the full path of shared/`relative`; skips (or fails in CI) when absent.
#define ETPU_SHARED_FILE_OR_SKIP(var, relative)                                              \
  const std::string var = ::etpu::testutil::SharedPath(relative);                            \
  do {                                                                                       \
    if (!std::filesystem::exists(var)) {                                                     \
      if (::etpu::testutil::SharedRequired()) {                                              \
        FAIL() << "missing shared file " << var << " (ETPU_REQUIRE_SHARED=1)";               \
      } else {                                                                               \
        GTEST_SKIP() << "shared file " << var << " not found: ../shared is absent (fresh clone?)"; \
      }                                                                                      \
    }                                                                                        \
  } while (false)
