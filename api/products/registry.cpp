// The only list of quote products (DESIGN "Architecture"). A product is pricing/<p>.{hpp,cpp},
// api/products/<p>.cpp (which defines <p>_entry()) and one line here; docs/architecture.md has
// the recipe. A static library drops self-registering statics, so the list is explicit.
#include "api/products/registry.hpp"

namespace tanhui::api {

// Defined in api/products/<product>.cpp.
ProductEntry index_insurance_entry();
ProductEntry price_insurance_entry();
ProductEntry revenue_insurance_entry();
ProductEntry sink_insurance_entry();

std::span<const ProductEntry> product_registry() {
    static const ProductEntry products[] = {
        index_insurance_entry(),
        price_insurance_entry(),
        revenue_insurance_entry(),
        sink_insurance_entry(),
    };
    return products;
}

const ProductEntry* find_product(std::string_view name) {
    for (const auto& p : product_registry())
        if (p.name == name) return &p;
    return nullptr;
}

std::vector<std::string> product_names() {
    std::vector<std::string> names;
    for (const auto& p : product_registry()) names.emplace_back(p.name);
    return names;
}

}  // namespace tanhui::api
