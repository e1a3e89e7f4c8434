#ifndef BATCHWIRE_TEST_EMULATOR_TEST_CLIENT_HPP
#define BATCHWIRE_TEST_EMULATOR_TEST_CLIENT_HPP

// A minimal HTTP/1.1 client for the emulator's own tests: one connection, one exchange at
// a time, raw bytes when a test needs them, and a timeout on every step. TLS always
// verifies the emulator's CA, the host name (or IP) and sets SNI for names. It runs its own
// io_context on the calling thread; the emulator runs on another (running_emulator).

#include <batchwire/batch.hpp>
#include <batchwire/emulator/server.hpp>
#include <batchwire/page.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace emulator_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// The emulator on its own io_context, run by `threads` threads until destruction.
class running_emulator {
public:
    explicit running_emulator(batchwire::emulator::emulator_options opts = {}, unsigned threads = 1)
        : server(ioc.get_executor(), std::move(opts))
    {
        server.start();
        for (unsigned i = 0; i < threads; ++i)
            threads_.emplace_back([this] { ioc.run(); });
    }
    ~running_emulator()
    {
        server.stop();
        for (auto& t : threads_)
            t.join();
    }
    running_emulator(const running_emulator&) = delete;
    running_emulator& operator=(const running_emulator&) = delete;

    asio::io_context ioc;
    batchwire::emulator::server server;

private:
    std::vector<std::thread> threads_;
};

struct http_result {
    boost::system::error_code ec; // transport or parse failure; status and the rest are then partial
    unsigned status = 0;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;

    std::string header(std::string_view name) const
    {
        const auto it = headers.find(std::string(name));
        return it == headers.end() ? std::string() : it->second;
    }
    bool has_header(std::string_view name) const { return headers.count(std::string(name)) != 0; }
    boost::json::value json() const { return boost::json::parse(body); }
};

struct client_options {
    std::string api_key = "sk-emulator"; // empty: no Authorization header
    std::chrono::milliseconds timeout = 5000ms;
    bool use_host_name = false; // connect to "localhost" (SNI, DNS SAN) instead of the IP
};

class test_client {
public:
    explicit test_client(const batchwire::emulator::server& s, client_options opts = {})
        : opts_(std::move(opts))
        , port_(s.port())
        , tls_enabled_(s.options().tls)
        , host_(opts_.use_host_name ? std::string("localhost") : s.options().host)
    {
        if (tls_enabled_) {
            ctx_.add_certificate_authority(asio::buffer(s.ca_pem()));
            ctx_.set_verify_mode(ssl::verify_peer);
        }
    }

    boost::system::error_code connect() { return run(do_connect()); }

    // One request; connects first when not connected.
    http_result request(std::string_view method, std::string_view target, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> headers = {},
                        std::string content_type = "application/json")
    {
        if (!connected_) {
            if (auto ec = connect())
                return http_result{ec, 0, {}, {}};
        }
        std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
        if (!opts_.api_key.empty())
            raw += "Authorization: Bearer " + opts_.api_key + "\r\n";
        if (!body.empty() || method == "POST")
            raw += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        for (const auto& [name, value] : headers)
            raw += name + ": " + value + "\r\n";
        raw += "\r\n";
        raw += body;
        if (auto ec = write_raw(raw))
            return http_result{ec, 0, {}, {}};
        return read_response();
    }
    http_result get(std::string_view target) { return request("GET", target); }
    http_result post(std::string_view target, std::string body = {}) { return request("POST", target, std::move(body)); }

    boost::system::error_code write_raw(std::string_view bytes) { return run(do_write(std::string(bytes))); }
    http_result read_response() { return run(do_read_response()); }
    // Reads until the peer closes or the timeout: what ended it, and the bytes received.
    std::pair<boost::system::error_code, std::string> read_to_end() { return run(do_read_to_end()); }

    void set_timeout(std::chrono::milliseconds t) { opts_.timeout = t; }
    bool connected() const { return connected_; }
    void close()
    {
        if (tls_)
            beast::get_lowest_layer(*tls_).close();
        if (plain_)
            plain_->close();
        tls_.reset();
        plain_.reset();
        connected_ = false;
        buffer_.clear();
    }

private:
    template <class T>
    T run(asio::awaitable<T> op)
    {
        auto done = asio::co_spawn(ioc_, std::move(op), asio::use_future);
        ioc_.restart();
        ioc_.run();
        return done.get();
    }

    beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

