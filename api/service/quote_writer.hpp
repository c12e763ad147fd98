// Group commit of the service's quotes (docs/reliability.md "Durability"; issue 18 item 5).
//
// Workers price a request, then hand its rows to the writer and take the next request; the one
// writer thread takes every write waiting, stores them in one IMMEDIATE transaction
// (data::Quotes::write), commits, and only then calls each write's completion,
// which answers the client. So an answer is sent only for quotes already committed to the WAL,
// and many requests share one commit. A checkpointer thread copies the WAL into the database in
// the background (PASSIVE), so that no commit waits for a checkpoint's fsync. A PASSIVE checkpoint
// beside a writer that never pauses never reaches the WAL's end, and SQLite restarts a WAL only
// then: so when the WAL outgrows `wal_restart_bytes` the checkpointer restarts it, holding commits
// back for about one fsync (data::Store::checkpoint; docs/reliability.md "A bounded WAL").
//
// Durability: with `synchronous_full` false (SQLite synchronous=NORMAL in WAL mode, the default)
// a committed quote survives the server's crash or kill -9, not a power cut or an OS crash
// (those can lose the transactions since the last checkpoint); with it true every commit is
// fsynced before the answer (one fsync per batch, so throughput holds, latency grows by an fsync).
#pragma once

#include "data/repositories/quotes.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace tanhui::api {

// The WAL size beyond which the checkpointer restarts the WAL, by default (`serve
// --wal-restart-mb`; why 256 MiB: docs/reliability.md "A bounded WAL").
inline constexpr std::int64_t default_wal_restart_bytes = std::int64_t{256} << 20;

class QuoteWriter {
public:
    struct Options {
        std::filesystem::path db_path;
        std::filesystem::path historical_dir;
        bool synchronous_full = false;
        std::size_t max_queue = 10'000;  // writes waiting beyond which submit() refuses (busy)
        std::size_t max_batch = 1'000;   // writes per transaction at most
        std::chrono::milliseconds checkpoint_every{250};
        // The WAL's size beyond which the checkpointer restarts it (0: never; SQLite then restarts
        // it only when a checkpoint finds the writer idle). The file is truncated back to twice
        // this after a restart that found it larger.
        std::int64_t wal_restart_bytes = default_wal_restart_bytes;
        // Errors and warnings: (level, message). Default: none.
        std::function<void(std::string_view, std::string_view)> log;
    };

    struct Result {
        enum class Kind {
            stored,       // committed
            replay,       // its idempotency key was already stored (live): `existing`, nothing stored
            failed,       // refused by the database (a constraint: a bug): `detail`, nothing stored
            unavailable,  // the database cannot store now (disk full, read-only ...): `detail`, nothing stored
            busy,         // the queue is full: nothing stored, try again
        } kind = Kind::stored;
        std::optional<data::IdempotencyRecord> existing;
        std::string detail;
    };
    using Done = std::function<void(Result)>;

    explicit QuoteWriter(Options options);
    ~QuoteWriter();  // stop()
    QuoteWriter(const QuoteWriter&) = delete;
    QuoteWriter& operator=(const QuoteWriter&) = delete;

    // Queues a write. `done` runs exactly once, on the writer thread after the write's transaction
    // committed or failed, or at once (on the caller's thread) with Kind::busy when the queue is
    // full. It must be quick: post the answer, do not compute.
    void submit(data::QuoteWrite write, Done done);
    // Commits everything queued, then ends the threads. Idempotent.
    void stop();

    std::size_t queued() const;
    // How many times the checkpointer has restarted the WAL.
    std::uint64_t wal_restarts() const { return wal_restarts_.load(std::memory_order_relaxed); }

private:
    struct Pending {
        data::QuoteWrite write;
        Done done;
    };
    void run();
    void run_checkpoints();
    void commit(std::deque<Pending>& batch);
    data::Store& store();
    void log(std::string_view level, const std::string& message) const;

    Options options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable checkpoint_wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::unique_ptr<data::Store> store_;  // the writer thread's connection
    std::chrono::steady_clock::time_point next_purge_{};
    std::atomic<std::uint64_t> wal_restarts_{0};
    std::thread writer_;
    std::thread checkpointer_;
};

}  // namespace tanhui::api
