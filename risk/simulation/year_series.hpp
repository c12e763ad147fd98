// A run's values year by year, allocated without being zero-filled (make_unique_for_overwrite),
// for outputs whose every element the simulation writes (simulate_pool_sink): a 5-year sink term
// of 100,000 paths is 500,000 years a series, and zero-filling its series first wrote their
// megabytes twice. A contiguous range (a span is made from it); moves, never copies.
#pragma once

#include <cstddef>
#include <memory>

namespace tanhui::risk {

class YearSeries {
public:
    YearSeries() = default;
    // n values, not initialised: the caller writes every one before it is read.
    explicit YearSeries(std::size_t n) : values_(n ? std::make_unique_for_overwrite<double[]>(n) : nullptr), size_(n) {}

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
