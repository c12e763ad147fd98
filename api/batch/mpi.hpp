// The MPI side of a batch (docs/batch.md "MPI and clusters"): a finished chunk travels from rank
// r to rank 0 as the bytes of its checkpoint file. Without an MPI build these throw.
#pragma once

#include <string>

namespace tanhui::api::batch {

void send_bytes(const std::string& bytes);  // to rank 0
std::string receive_bytes(int from);

}  // namespace tanhui::api::batch
