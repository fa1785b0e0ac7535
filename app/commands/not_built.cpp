#include "app/commands/command.h"

#include <cstdio>

namespace ca::cli {

int notBuiltYet(const char* name, const char* issue) {
    std::fprintf(stderr, "committee-audit: '%s' is not built yet (%s)\n", name, issue);
    return kExitBadInput;
}

}  // namespace ca::cli
