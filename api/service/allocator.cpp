#include "api/service/allocator.hpp"

#include <cstdlib>  // <features.h>: defines __GLIBC__

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tanhui::api {

void configure_allocator() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(heap_allocation_limit));
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(heap_trim_threshold));
#endif
}

}  // namespace tanhui::api
