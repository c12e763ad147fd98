// A run's values year by year, allocated without being zero-filled (make_unique_for_overwrite),
// for outputs whose every element the simulation writes (simulate_pool_sink): a 5-year sink term
// of 100,000 paths is 500,000 years a series, and zero-filling its series first wrote their
// megabytes twice. A contiguous range (a span is made from it); moves, never copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace tanhui::risk {

// Tables of this many bytes or more come from a fresh mmap whatever the allocator settings: 32 MiB
// is the most glibc's M_MMAP_THRESHOLD can be (api/service/allocator.hpp keeps smaller blocks in
// the heap between runs). Such a table faults each of its pages in on every run: a five-peril
// quote's peril losses at 1,000,000 years are 40 MB, 10,240 faults, and on this project's virtual
// machine they took two thirds of the quote's time (docs/performance.md, 2026-12-07 night).
inline constexpr std::size_t huge_table_bytes = std::size_t{32} << 20;

// For a table of huge_table_bytes or more, asks the kernel to back [p, p + bytes) with huge pages
// (transparent huge pages, where the system allows them for ranges that ask: `madvise` mode):
// 2 MiB a fault instead of 4 KiB. Smaller tables come from the heap and are left alone. A hint
// only: where it is refused or unknown, nothing changes. For memory not yet touched.
inline void advise_huge_pages(void* p, std::size_t bytes) {
    if (bytes < huge_table_bytes) return;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const long size = ::sysconf(_SC_PAGESIZE);
    if (size <= 0) return;
    const auto page = static_cast<std::uintptr_t>(size);
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t begin = (at + page - 1) & ~(page - 1), end = (at + bytes) & ~(page - 1);
    if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

class YearSeries {
public:
    YearSeries() = default;
    // n values, not initialised: the caller writes every one before it is read.
    explicit YearSeries(std::size_t n) : values_(n ? std::make_unique_for_overwrite<double[]>(n) : nullptr), size_(n) {
        advise_huge_pages(values_.get(), n * sizeof(double));
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    double* data() { return values_.get(); }
    const double* data() const { return values_.get(); }
    double* begin() { return data(); }
    double* end() { return data() + size_; }
    const double* begin() const { return data(); }
    const double* end() const { return data() + size_; }
    double& operator[](std::size_t i) { return values_[i]; }
    double operator[](std::size_t i) const { return values_[i]; }

private:
    std::unique_ptr<double[]> values_;
    std::size_t size_ = 0;
};

}  // namespace tanhui::risk
