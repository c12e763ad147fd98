#include "risk/model/value.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace tanhui::risk {

namespace {

[[noreturn]] void wrong_kind(const Value& v, std::string_view wanted) {
    throw std::invalid_argument("expected " + std::string(wanted) + ", got " + std::string(kind_name(v)));
}

}  // namespace

bool Value::as_bool() const {
    if (const auto* b = std::get_if<bool>(&v_)) return *b;
    wrong_kind(*this, "a boolean");
}

std::int64_t Value::as_integer() const {
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
    if (const auto* u = std::get_if<std::uint64_t>(&v_);
        u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(*u);
    wrong_kind(*this, "an integer");
}

std::uint64_t Value::as_unsigned() const {
    if (const auto* u = std::get_if<std::uint64_t>(&v_)) return *u;
    if (const auto* i = std::get_if<std::int64_t>(&v_); i && *i >= 0) return static_cast<std::uint64_t>(*i);
    wrong_kind(*this, "an unsigned integer");
}

double Value::as_real() const {
    if (const auto* d = std::get_if<double>(&v_)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
    if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<double>(*u);
    wrong_kind(*this, "a number");
}

const std::string& Value::as_text() const {
    if (const auto* s = std::get_if<std::string>(&v_)) return *s;
    wrong_kind(*this, "a string");
}

const Value::List& Value::as_list() const {
    if (const auto* l = std::get_if<List>(&v_)) return *l;
    wrong_kind(*this, "an array");
}

const Value::Record& Value::as_record() const {
    if (const auto* r = std::get_if<Record>(&v_)) return *r;
    wrong_kind(*this, "an object");
}

const Value* Value::find(std::string_view key) const {
    const Record& r = as_record();
    const auto it = r.find(key);
    return it == r.end() ? nullptr : &it->second;
}

const Value& Value::at(std::string_view key) const {
    if (const Value* v = find(key)) return *v;
    throw std::invalid_argument("missing key \"" + std::string(key) + "\"");
}

Value& Value::operator[](std::string_view key) {
    if (is_null()) v_ = Record{};
    auto* r = std::get_if<Record>(&v_);
    if (!r) wrong_kind(*this, "an object");
    auto it = r->find(key);
    if (it == r->end()) it = r->emplace(std::string(key), Value()).first;
    return it->second;
}

void Value::push_back(Value v) {
    if (is_null()) v_ = List{};
    auto* l = std::get_if<List>(&v_);
    if (!l) wrong_kind(*this, "an array");
    l->push_back(std::move(v));
}

std::size_t Value::size() const {
    if (const auto* l = std::get_if<List>(&v_)) return l->size();
    if (const auto* r = std::get_if<Record>(&v_)) return r->size();
    return 0;
}

std::string_view kind_name(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return "a boolean";
    case Value::Kind::integer:
    case Value::Kind::unsigned_integer:
    case Value::Kind::real: return "a number";
    case Value::Kind::text: return "a string";
    case Value::Kind::list: return "an array";
    case Value::Kind::record: return "an object";
    }
    return "an unsupported value";
}

Value real_or_special(double v) {
    if (std::isnan(v)) return nullptr;
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
}

double real_or_special(const Value& v) {
    if (v.is_null()) return std::nan("");
    if (v.is_text()) return v.as_text() == "inf" ? INFINITY : -INFINITY;
    return v.as_real();
}

}  // namespace tanhui::risk
