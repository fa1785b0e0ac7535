// Where the data tests find their fixtures: tests/data (CA_TEST_DATA_DIR) and, for comparisons
// with the embedded copies, the source tree's resources/ folder next to it.
#pragma once

#include <string>

namespace ca::test {

inline std::string testDataDir() { return CA_TEST_DATA_DIR; }
inline std::string resourcesDir() { return std::string(CA_TEST_DATA_DIR) + "/../../resources"; }
inline std::string promptsDir() { return testDataDir() + "/prompts"; }
inline std::string datasetsDir() { return testDataDir() + "/datasets"; }

}  // namespace ca::test
