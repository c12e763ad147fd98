// One bad field of a request: its JSON pointer and what is wrong. Shared by the decoders
// (api/json/reader.hpp) and problem+json (api/json/problem.hpp).
#pragma once

#include <string>

namespace tanhui::api {

struct FieldProblem {
    std::string pointer;  // JSON pointer (RFC 6901), "" = the whole document
    std::string message;
};

}  // namespace tanhui::api
