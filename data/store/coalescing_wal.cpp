#include "data/store/coalescing_wal.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace tanhui::data {

namespace {

constexpr const char* vfs_name = "tanhui-coalescing-wal";
constexpr std::size_t max_kept_bytes = std::size_t{4} << 20;
// The default (unix) VFS writes at most 128 KiB - 1 bytes a call: its seekAndWrite masks the
// count with 0x1ffff, and a write of a multiple of 128 KiB then fails as SQLITE_FULL. Kept
// ranges go out in chunks of 64 KiB (16 pages, 15 frames).
constexpr std::size_t max_write_bytes = std::size_t{64} << 10;
constexpr int frame_header_bytes = 24;  // SQLite's WAL frame header (https://sqlite.org/fileformat2.html#walformat)

std::atomic<std::uint64_t> wal_writes{0};
std::atomic<std::uint64_t> wal_flushes{0};

sqlite3_vfs* real_vfs = nullptr;  // the default VFS, wrapped
sqlite3_vfs vfs{};

// One open file of this VFS; the real file lives right after it, in the same allocation
// (sqlite3_vfs::szOsFile). SQLite allocates the memory and gives it to xOpen uninitialised.
struct Handle {
    sqlite3_file base{};           // pMethods: &wal_methods for a WAL file, else &file_methods
    sqlite3_file* real = nullptr;  // the default VFS's file
    Handle* wal = nullptr;         // a database file: its connection's WAL file, once open
    Handle* db = nullptr;          // a WAL file: its connection's database file
    std::vector<unsigned char> kept;  // a WAL file: writes not yet made, from kept_offset on
    sqlite3_int64 kept_offset = 0;
    bool commit_header = false;  // the last write was the header of a commit frame
    int deferred = SQLITE_OK;    // a failed write from a method that cannot report it
};

constexpr std::size_t handle_bytes = (sizeof(Handle) + 15) / 16 * 16;

Handle* handle(sqlite3_file* f) { return reinterpret_cast<Handle*>(f); }
const sqlite3_io_methods& real_methods(Handle* h) { return *h->real->pMethods; }

// Writes the kept range, one call a chunk; empty afterwards, whatever the outcome.
int flush(Handle* h) {
    if (h->kept.empty()) return SQLITE_OK;
    int rc = SQLITE_OK;
    for (std::size_t at = 0; at < h->kept.size() && rc == SQLITE_OK; at += max_write_bytes) {
        const std::size_t n = std::min(max_write_bytes, h->kept.size() - at);
        rc = real_methods(h).xWrite(h->real, h->kept.data() + at, static_cast<int>(n),
                                    h->kept_offset + static_cast<sqlite3_int64>(at));
        wal_flushes.fetch_add(1, std::memory_order_relaxed);
    }
    h->kept.clear();
    h->commit_header = false;
    return rc;
}

// flush() before a method of the WAL file; a write that failed earlier where it could not be
// reported is reported here.
int flush_before(Handle* h) {
    const int rc = flush(h);
    if (rc != SQLITE_OK) return rc;
    return std::exchange(h->deferred, SQLITE_OK);
}

// The database file's shared-memory lock or barrier: its connection's WAL writes go first.
void flush_linked_wal(Handle* db) {
    if (db->wal == nullptr) return;
    const int rc = flush(db->wal);
    if (rc != SQLITE_OK && db->wal->deferred == SQLITE_OK) db->wal->deferred = rc;
}

// ---- WAL files -----------------------------------------------------------------------------

int wal_close(sqlite3_file* f) {
    Handle* h = handle(f);
    const int flushed = flush(h);
    if (h->db != nullptr) h->db->wal = nullptr;
    const int rc = real_methods(h).xClose(h->real);
    h->~Handle();
    return flushed != SQLITE_OK ? flushed : rc;
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    Handle* h = handle(f);
    wal_writes.fetch_add(1, std::memory_order_relaxed);
    if (h->deferred != SQLITE_OK) return std::exchange(h->deferred, SQLITE_OK);
    const auto* bytes = static_cast<const unsigned char*>(data);
    const auto n = static_cast<std::size_t>(amount);
    const sqlite3_int64 end = h->kept_offset + static_cast<sqlite3_int64>(h->kept.size());
    if (!h->kept.empty() && offset >= h->kept_offset && offset + amount <= end) {
        // SQLite rewriting a frame of the transaction in place (or its checksums).
        std::memcpy(h->kept.data() + (offset - h->kept_offset), bytes, n);
    } else {
        if (!h->kept.empty() && offset != end) {
            if (const int rc = flush(h); rc != SQLITE_OK) return rc;
        }
        if (h->kept.empty()) h->kept_offset = offset;
        h->kept.insert(h->kept.end(), bytes, bytes + n);
    }
    if (amount == frame_header_bytes) {
        // Bytes 4-7: the database's size in pages after a commit, 0 in any other frame.
        h->commit_header = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
        return h->kept.size() >= max_kept_bytes ? flush(h) : SQLITE_OK;
    }
    if (h->commit_header || h->kept.size() >= max_kept_bytes) return flush(h);
    return SQLITE_OK;
}

// Any other method of a WAL file: the kept range first, then the real file's method.
template <auto method, class... Args>
int wal_flushed(sqlite3_file* f, Args... args) {
    Handle* h = handle(f);
    if (const int rc = flush_before(h); rc != SQLITE_OK) return rc;
    return (real_methods(h).*method)(h->real, args...);
}

// ---- any file: forwarded ----------------------------------------------------------------------

int file_close(sqlite3_file* f) {
    Handle* h = handle(f);
    flush_linked_wal(h);
    if (h->wal != nullptr) h->wal->db = nullptr;
    const int rc = real_methods(h).xClose(h->real);
    h->~Handle();
    return rc;
}

template <auto method, class... Args>
int forwarded(sqlite3_file* f, Args... args) {
    return (real_methods(handle(f)).*method)(handle(f)->real, args...);
}

int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    const auto& m = real_methods(handle(f));
    return m.iVersion >= 2 && m.xShmMap ? m.xShmMap(handle(f)->real, region, size, extend, out) : SQLITE_IOERR_SHMMAP;
}
int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    flush_linked_wal(handle(f));
    const auto& m = real_methods(handle(f));
    return m.iVersion >= 2 && m.xShmLock ? m.xShmLock(handle(f)->real, offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}
