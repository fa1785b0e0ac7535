// Small helpers shared by the data tests.
#pragma once

#include <functional>
#include <string>

#include "core/util/input_error.h"

namespace ca::test {

// The message of the InputError `f` throws, or "(no InputError)".
inline std::string inputErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const ca::InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

}  // namespace ca::test
