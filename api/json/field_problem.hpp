// One bad field of a request: its JSON pointer and what is wrong. Shared by the decoders
// (api/json/reader.hpp) and problem+json (api/json/problem.hpp).
#pragma once

#include "risk/model/record_reader.hpp"

namespace tanhui::api {

// {pointer, message}: the same type a peril's override decoder (risk/model/record_reader.hpp) fills.
using FieldProblem = risk::FieldProblem;

}  // namespace tanhui::api
