// Process-wide allocator settings of the tanhui executable (and of the benchmarks that measure
// what it does). A 100,000-year quote allocates a few megabytes of year tables (losses, payouts,
// the sorted positive payouts) and frees them when it answers. glibc's defaults hand blocks of
// 128 KiB and more straight back to the kernel, so the next quote faults every page in again:
// a fifth of a one-holding quote's time. Keeping freed memory in the heap up to the limits
// below costs at most that much resident memory per arena after a peak, and no page faults.
#pragma once

#include <cstddef>

namespace tanhui::api {

// Allocations below this come from the heap, not from a fresh mmap (glibc M_MMAP_THRESHOLD; 32 MiB
// is its ceiling). Year tables from this size up are advised as huge pages instead
// (risk::huge_table_bytes, risk/simulation/year_series.hpp).
inline constexpr std::size_t heap_allocation_limit = std::size_t{32} << 20;
// Free memory at the top of a heap beyond this is returned to the kernel (M_TRIM_THRESHOLD).
inline constexpr std::size_t heap_trim_threshold = std::size_t{256} << 20;

// Applies the settings above (glibc only; elsewhere it does nothing). Call once, first thing.
void configure_allocator();

}  // namespace tanhui::api
