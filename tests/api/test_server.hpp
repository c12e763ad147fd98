// A server on an ephemeral port inside the test process, a small synchronous Beast client, and a
// small made-up database for the API tests.
#pragma once

#include "tests/data/test_db.hpp"
#include "api/http/auth.hpp"
#include "api/http/server.hpp"
#include "data/import/import.hpp"
#include "data/store/schema.hpp"
#include "data/store/store.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Made-up rows in the shape of data/historical (not real data; only the first FJEA price,
// 2016-12-22 at 34.88, is copied from data/historical/prices_FJEA.csv).
inline void build_test_database(const std::filesystem::path& path) {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    data::configure_connection(db);
    data::migrate(db);
    data::import_csv(db, "regions", "regions.csv",
                     "code,level,name_zh,name_pinyin,parent_code\n"
                     "CN,country,中国,zhong guo,\n"
                     "35,province,福建省,fu jian,CN\n"
                     "3508,prefecture,龙岩市,long yan,35\n"
                     "350802,county,新罗区,xin luo,3508\n");
    data::import_csv(db, "markets", "markets.csv",
                     "market,name_en,name_zh,exchange,currency,unit,first_date,last_date,observations,source\n"
                     "FJEA,Fujian pilot ETS allowance,福建碳排放配额,Haixia Exchange,CNY,CNY/tCO2e,,,,test\n"
                     "CEA,China national ETS allowance,全国碳排放配额,SEEE,CNY,CNY/tCO2e,,,,test\n"
                     "EMPTY,A market without prices,空,None,CNY,CNY/tCO2e,,,,test\n");
    data::import_csv(db, "prices", "prices_FJEA.csv",
                     "date,close,volume_t,currency,traded,source\n"
                     "2016-12-22,34.88,,CNY,1,test\n"
                     "2016-12-23,34.36,1200,CNY,1,test\n"
                     "2016-12-26,34.36,,CNY,0,test\n"
                     "2017-01-03,30.5,500,CNY,1,test\n");
    data::import_csv(db, "prices", "prices_CEA.csv",
                     "date,close,volume_t,currency,traded,source\n"
                     "2021-07-16,51.23,4104953,CNY,1,test\n");
    data::import_csv(db, "fire", "fire_history.csv",
                     "region,year,fires,fires_general,fires_larger,fires_major,fires_extreme,burned_area_ha,"
                     "forest_damaged_ha,casualties,deaths,other_losses_10k_cny,source\n"
                     "35,2004,500,300,190,10,0,9000.5,4000.25,1,0,0,test\n"
                     "35,2005,400,250,140,10,0,7000,3000,0,0,0,test\n"
                     "35,2006,300,200,95,5,0,5000,2000,0,0,0,test\n");
    data::import_csv(db, "pest", "pest_history.csv",
                     "region,year,pest,occurrence_area_ha,control_area_ha,control_rate_pct,source\n"
                     "CN,2004,all,9000000,6000000,66,test\n"
                     "CN,2004,pine_wilt,80000,70000,87,test\n"
                     "CN,2005,pine_wilt,90000,80000,88,test\n");
}

inline api::NewKey add_key(const std::filesystem::path& db_path, api::Role role, const std::string& name) {
    data::Store store(db_path);
    return api::create_key(store, role, name);
}