void shm_barrier(sqlite3_file* f) {
    flush_linked_wal(handle(f));
    const auto& m = real_methods(handle(f));
    if (m.iVersion >= 2 && m.xShmBarrier) m.xShmBarrier(handle(f)->real);
}
int shm_unmap(sqlite3_file* f, int delete_flag) {
    const auto& m = real_methods(handle(f));
    return m.iVersion >= 2 && m.xShmUnmap ? m.xShmUnmap(handle(f)->real, delete_flag) : SQLITE_OK;
}
int fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    const auto& m = real_methods(handle(f));
    if (m.iVersion >= 3 && m.xFetch) return m.xFetch(handle(f)->real, offset, amount, out);
    *out = nullptr;
    return SQLITE_OK;
}
int unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    const auto& m = real_methods(handle(f));
    return m.iVersion >= 3 && m.xUnfetch ? m.xUnfetch(handle(f)->real, offset, p) : SQLITE_OK;
}

using Methods = sqlite3_io_methods;

const Methods file_methods = {
    3,
    file_close,
    forwarded<&Methods::xRead, void*, int, sqlite3_int64>,
    forwarded<&Methods::xWrite, const void*, int, sqlite3_int64>,
    forwarded<&Methods::xTruncate, sqlite3_int64>,
    forwarded<&Methods::xSync, int>,
    forwarded<&Methods::xFileSize, sqlite3_int64*>,
    forwarded<&Methods::xLock, int>,
    forwarded<&Methods::xUnlock, int>,
    forwarded<&Methods::xCheckReservedLock, int*>,
    forwarded<&Methods::xFileControl, int, void*>,
    forwarded<&Methods::xSectorSize>,
    forwarded<&Methods::xDeviceCharacteristics>,
    shm_map,
    shm_lock,
    shm_barrier,
    shm_unmap,
    fetch,
    unfetch,
};

