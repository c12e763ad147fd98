// Stopping a long computation from outside (issue 20, docs/reliability.md "Cost, lanes and
// budgets"): the server sets a request's flag when its client hangs up or its deadline passes,
// and every loop of risk/ and pricing/ that a request can make long (blocks of simulated years,
// price paths, Monte Carlo samples) reads it between blocks of work and throws Cancelled. One
// flag, one check, one exception: the callers pass the flag down, the server catches Cancelled.
// A run that is not cancelled gives the same bits with or without a flag.
#pragma once

#include "risk/random/thread_scope.hpp"

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace tanhui::risk {

// Thrown by a run whose cancel flag became true; nothing of the run is returned.
struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("the simulation was cancelled") {}
};

// A request's cancel flag as the computations see it: null (never cancelled) or the server's flag.
using CancelFlag = const std::atomic<bool>*;

inline bool cancel_requested(CancelFlag cancel) { return cancel && cancel->load(std::memory_order_relaxed); }
inline void stop_if_cancelled(CancelFlag cancel) {
    if (cancel_requested(cancel)) throw Cancelled();
}

// The flag of the request a thread works for, for work too deep to pass it down to (the maximum
// likelihood fits of a calibration: risk/calibration/mle.cpp reads it at every evaluation of a
// likelihood). Set for a scope; null outside one.
struct CancelScopeTag;
using CancelScope = ThreadScope<CancelFlag, CancelScopeTag>;

// Loops over paths or years that are not blocks of simulate() look at the flag once every this
// many items (the simulation's blocks are of years_per_block = 256 years).
inline constexpr std::uint32_t items_per_cancel_check = 256;

}  // namespace tanhui::risk