struct Reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    bool keep_alive = true;

    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(std::string name) const {
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// One keep-alive connection; every operation gives up after `timeout`. `source` is the client's
// own address (any of 127.0.0.0/8 on Linux), for tests of limits per client address.
class Client {
public:
    explicit Client(unsigned short port, std::chrono::seconds timeout = std::chrono::seconds(20),
                    const std::string& source = "127.0.0.1")
        : stream_(ioc_), timeout_(timeout) {
        stream_.socket().open(tcp::v4());
        stream_.socket().bind(tcp::endpoint(net::ip::make_address(source), 0));
        stream_.expires_after(timeout_);
        stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }

    Reply request(http::verb method, const std::string& target, std::string body = {},
                  const std::string& content_type = {},
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!content_type.empty()) req.set(http::field::content_type, content_type);
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = std::move(body);
        req.prepare_payload();
        stream_.expires_after(timeout_);
        http::write(stream_, req);
        return read();
    }
    Reply get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        return request(http::verb::get, target, {}, {}, headers);
    }
    Reply post(const std::string& target, std::string body, const std::string& content_type = "application/json",
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        return request(http::verb::post, target, std::move(body), content_type, headers);
    }

    // Sends bytes as they are; `half_close` then shuts the sending side down.
    void send_raw(std::string_view bytes, bool half_close = false) {
        stream_.expires_after(timeout_);
        net::write(stream_.socket(), net::buffer(bytes.data(), bytes.size()));
        if (half_close) stream_.socket().shutdown(tcp::socket::shutdown_send);
    }
    Reply raw(std::string_view bytes, bool half_close = false) {
        send_raw(bytes, half_close);
        return read();
    }

    Reply read() {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        stream_.expires_after(timeout_);
        http::read(stream_, buffer_, parser);
        auto res = parser.release();
        Reply r;
        r.status = static_cast<int>(res.result_int());
        r.keep_alive = res.keep_alive();
        for (const auto& f : res) {
            std::string name(f.name_string().data(), f.name_string().size());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
            r.headers[name] = std::string(f.value().data(), f.value().size());
        }
        r.body = std::move(res.body());
        return r;
    }

    // True when the server has closed the connection (reads EOF or a reset within the timeout).
    bool closed_by_server() {
        char c;
        beast::error_code ec;
        stream_.expires_after(timeout_);
        stream_.socket().wait(tcp::socket::wait_read, ec);
        if (ec) return true;
        stream_.socket().read_some(net::buffer(&c, 1), ec);
        return ec == net::error::eof || ec == net::error::connection_reset;
    }

    tcp::socket& socket() { return stream_.socket(); }

private:
    net::io_context ioc_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::chrono::seconds timeout_;
};

// A Server on 127.0.0.1:0 over its own copy of the test database, with the service's routes and
// any test routes; its log is kept in memory.
class TestServer {
public:
    struct Setup {
        std::function<void(api::ServerOptions&)> options;
        std::vector<api::Registrar> extra;      // test routes
        bool service_routes = true;
        std::function<void(const std::filesystem::path&)> database;  // e.g. create keys
        bool start = true;
        bool historical = false;  // the real database built from data/historical instead
    };

    explicit TestServer(const std::function<void(Setup&)>& configure = nullptr) {
        Setup setup;
        if (configure) configure(setup);
        db_ = dir_ / "api.db";
        if (setup.historical) data::build_database(db_, historical_dir());
        else build_test_database(db_);
        if (setup.database) setup.database(db_);
        api::ServerOptions o;
        o.listen = "127.0.0.1";
        o.port = 0;
        o.io_threads = 2;
        o.worker_threads = 2;
        o.db_path = db_;
        o.historical_dir = dir_ / "no-historical";
        o.shutdown_grace = std::chrono::seconds(10);
        o.log = [this](std::string_view line) {
            std::lock_guard lock(log_mutex_);
            log_.emplace_back(line);
        };
        if (setup.options) setup.options(o);
        std::vector<api::Registrar> registrars;
        if (setup.service_routes) registrars = api::service_registrars();
        for (auto& r : setup.extra) registrars.push_back(std::move(r));
        server_ = std::make_unique<api::Server>(o, registrars);
        if (setup.start) server_->start();
    }
    ~TestServer() {
        if (server_) {
            server_->stop();
            server_->wait();
        }
    }

    api::Server& server() { return *server_; }
    unsigned short port() const { return server_->port(); }
    const std::filesystem::path& db() const { return db_; }
    const TempDir& dir() const { return dir_; }
    Client client() { return Client(port()); }
    std::vector<std::string> log() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }

private:
    TempDir dir_;
    std::filesystem::path db_;
    std::mutex log_mutex_;
    std::vector<std::string> log_;
    std::unique_ptr<api::Server> server_;
};

// A problem+json reply: the status, the media type, and the members RFC 9457 requires.
inline void expect_problem(const Reply& r, int status, const std::string& first_path = "\x01") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.value("status", 0), status);
    EXPECT_TRUE(j.contains("type") && j.contains("title") && j.contains("detail")) << r.body;
    ASSERT_TRUE(j.contains("errors") && j["errors"].is_array()) << r.body;
    if (first_path != "\x01") {
        ASSERT_FALSE(j["errors"].empty()) << r.body;
        EXPECT_EQ(j["errors"][0].value("path", "?"), first_path) << r.body;
    }
}

}  // namespace tanhui::testing
