#ifndef BATCHWIRE_TEST_WEBHOOK_DELIVERY_HPP
#define BATCHWIRE_TEST_WEBHOOK_DELIVERY_HPP

// The sending side of webhook tests: a delivery as raw HTTP text (signed, or damaged on
// purpose), and a Beast client that sends it and reads the answer.

#include <batchwire/webhook_signer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace batchwire::test {

inline const std::string webhook_test_secret = "whsec_" "c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ==";

inline std::int64_t now_s()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline std::string event_body(const std::string& evt, const std::string& type = "batch.completed",
                              const std::string& batch = "batch_1")
{
    return R"({"id":")" + evt + R"(","object":"event","type":")" + type + R"(","created_at":)" +
           std::to_string(now_s()) + R"(,"data":{"id":")" + batch + R"("}})";
}

struct delivery_text {
    std::string id = "msg_1";
    std::int64_t ts = now_s();
    std::string body = event_body("evt_1");
    std::string signature; // empty: signed with webhook_test_secret
    std::string method = "POST";
    std::string target = "/webhook";
    std::string extra_headers;

    std::string text() const
    {
        const std::string sig = signature.empty() ? sign_webhook(webhook_test_secret, id, ts, body) : signature;
        return method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
               "webhook-id: " + id + "\r\nwebhook-timestamp: " + std::to_string(ts) + "\r\nwebhook-signature: " + sig +
               "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
};

struct reply {
    boost::system::error_code ec; // the exchange failed (e.g. the server closed)
    unsigned status = 0;
    std::string body;
    bool keep_alive = false;
};

template <class Stream>
boost::asio::awaitable<reply> exchange(Stream& s, boost::beast::flat_buffer& buf, std::string request)
{
    namespace http = boost::beast::http;
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    reply r;
    auto [wec, n] = co_await boost::asio::async_write(s, boost::asio::buffer(request), use_tuple);
    (void)n;
    if (wec) {
        r.ec = wec;
        co_return r;
    }
    http::response_parser<http::string_body> p;
    auto [rec, m] = co_await http::async_read(s, buf, p, use_tuple);
    (void)m;
    r.ec = rec;
    if (!rec) {
        r.status = p.get().result_int();
        r.body = p.get().body();
        r.keep_alive = p.get().keep_alive();
    }
    co_return r;
}

// One request on a fresh plain connection.
inline boost::asio::awaitable<reply> send(boost::asio::ip::tcp::endpoint ep, std::string request)
{
    boost::beast::tcp_stream s(co_await boost::asio::this_coro::executor);
    s.expires_after(std::chrono::seconds(20));
    co_await s.async_connect(ep, boost::asio::use_awaitable);
    boost::beast::flat_buffer buf;
    co_return co_await exchange(s, buf, std::move(request));
}

} // namespace batchwire::test

#endif
