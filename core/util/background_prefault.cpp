#include "core/util/background_prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL
#endif

namespace ca {

BackgroundPrefault::BackgroundPrefault(std::vector<Range> ranges) {
    // Whole pages inside each range: [begin, end).
    struct Pages {
        uintptr_t next, end;
    };
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    std::vector<Pages> todo;
    for (const Range& r : ranges) {
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(r.data) + page - 1) & ~(page - 1);
        const uintptr_t end = (reinterpret_cast<uintptr_t>(r.data) + r.bytes) & ~(page - 1);
        if (r.data && end > begin) todo.push_back({begin, end});
    }
    if (todo.empty()) return;
    thread_ = std::jthread([todo = std::move(todo)](std::stop_token stop) mutable {
        constexpr uintptr_t kStep = uintptr_t{2} << 20;  // one huge page per call
        for (bool more = true; more && !stop.stop_requested();) {
            more = false;
            for (Pages& p : todo) {
                if (p.next >= p.end) continue;
                const uintptr_t n = std::min(kStep, p.end - p.next);
                // Fails where unsupported: the caller's own writes fault the pages instead.
                if (madvise(reinterpret_cast<void*>(p.next), n, MADV_POPULATE_WRITE) != 0) return;
                p.next += n;
                more = true;
            }
        }
    });
}

BackgroundPrefault::~BackgroundPrefault() = default;  // jthread: request_stop + join

}  // namespace ca