// A WAL file's: its writes kept, every other method after a flush. SQLite never memory-maps a
// WAL file, and a WAL file has no shared memory of its own (those stay forwarded).
Methods make_wal_methods() {
    Methods m = file_methods;
    m.xClose = wal_close;
    m.xRead = wal_flushed<&Methods::xRead, void*, int, sqlite3_int64>;
    m.xWrite = wal_write;
    m.xTruncate = wal_flushed<&Methods::xTruncate, sqlite3_int64>;
    m.xSync = wal_flushed<&Methods::xSync, int>;
    m.xFileSize = wal_flushed<&Methods::xFileSize, sqlite3_int64*>;
    m.xLock = wal_flushed<&Methods::xLock, int>;
    m.xUnlock = wal_flushed<&Methods::xUnlock, int>;
    m.xCheckReservedLock = wal_flushed<&Methods::xCheckReservedLock, int*>;
    m.xFileControl = wal_flushed<&Methods::xFileControl, int, void*>;
    return m;
}
const Methods wal_methods = make_wal_methods();

// ---- the VFS ---------------------------------------------------------------------------------

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    Handle* h = new (f) Handle{};
    h->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<unsigned char*>(f) + handle_bytes);
    h->real->pMethods = nullptr;
    const int rc = real_vfs->xOpen(real_vfs, name, h->real, flags, out_flags);
    if (rc != SQLITE_OK || h->real->pMethods == nullptr) {
        if (h->real->pMethods != nullptr) h->real->pMethods->xClose(h->real);
        h->~Handle();
        f->pMethods = nullptr;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    if ((flags & SQLITE_OPEN_WAL) != 0) {
        h->base.pMethods = &wal_methods;
        // The connection's database file (SQLite names the WAL after it): linked both ways, so
        // that its shared-memory locks and barriers write this file's kept range first.
        sqlite3_file* db = sqlite3_database_file_object(name);
        if (db != nullptr && db->pMethods == &file_methods) {
            h->db = handle(db);
            h->db->wal = h;
        }
    } else {
        h->base.pMethods = &file_methods;
    }
    return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) { return real_vfs->xDelete(real_vfs, name, sync_dir); }
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) { return real_vfs->xAccess(real_vfs, name, flags, out); }
int full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void dl_error(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*dl_sym(sqlite3_vfs*, void* lib, const char* name))(void) { return real_vfs->xDlSym(real_vfs, lib, name); }
void dl_close(sqlite3_vfs*, void* lib) { real_vfs->xDlClose(real_vfs, lib); }
int randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int vfs_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int last_error(sqlite3_vfs*, int n, char* out) { return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0; }
int current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64) return real_vfs->xCurrentTimeInt64(real_vfs, out);
    double days = 0;
    const int rc = real_vfs->xCurrentTime(real_vfs, &days);
    *out = static_cast<sqlite3_int64>(days * 86'400'000.0);
    return rc;
}

}  // namespace

const char* coalescing_wal_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        real_vfs = sqlite3_vfs_find(nullptr);
        vfs.iVersion = 2;
        vfs.szOsFile = static_cast<int>(handle_bytes) + real_vfs->szOsFile;
        vfs.mxPathname = real_vfs->mxPathname;
        vfs.zName = vfs_name;
        vfs.xOpen = vfs_open;
        vfs.xDelete = vfs_delete;
        vfs.xAccess = vfs_access;
        vfs.xFullPathname = full_pathname;
        vfs.xDlOpen = dl_open;
        vfs.xDlError = dl_error;
        vfs.xDlSym = dl_sym;
        vfs.xDlClose = dl_close;
        vfs.xRandomness = randomness;
        vfs.xSleep = vfs_sleep;
        vfs.xCurrentTime = current_time;
        vfs.xGetLastError = last_error;
        vfs.xCurrentTimeInt64 = current_time_int64;
        sqlite3_vfs_register(&vfs, 0);
    });
    return vfs_name;
}

CoalescingWalStats coalescing_wal_stats() {
    return {wal_writes.load(std::memory_order_relaxed), wal_flushes.load(std::memory_order_relaxed)};
}

}  // namespace tanhui::data
