// Holdings (table holdings): the forest stands users import (`tanhui data import holdings`), and
// the same checks for a holdings file that is only read (a batch's --holdings file).
#pragma once

#include "data/repositories/repository.hpp"
#include "data/types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tanhui::data {

class Holdings : public Repository {
public:
    explicit Holdings(Store& store) : Repository(store) {}

    // Every stored holding in import order, region codes in their short form.
    std::vector<Holding> all();

    // The holdings of a CSV in the import format (data/import/import.cpp kind "holdings"), checked
    // exactly as an import checks them, against the store's regions, without writing the store.
    // `file` names the text in messages. Throws ImportError, as the import would.
    std::vector<Holding> parse_csv(const std::string& file, std::string_view text);
};

}  // namespace tanhui::data
