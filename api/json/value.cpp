#include "api/json/value.hpp"

#include <stdexcept>

namespace tanhui::api {

risk::Value to_value(const nlohmann::json& j) {
    using T = nlohmann::json::value_t;
    switch (j.type()) {
    case T::null: return nullptr;
    case T::boolean: return j.get<bool>();
    case T::number_integer: return j.get<std::int64_t>();
    case T::number_unsigned: return j.get<std::uint64_t>();
    case T::number_float: return j.get<double>();
    case T::string: return j.get<std::string>();
    case T::array: {
        risk::Value::List list;
        list.reserve(j.size());
        for (const auto& x : j) list.push_back(to_value(x));
        return list;
    }
    case T::object: {
        risk::Value::Record record;
        for (const auto& [key, x] : j.items()) record.emplace(key, to_value(x));
        return record;
    }
    default: throw std::invalid_argument("a JSON value of an unsupported type (binary or discarded)");
    }
}

nlohmann::json to_json(const risk::Value& v) {
    using K = risk::Value::Kind;
    switch (v.kind()) {
    case K::null: return nullptr;
    case K::boolean: return v.as_bool();
    case K::integer: return v.as_integer();
    case K::unsigned_integer: return v.as_unsigned();
    case K::real: return v.as_real();
    case K::text: return v.as_text();
    case K::list: {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& x : v.as_list()) a.push_back(to_json(x));
        return a;
    }
    case K::record: {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& [key, x] : v.as_record()) o[key] = to_json(x);
        return o;
    }
    }
    return nullptr;
}

}  // namespace tanhui::api
