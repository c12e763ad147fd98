// A SQLite VFS that writes each transaction's WAL frames with one system call.
//
// SQLite writes a WAL frame as two writes, its 24-byte header and then its page: a transaction of
// n pages costs 2n pwrite calls, each about 1.5 us of system time on the virtual machines this
// service runs on, and each 4,120-byte frame covers parts of two file-system blocks, which the
// kernel must read first when they are no longer cached (docs/performance.md, issue 18). This VFS
// wraps the default one and keeps a connection's WAL writes that follow one another in memory;
// it writes them, at their first offset, in one pwrite a 64 KiB (the default VFS's writes stay
// under 128 KiB), when
//   - the page of a commit frame (its header's "database size after commit" is not 0) has been
//     written, before that xWrite returns: SQLite publishes a commit only after, so a reader and a
//     recovery see the same file as without the VFS, and an acknowledged commit is in the file
//     (it survives kill -9 as before; an fsync, when SQLite asks for one, follows the write);
//   - a write does not continue or overwrite the kept range, the range reaches 4 MiB, or SQLite
//     calls any other method of the WAL file (read, sync, size, truncate, close ...);
//   - the connection's database file takes or releases a shared-memory lock or sets a barrier (a
//     transaction that rolled back after spilling frames is written before another connection,
//     or process, can take the write lock).
// The bytes written, and where, are SQLite's own: only the number of calls changes.
//
// Use: data::StoreOptions::coalesce_wal (the service's quote writer). One connection's files are
// used by one thread at a time, as SQLite requires of a connection.
#pragma once

#include <cstdint>

namespace tanhui::data {

// The VFS's name; registered (not as the default) on the first call, thread-safe.
const char* coalescing_wal_vfs();

// Process-wide counts since start, for tests and benchmarks.
struct CoalescingWalStats {
    std::uint64_t writes = 0;   // xWrite calls SQLite made on WAL files of this VFS
    std::uint64_t flushes = 0;  // pwrite calls made for them
};
CoalescingWalStats coalescing_wal_stats();

}  // namespace tanhui::data
