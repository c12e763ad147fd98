#include "api/service/quote_writer.hpp"

#include "data/repositories/idempotency.hpp"
#include "data/store/storage_error.hpp"
#include "data/types.hpp"

namespace tanhui::api {

namespace {
constexpr auto purge_every = std::chrono::minutes(1);  // expired idempotency records
}

QuoteWriter::QuoteWriter(Options options) : options_(std::move(options)) {
    writer_ = std::thread([this] { run(); });
    checkpointer_ = std::thread([this] { run_checkpoints(); });
}

QuoteWriter::~QuoteWriter() { stop(); }

void QuoteWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    checkpoint_wake_.notify_all();
    if (writer_.joinable()) writer_.join();
    if (checkpointer_.joinable()) checkpointer_.join();
}

std::size_t QuoteWriter::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void QuoteWriter::submit(data::QuoteWrite write, Done done) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() < options_.max_queue && !stopping_) {
            queue_.push_back({std::move(write), std::move(done)});
            wake_.notify_one();
            return;
        }
    }
    done(Result{Result::Kind::busy, std::nullopt, "the quote store has a full queue"});
}

void QuoteWriter::log(std::string_view level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
}

data::Store& QuoteWriter::store() {
    if (!store_)
        store_ = std::make_unique<data::Store>(
            options_.db_path, data::StoreOptions{.historical_dir = options_.historical_dir,
                                                 .read_only = false,
                                                 .wal_autocheckpoint = false,
                                                 .synchronous_full = options_.synchronous_full,
                                                 .journal_size_limit = 2 * options_.wal_restart_bytes,
                                                 .coalesce_wal = true});
    return *store_;
}

void QuoteWriter::run() {
    for (;;) {
        std::deque<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything is committed
            const std::size_t n = std::min(queue_.size(), options_.max_batch);
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        commit(batch);
    }
}

// One transaction for the whole batch; the completions run after it, whatever happened.
void QuoteWriter::commit(std::deque<Pending>& batch) {
    std::vector<Result> results(batch.size());
    try {
        data::Store& s = store();
        if (const auto now = std::chrono::steady_clock::now(); now >= next_purge_) {
            next_purge_ = now + purge_every;
            data::Idempotency(s).purge(utc_now_iso8601());
        }
        std::vector<data::QuoteWrite> writes;
        writes.reserve(batch.size());
        for (Pending& p : batch) writes.push_back(std::move(p.write));
        const auto stored = data::Quotes(s).write(writes);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            using Kind = data::QuoteWriteResult::Kind;
            results[i].kind = stored[i].kind == Kind::stored   ? Result::Kind::stored
                              : stored[i].kind == Kind::replay ? Result::Kind::replay
                                                               : Result::Kind::failed;
            results[i].existing = stored[i].existing;
            results[i].detail = stored[i].error;
        }
    } catch (const std::exception& e) {
        const auto storage = data::storage_error(e);
        const bool outside = storage && !storage->cause.empty();
        log("error", std::string("storing ") + std::to_string(batch.size()) + " quote request(s): " + e.what());
        if (!outside) store_.reset();  // a fresh connection for the next batch
        for (Result& r : results)
            r = Result{outside ? Result::Kind::unavailable : Result::Kind::failed, std::nullopt,
                       outside ? storage->cause : std::string(e.what())};
    }
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

void QuoteWriter::run_checkpoints() {
    std::unique_ptr<data::Store> store;
    auto last_error = std::chrono::steady_clock::time_point{};
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        checkpoint_wake_.wait_for(lock, options_.checkpoint_every, [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        try {
            if (!store) store = std::make_unique<data::Store>(options_.db_path,
                                                              data::StoreOptions{.historical_dir = options_.historical_dir});
            if (store->checkpoint(options_.wal_restart_bytes).restarted)
                wal_restarts_.fetch_add(1, std::memory_order_relaxed);
        } catch (const std::exception& e) {
            store.reset();
            if (const auto now = std::chrono::steady_clock::now(); now - last_error > std::chrono::minutes(1)) {
                last_error = now;
                log("warning", std::string("WAL checkpoint failed (retried every ") +
                                   std::to_string(options_.checkpoint_every.count()) + " ms): " + e.what());
            }
        }
        lock.lock();
    }
}

}  // namespace tanhui::api
