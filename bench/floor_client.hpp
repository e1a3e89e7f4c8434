#ifndef BATCHWIRE_BENCH_FLOOR_CLIENT_HPP
#define BATCHWIRE_BENCH_FLOOR_CLIENT_HPP

// The floor client_bench compares batchwire with: a minimal Beast coroutine client doing
// the same work and nothing else. `concurrency` coroutines, each on its own keep-alive
// connection (TLS 1.2+, peer and host name verified, SNI set, as batchwire does), send the
// same request in a loop and boost::json::parse each body. No retries, timeouts, pool,
// cancellation or logging: what those cost is what the ratios show.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <openssl/ssl.h>

namespace batchwire::bench {

struct floor_target {
    bool tls = true;
    std::string host;
    std::uint16_t port = 443;
    std::string path_prefix; // "/v1"
};

// "https://127.0.0.1:8443/v1" -> {tls, "127.0.0.1", 8443, "/v1"}. IP literals only: the
// benchmark never resolves names, so neither side pays for it.
inline floor_target parse_floor_target(const std::string& url)
{
    floor_target t;
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        t.tls = false;
        t.port = 80;
        rest = url.substr(7);
    } else {
        throw std::invalid_argument("base URL must be http:// or https://");
    }
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    t.path_prefix = slash == std::string::npos ? "" : rest.substr(slash);
    while (!t.path_prefix.empty() && t.path_prefix.back() == '/')
        t.path_prefix.pop_back();
    const auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
        t.port = static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
        authority.resize(colon);
    }
    t.host = authority;
    return t;
}

struct floor_settings {
    floor_target target;
    std::string ca_file;
    std::string api_key;
    std::string target_path; // "/v1/batches/batch_x" or ".../cancel"
    bool post = false;
    int n = 0;
    int concurrency = 1;
};

struct floor_counts {
    int done = 0;
    int errors = 0;
};

namespace floor_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

template <class Stream>
asio::awaitable<void> request_loop(Stream& s, const floor_settings& fs, int& next, floor_counts& counts)
{
    http::request<http::string_body> req{fs.post ? http::verb::post : http::verb::get, fs.target_path, 11};
    req.set(http::field::host, fs.target.host + ":" + std::to_string(fs.target.port));
    req.set(http::field::authorization, "Bearer " + fs.api_key);
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);
    req.prepare_payload();
    beast::flat_buffer buffer;
    while (next < fs.n) {
        ++next;
        auto [wec, wn] = co_await http::async_write(s, req, asio::as_tuple(asio::use_awaitable));
        http::response<http::string_body> res;
        if (!wec) {
            auto [rec, rn] = co_await http::async_read(s, buffer, res, asio::as_tuple(asio::use_awaitable));
            wec = rec;
        }
        if (wec) {
            ++counts.errors;
            co_return; // the floor does not reconnect: a failed connection ends its worker
        }
        boost::system::error_code pec;
        const boost::json::value v = boost::json::parse(res.body(), pec);
        counts.errors += (pec || !v.is_object() || res.result_int() / 100 != 2) ? 1 : 0;
        ++counts.done;
    }
}

inline asio::awaitable<void> worker(asio::ssl::context* tls, const floor_settings& fs, int& next, floor_counts& counts)
{
    auto ex = co_await asio::this_coro::executor;
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(fs.target.host), fs.target.port);
    beast::tcp_stream tcp(ex);
    auto [cec] = co_await tcp.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    if (cec) {
        ++counts.errors;
        co_return;
    }
    tcp.socket().set_option(asio::ip::tcp::no_delay(true));
    if (!tls) {
        co_await request_loop(tcp, fs, next, counts);
        co_return;
    }
    asio::ssl::stream<beast::tcp_stream> s(std::move(tcp), *tls);
    s.set_verify_callback(asio::ssl::host_name_verification(fs.target.host));
    // SSL_set_tlsext_host_name is a macro with a C cast; this is the call it makes.
    SSL_ctrl(s.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(fs.target.host.c_str()));
    auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (hec) {
        ++counts.errors;
        co_return;
    }
    co_await request_loop(s, fs, next, counts);
}

} // namespace floor_detail

// Runs the floor on `ctx` (its own io_context, one thread) until n requests are done.
inline floor_counts run_floor(boost::asio::io_context& ctx, const floor_settings& fs)
{
    namespace asio = boost::asio;
    std::optional<asio::ssl::context> tls;
    if (fs.target.tls) {
        tls.emplace(asio::ssl::context::tls_client);
        tls->set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        tls->set_default_verify_paths();
        if (!fs.ca_file.empty())
            tls->load_verify_file(fs.ca_file);
        tls->set_verify_mode(asio::ssl::verify_peer);
    }
    int next = 0;
    floor_counts counts;
    for (int w = 0; w < fs.concurrency; ++w)
        asio::co_spawn(ctx, floor_detail::worker(tls ? &*tls : nullptr, fs, next, counts), asio::detached);
    ctx.run();
    return counts;
}

} // namespace batchwire::bench

#endif