    asio::awaitable<boost::system::error_code> do_connect()
    {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        close();
        tcp::resolver resolver(ioc_);
        auto [rec, results] = co_await resolver.async_resolve(host_, std::to_string(port_), tuple);
        if (rec)
            co_return rec;
        beast::tcp_stream stream(ioc_);
        stream.expires_after(opts_.timeout);
        auto [cec, ep] = co_await stream.async_connect(results, tuple);
        (void)ep;
        if (cec)
            co_return cec;
        if (!tls_enabled_) {
            plain_.emplace(std::move(stream));
            connected_ = true;
            co_return boost::system::error_code{};
        }
        tls_.emplace(std::move(stream), ctx_);
        boost::system::error_code ip_ec;
        asio::ip::make_address(host_, ip_ec);
        if (ip_ec) // a name: SNI (never for IP literals, RFC 6066)
            SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     static_cast<void*>(host_.data()));
        tls_->set_verify_callback(ssl::host_name_verification(host_));
        beast::get_lowest_layer(*tls_).expires_after(opts_.timeout);
        auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, tuple);
        if (hec) {
            tls_.reset();
            co_return hec;
        }
        connected_ = true;
        co_return boost::system::error_code{};
    }

    asio::awaitable<boost::system::error_code> do_write(std::string bytes)
    {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        lowest().expires_after(opts_.timeout);
        if (tls_) {
            auto [ec, n] = co_await asio::async_write(*tls_, asio::buffer(bytes), tuple);
            (void)n;
            co_return ec;
        }
        auto [ec, n] = co_await asio::async_write(*plain_, asio::buffer(bytes), tuple);
        (void)n;
        co_return ec;
    }

    asio::awaitable<http_result> do_read_response()
    {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        http_result out;
        http::response_parser<http::string_body> parser;
        parser.body_limit(512u * 1024 * 1024);
        parser.header_limit(64 * 1024);
        lowest().expires_after(opts_.timeout);
        boost::system::error_code ec;
        if (tls_) {
            auto [e, n] = co_await http::async_read(*tls_, buffer_, parser, tuple);
            (void)n;
            ec = e;
        } else {
            auto [e, n] = co_await http::async_read(*plain_, buffer_, parser, tuple);
            (void)n;
            ec = e;
        }
        out.ec = ec;
        if (parser.is_header_done()) {
            const auto& msg = parser.get();
            out.status = msg.result_int();
            for (const auto& field : msg) {
                std::string name(field.name_string());
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                out.headers[name] = std::string(field.value());
            }
            out.body = msg.body();
            if (!ec && !msg.keep_alive())
                connected_ = false; // the server will close
        }
        if (ec)
            connected_ = false;
        co_return out;
    }

    asio::awaitable<std::pair<boost::system::error_code, std::string>> do_read_to_end()
    {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        std::string data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        buffer_.clear();
        std::vector<char> chunk(16 * 1024);
        lowest().expires_after(opts_.timeout);
        for (;;) {
            boost::system::error_code ec;
            std::size_t n = 0;
            if (tls_) {
                auto [e, k] = co_await tls_->async_read_some(asio::buffer(chunk), tuple);
                ec = e;
                n = k;
            } else {
                auto [e, k] = co_await plain_->async_read_some(asio::buffer(chunk), tuple);
                ec = e;
                n = k;
            }
            data.append(chunk.data(), n);
            if (ec) {
                connected_ = false;
                co_return std::pair{ec, std::move(data)};
            }
        }
    }

    client_options opts_;
    unsigned short port_;
    bool tls_enabled_;
    std::string host_;
    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    std::optional<ssl::stream<beast::tcp_stream>> tls_;
    std::optional<beast::tcp_stream> plain_;
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

// Printable views of model values, for Boost.Test messages.
inline std::string status_name(const batchwire::batch& b) { return std::string(batchwire::to_string(b.status)); }
inline std::string status_name(const std::optional<batchwire::batch>& b)
{
    return b ? status_name(*b) : std::string("(no batch)");
}
inline std::string counts_text(const batchwire::batch& b)
{
    if (!b.request_counts)
        return "(none)";
    const auto& c = *b.request_counts;
    return std::to_string(c.total) + "/" + std::to_string(c.completed) + "/" + std::to_string(c.failed);
}

// True when a test_client step ended by its own timeout (not by the server).
inline bool is_timeout(const boost::system::error_code& ec) { return ec == beast::error::timeout; }

// A multipart/form-data body for POST /v1/files.
inline std::string multipart_upload(const std::string& boundary, const std::string& filename,
                                    const std::string& content, const std::string& purpose)
{
    std::string b;
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n";
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: application/jsonl\r\n\r\n" + content + "\r\n";
    b += "--" + boundary + "--\r\n";
    return b;
}

// n chat-completion request lines with custom ids req-0 .. req-(n-1).
inline std::string chat_lines(std::size_t n, std::string_view url = "/v1/chat/completions")
{
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += R"({"custom_id":"req-)" + std::to_string(i) + R"(","method":"POST","url":")" + std::string(url) +
               R"(","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}})" + "\n";
    return out;
}

// Every error body: {"error": {"message": string, "type": string, "param": string|null, "code": string|null}}.
inline bool is_api_error_body(const std::string& body)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        return false;
    const auto* e = v.get_object().if_contains("error");
    if (!e || !e->is_object())
        return false;
    const auto& o = e->get_object();
    const auto* m = o.if_contains("message");
    const auto* t = o.if_contains("type");
    const auto* p = o.if_contains("param");
    const auto* c = o.if_contains("code");
    return m && m->is_string() && t && t->is_string() && p && (p->is_string() || p->is_null()) && c &&
           (c->is_string() || c->is_null());
}

} // namespace emulator_test

#endif
