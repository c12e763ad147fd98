// A thread's setting for the length of a scope: while a ThreadScope lives, current() on its thread
// returns the value it was made with; its destructor restores the value before it, so scopes nest.
// Other threads are not affected. Tag makes each use a setting of its own (risk::CancelScope,
// YearDrawCache::ReadAhead).
#pragma once

namespace tanhui::risk {

template <class T, class Tag>
class ThreadScope {
public:
    explicit ThreadScope(T value) : before_(current_) { current_ = value; }
    ~ThreadScope() { current_ = before_; }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;
    static T current() { return current_; }

private:
    T before_;
    static inline thread_local T current_{};  // a value-initialised T outside every scope
};

}  // namespace tanhui::risk
