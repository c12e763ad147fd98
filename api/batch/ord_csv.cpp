#include "api/batch/ord_csv.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <unistd.h>

namespace tanhui::api {

void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) throw std::domain_error("cannot write a non-finite number");
    if (v == 0) v = 0;  // -0 and +0 print the same
    // The longest plain decimal of a double: 1.8e308 has 309 digits, 4.9e-324 has 324 after "0.".
    char buf[400];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, r.ptr);
}

namespace {
// JSON: the shortest round-trip text (an exponent where it is shorter).
void append_json_number(std::string& out, double v) {
    if (v == 0) v = 0;
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}
}  // namespace

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

std::string format_number(double v) {
    std::string s;
    append_number(s, v);
    return s;
}

namespace {

void append_int(std::string& out, long long v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// A field of an ORD row: a floating-point number in its shortest round-trip form, an integer as
// digits, text as it is.
template <class T>
void append_field(std::string& out, const T& v) {
    if constexpr (std::is_floating_point_v<T>) append_number(out, static_cast<double>(v));
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) append_int(out, v);
    else if constexpr (std::is_integral_v<T>) append_number(out, std::uint64_t{v});
    else out += std::string_view(v);
}

// One ORD row: the fields separated by commas, then a newline.
template <class... Fields>
void append_row(std::string& out, const Fields&... fields) {
    bool first = true;
    ((out += first ? "" : ",", first = false, append_field(out, fields)), ...);
    out += '\n';
}

std::system_error file_error(const std::string& what, const std::filesystem::path& path) {
    return std::system_error(errno, std::generic_category(), what + " " + path.string());
}

}  // namespace

std::string alt_csv(const risk::AltRow& row) {
    std::string s(alt_header);
    s += '\n';
    append_row(s, row.summary_id, row.sample_type, row.mean_loss, row.sd_loss);
    return s;
}

std::string alct_csv(const risk::AlctRow& r) {
    std::string s(alct_header);
    s += '\n';
    append_row(s, r.summary_id, r.mean_loss, r.sd_loss, std::uint64_t{r.sample_size}, r.lower_ci, r.upper_ci,
               r.standard_error, r.relative_error, r.var_element_haz, r.standard_error_haz, r.relative_error_haz,
               r.var_element_vuln, r.standard_error_vuln, r.relative_error_vuln);
    return s;
}

std::string ept_csv(std::span<const risk::EptRow> rows) {
    std::string s(ept_header);
    s += '\n';
    for (const auto& r : rows) append_row(s, r.summary_id, r.ep_calc, r.ep_type, r.return_period, r.loss);
    return s;
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    temporary_ = path_;
    temporary_ += ".tmp-" + std::to_string(::getpid());
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw file_error("cannot create", temporary_);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temporary_.c_str());
    }
}

void AtomicFile::write(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= (1u << 20)) flush();
}

void AtomicFile::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw file_error("cannot write", temporary_);
        }
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

void AtomicFile::commit() {
    flush();
    if (::fsync(fd_) != 0) throw file_error("cannot sync", temporary_);
    if (::close(fd_) != 0) {
        fd_ = -1;
        throw file_error("cannot close", temporary_);
    }
    fd_ = -1;
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
        const auto e = file_error("cannot rename into", path_);
        ::unlink(temporary_.c_str());
        throw e;
    }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

void write_ylt(const std::filesystem::path& path, std::span<const double> annual_loss) {
    AtomicFile f(path);
    f.write(ylt_header);
    f.write("\n");
    std::string s;  // one row at a time; AtomicFile buffers the writes
    for (std::size_t y = 0; y < annual_loss.size(); ++y) {
        s.clear();
        append_row(s, std::uint64_t{y + 1}, annual_loss[y]);
        f.write(s);
    }
    f.commit();
}

void write_selt(const std::filesystem::path& path, std::span<const OrdOccurrence> rows) {
    AtomicFile f(path);
    f.write(selt_header);
    f.write("\n");
    std::string s;  // one row at a time; AtomicFile buffers the writes
    for (const auto& r : rows) {
        s.clear();
        append_row(s, std::uint64_t{r.period}, 1, 1, r.loss, r.impacted_exposure);  // SummaryId 1, SampleId 1
        f.write(s);
    }
    f.commit();
}

void write_splt(const std::filesystem::path& path, std::span<const OrdOccurrence> rows, std::size_t years) {
    AtomicFile f(path);
    std::string weight;
    append_number(weight, 1.0 / static_cast<double>(years));
    f.write(splt_header);
    f.write("\n");
    std::string s;  // one row at a time; AtomicFile buffers the writes
    for (const auto& r : rows) {
        s.clear();
        const std::uint64_t period = r.period;
        // Period, PeriodWeight, EventId = Year = the period; Month, Day, Hour, Minute 0; SummaryId 1, SampleId 1
        append_row(s, period, std::string_view(weight), period, period, 0, 0, 0, 0, 1, 1, r.loss, r.impacted_exposure);
        f.write(s);
    }
    f.commit();
}

namespace {

template <class Json>
void dump(std::string& out, const Json& j, int indent, int depth) {
    const auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * d), ' ');
    };
    switch (j.type()) {
    case Json::value_t::object: {
        if (j.empty()) { out += "{}"; return; }
        out += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            out += Json(it.key()).dump();
            out += indent < 0 ? ":" : ": ";
            dump(out, it.value(), indent, depth + 1);
        }
        newline(depth);
        out += '}';
        return;
    }
    case Json::value_t::array: {
        if (j.empty()) { out += "[]"; return; }
        out += '[';
        bool first = true;
        for (const auto& v : j) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            dump(out, v, indent, depth + 1);
        }
        newline(depth);
        out += ']';
        return;
    }
    case Json::value_t::number_float: {
        const double v = j.template get<double>();
        if (std::isfinite(v)) append_json_number(out, v);
        else out += "null";
        return;
    }
    default:
        out += j.dump();
    }
}

}  // namespace

std::string dump_json(const nlohmann::json& j, int indent) {
    std::string out;
    dump(out, j, indent, 0);
    return out;
}

std::string dump_json(const nlohmann::ordered_json& j, int indent) {
    std::string out;
    dump(out, j, indent, 0);
    return out;
}

}  // namespace tanhui::api
