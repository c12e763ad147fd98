#include "api/batch/mpi.hpp"

#include "api/batch/batch.hpp"

#ifdef TANHUI_HAVE_MPI
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace tanhui::api {

namespace batch {

#ifdef TANHUI_HAVE_MPI
void send_bytes(const std::string& bytes) {
    std::uint64_t n = bytes.size();
    MPI_Send(&n, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD);
    constexpr std::size_t piece = std::size_t{1} << 30;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        MPI_Send(bytes.data() + at, static_cast<int>(std::min(piece, bytes.size() - at)), MPI_CHAR, 0, 2, MPI_COMM_WORLD);
}
std::string receive_bytes(int from) {
    std::uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::string bytes(n, '\0');
    constexpr std::size_t piece = std::size_t{1} << 30;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        MPI_Recv(bytes.data() + at, static_cast<int>(std::min(piece, bytes.size() - at)), MPI_CHAR, from, 2, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    return bytes;
}
#else
[[noreturn]] void no_mpi() { throw std::runtime_error("this tanhui was built without MPI (OpenMPI not found at build time)"); }
void send_bytes(const std::string&) { no_mpi(); }
std::string receive_bytes(int) { no_mpi(); }
#endif

}  // namespace batch

#ifndef TANHUI_HAVE_MPI
using batch::no_mpi;
#endif

#ifdef TANHUI_HAVE_MPI
bool mpi_built() { return true; }

Cluster mpi_start() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
        MPI_Init(nullptr, nullptr);
        std::atexit([] {
            int finalised = 0;
            MPI_Finalized(&finalised);
            if (!finalised) MPI_Finalize();
        });
    }
    Cluster c;
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    return c;
}

void mpi_broadcast(const Cluster& cluster, std::string& text) {
    if (cluster.size <= 1) return;
    std::uint64_t n = text.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    text.resize(n);
    if (n > 0) MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

void mpi_barrier(const Cluster& cluster) {
    if (cluster.size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

void mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); std::abort(); }
#else
bool mpi_built() { return false; }
Cluster mpi_start() { no_mpi(); }
void mpi_broadcast(const Cluster& cluster, std::string&) {
    if (cluster.size > 1) no_mpi();
}
void mpi_barrier(const Cluster& cluster) {
    if (cluster.size > 1) no_mpi();
}
void mpi_abort(int code) { std::_Exit(code); }
#endif

}  // namespace tanhui::api
