// A neutral value tree: how a peril reads its quote override and writes and reads its calibrated
// parameters without risk/ knowing JSON (issue 15, item 3). The shape is JSON's (null, boolean,
// numbers, text, lists, records) so that api/json/value.hpp converts both ways without loss:
// integers stay integers (signed or unsigned), reals stay reals, and a record keeps its keys in
// byte order, the order nlohmann::json keeps and dumps them in. This is ORE's pattern: a trade
// reads and writes itself through a neutral document, and only the edge knows the format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace tanhui::risk {

class Value {
public:
    using List = std::vector<Value>;
    using Record = std::map<std::string, Value, std::less<>>;
    enum class Kind : std::uint8_t { null, boolean, integer, unsigned_integer, real, text, list, record };

    Value() = default;  // null
    Value(std::nullptr_t) {}
    Value(bool b) : v_(b) {}
    template <class I>
        requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
    Value(I i) {
        if constexpr (std::is_signed_v<I>) v_ = static_cast<std::int64_t>(i);
        else v_ = static_cast<std::uint64_t>(i);
    }
    Value(double d) : v_(d) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    Value(List l) : v_(std::move(l)) {}
    Value(Record r) : v_(std::move(r)) {}
    // A list of the elements of a vector (numbers, text ...), each converted as above.
    template <class T>
    Value(const std::vector<T>& items) : v_(List(items.begin(), items.end())) {}

    static Value record() { return Value(Record{}); }
    static Value list() { return Value(List{}); }

    Kind kind() const { return static_cast<Kind>(v_.index()); }
    bool is_null() const { return kind() == Kind::null; }
    bool is_number() const { return kind() == Kind::integer || kind() == Kind::unsigned_integer || kind() == Kind::real; }
    bool is_text() const { return kind() == Kind::text; }
    bool is_list() const { return kind() == Kind::list; }
    bool is_record() const { return kind() == Kind::record; }

    // Typed reads; each throws std::invalid_argument naming the kind when the value is another.
    bool as_bool() const;
    std::int64_t as_integer() const;  // a signed integer, or an unsigned one that fits
    std::uint64_t as_unsigned() const;
    double as_real() const;  // any number
    const std::string& as_text() const;
    const List& as_list() const;
    const Record& as_record() const;

    // Records: find gives nullptr when the key is absent; at throws std::invalid_argument naming
    // the key; operator[] makes a null value a record and inserts the key when absent.
    const Value* find(std::string_view key) const;
    const Value& at(std::string_view key) const;
    Value& operator[](std::string_view key);
    // Lists: push_back makes a null value a list.
    void push_back(Value v);
    std::size_t size() const;  // elements of a list or record, else 0

    bool operator==(const Value&) const = default;

private:
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, List, Record> v_;
};

// "null", "a boolean", "a number", "a string", "an array", "an object": the words a problem uses
// for what it got (the request's words, as api/json/reader.hpp's).
std::string_view kind_name(const Value& v);

// Calibration reports write a number that may be NaN or infinite as JSON cannot hold it: NaN as
// null, infinity as "inf" or "-inf" (the stored calibrations of every model version do, and the
// version is a hash over them). real_or_special reads them back (null: NaN).
Value real_or_special(double v);
double real_or_special(const Value& v);

}  // namespace tanhui::risk
