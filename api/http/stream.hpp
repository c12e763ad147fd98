// A connection's byte stream: plain TCP, or TLS over it (Beast's ssl_stream on OpenSSL) when the
// server was given --tls-cert and --tls-key. The session reads and writes through it without
// knowing which; Beast's algorithms see an AsyncReadStream and AsyncWriteStream. Internal to the
// server (api/http/session.cpp).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <optional>
#include <utility>

namespace tanhui::api {

class Stream {
public:
    using executor_type = boost::asio::any_io_executor;

    // TLS when `tls` is given (the server's context, which must outlive the stream).
    Stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context* tls) {
        if (tls) tls_.emplace(std::move(socket), *tls);
        else plain_.emplace(std::move(socket));
    }

    bool is_tls() const { return tls_.has_value(); }
    executor_type get_executor() { return tcp().get_executor(); }
    // The TCP layer: time-outs, the socket (cancel, shutdown, addresses).
    boost::beast::tcp_stream& tcp() { return plain_ ? *plain_ : boost::beast::get_lowest_layer(*tls_); }

    template <class MutableBuffers, class Handler>
    auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
        return plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
    template <class ConstBuffers, class Handler>
    auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        if (tls_) return tls_->async_write_some(buffers, std::forward<Handler>(handler));
        return plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
    // TLS only: the server side of the handshake, and the close_notify exchange.
    template <class Handler>
    void async_handshake(Handler&& handler) {
        tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
    }
    template <class Handler>
    void async_shutdown(Handler&& handler) {
        tls_->async_shutdown(std::forward<Handler>(handler));
    }

private:
    std::optional<boost::beast::tcp_stream> plain_;
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

}  // namespace tanhui::api
