#ifndef BATCHWIRE_SRC_HTTP_EXCHANGE_HPP
#define BATCHWIRE_SRC_HTTP_EXCHANGE_HPP

// One HTTP/1.1 exchange over any Asio stream: write the request (a string body, or a body
// streamed from a file), read the response (Content-Length or chunked), deliver a 2xx body
// to a sink or keep it within limits. The stream is a TLS or TCP stream in the library and a
// beast::test::stream in the unit tests. Time limits are the caller's: `arm` is called
// before every I/O step (a tcp_stream sets its expiry there).

#include "cancellation_check.hpp"

#include <batchwire/client_options.hpp>
#include <batchwire/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace batchwire::detail {

namespace http = boost::beast::http;

// A request body streamed from a file between two in-memory parts (multipart upload).
struct streamed_body {
    std::string preamble;
    std::string file_path;
    std::uint64_t file_size = 0;
    std::string epilogue;
    std::uint64_t size() const { return preamble.size() + file_size + epilogue.size(); }
};

// Receives the body of a successful (2xx) streamed response, chunk by chunk. Setting ec
// stops the exchange with that error (the connection is then closed).
using chunk_sink = std::function<void(std::string_view chunk, boost::system::error_code& ec)>;

// A request as it goes on the wire: its head (request_head.hpp) and, unless streamed, its
// body, in one buffer so that a TLS stream sends them in one record.
struct outgoing_request {
    std::string bytes;
    const streamed_body* streamed = nullptr; // follows `bytes`, whose Content-Length counts it
};

struct exchange_result {
    unsigned status = 0;
    http::fields headers;
    std::string body;              // error bodies and non-streamed bodies (within limits)
    std::uint64_t streamed_bytes = 0;
    bool request_written = false;  // the whole request went out
    bool response_started = false; // at least one byte of the response arrived
    bool keep_alive = false;       // the response allows reuse and nothing is left unread
};

// The most of an error body kept (it is for diagnostics); the rest is read and dropped.
inline constexpr std::size_t max_kept_error_body = 64 * 1024;

using exchange_chunk = std::array<char, 16 * 1024>;

// Maps a transport error_code from Asio/Beast/OpenSSL to batchwire's error.
boost::system::error_code classify_transport_error(const boost::system::error_code& ec);

// Whether a connection may go back to the pool after an exchange: only after a complete
// response on a kept-alive connection. Never after any failure.
inline bool may_return_to_pool(const boost::system::error_code& ec, const exchange_result& r) noexcept
{
    return !ec && r.keep_alive;
}

// Appends what fits of `chunk` to `body` within `limit`; false when something was dropped.
// Once a chunk was dropped (the body is a full prefix), later ones are too.
inline bool keep_within(std::string& body, std::string_view chunk, std::size_t limit)
{
    const std::size_t room = body.size() < limit ? limit - body.size() : 0;
    body.append(chunk.data(), std::min(room, chunk.size()));
    return chunk.size() <= room;
}

namespace exchange_steps {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Writes a streamed body: its preamble, the file in chunks, its epilogue.
template <class Stream>
asio::awaitable<error_code> write_streamed_body(Stream& s, const streamed_body& body, exchange_chunk& chunk,
                                                std::string& why)
{
    auto [pec, pn] = co_await asio::async_write(s, asio::buffer(body.preamble), use_tuple);
    if (pec)
        co_return pec;
    beast::file f;
    error_code ec;
    f.open(body.file_path.c_str(), beast::file_mode::scan, ec);
    if (ec) {
        why = "cannot open '" + body.file_path + "': " + ec.message();
        co_return error_code(error::file_error);
    }
    const asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    std::uint64_t left = body.file_size;
    while (left > 0) {
        if (is_cancelled(cs))
            co_return error_code(error::cancelled);
        // Regular-file reads do not block on the network; they are short and bounded.
        const std::size_t n = f.read(chunk.data(), std::min<std::uint64_t>(chunk.size(), left), ec);
        if (ec || n == 0) {
            why = "reading '" + body.file_path + "' failed" + (ec ? ": " + ec.message() : ": it shrank while uploading");
            co_return error_code(error::file_error);
        }
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(chunk.data(), n), use_tuple);
        if (wec)
            co_return wec;
        left -= n;
    }
    auto [eec, en] = co_await asio::async_write(s, asio::buffer(body.epilogue), use_tuple);
    co_return eec;
}

// The streamed part of a request whose head went out: the file between its two parts.
template <class Stream>
asio::awaitable<error_code> write_request_body(Stream& s, const streamed_body& body, exchange_chunk& chunk,
                                               std::string& why)
{
    const auto bec = co_await write_streamed_body(s, body, chunk, why);
    if (bec && why.empty())
        why = "writing the request body: " + bec.message();
    co_return classify_transport_error(bec);
}

// Where each piece of a response body goes: a 2xx body to the sink when there is one, else
// kept within the limit; an error body kept as a clean prefix for diagnostics, the rest
// drained.
struct body_delivery {
    exchange_result& result;
    const response_limits& limits;
    const chunk_sink* sink;
    bool success;
    std::size_t keep_limit;
    bool truncated = false;

    error_code deliver(std::string_view piece, std::string& why)
    {
        if (piece.empty())
            return {};
        if (success && sink) {
            error_code sink_ec;
            (*sink)(piece, sink_ec);
            result.streamed_bytes += piece.size();
            if (sink_ec)
                why = "the download's sink failed: " + sink_ec.message();
            return sink_ec;
        }
        if (success) {
            if (!keep_within(result.body, piece, keep_limit)) {
                why = "the response body is larger than " + std::to_string(limits.max_body_bytes) + " bytes";
                return error::response_too_large;
            }
        } else if (!truncated) {
            truncated = !keep_within(result.body, piece, keep_limit);
        }
        return {};
    }
};

} // namespace exchange_steps

// Writes `req` and reads the response into `result`. On any error the stream is in an
// unknown state: the caller closes it (see may_return_to_pool). Longer than a function here
// should be, on purpose: it is one coroutine frame per call, where a coroutine per step
// (write, header, body) cost an allocation and a resumption each on every request.
template <class Stream, class Arm>
boost::asio::awaitable<boost::system::error_code>
http_exchange(Stream& s, boost::beast::flat_buffer& buffer, exchange_chunk& chunk, const outgoing_request& req,
              exchange_result& result, const response_limits& limits, const chunk_sink* sink, std::string& why, Arm arm)
{
    using namespace exchange_steps;
    const asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(cs)) {
        why = "cancelled before the request was written";
        co_return error_code(error::cancelled);
    }
    arm();
    // The head and a body in memory in one write; a streamed body in a frame of its own.
    if (auto [wec, wn] = co_await asio::async_write(s, asio::buffer(req.bytes), use_tuple); wec) {
        why = "writing the request: " + wec.message();
        co_return classify_transport_error(wec);
    }
    if (req.streamed)
        if (const error_code bec = co_await write_request_body(s, *req.streamed, chunk, why))
            co_return bec;
    result.request_written = true;

    // The header.
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none); // enforced below, per kind of body
    if (is_cancelled(cs)) {
        why = "cancelled after the request was written";
        co_return error_code(error::cancelled);
    }
    const std::size_t before = buffer.size();
    arm();
    auto [rec, rn] = co_await http::async_read_header(s, buffer, parser, use_tuple);
    result.response_started = rn > 0 || buffer.size() > before || parser.got_some();
    if (rec) {
        why = "reading the response header: " + rec.message();
        co_return classify_transport_error(rec);
    }
    result.status = parser.get().result_int();
    const bool success = result.status / 100 == 2;
    // Error bodies are kept for diagnostics but never grow without bound.
    const std::size_t keep_limit = success ? limits.max_body_bytes : std::min(limits.max_body_bytes, max_kept_error_body);

    // The body, in chunks: first what came with the header (often all of it), parsed with no
    // I/O step, then read as it arrives.
    body_delivery delivery{result, limits, sink, success, keep_limit};
    while (!parser.is_done() && buffer.size() > 0) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        error_code pec;
        const std::size_t used = parser.put(buffer.data(), pec);
        buffer.consume(used);
        if (pec == http::error::need_more)
            break; // an incomplete piece (a chunk header): the rest is read below
        if (pec == http::error::need_buffer)
            pec = {};
        if (pec) {
            why = "reading the response body: " + pec.message();
            co_return classify_transport_error(pec);
        }
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (const error_code dec = delivery.deliver(std::string_view(chunk.data(), got), why))
            co_return dec;
        if (used == 0 && got == 0)
            break; // the rest of an incomplete piece is still to come
    }
    while (!parser.is_done()) {
        if (is_cancelled(cs)) { // e.g. by the sink's caller, while the sink ran
            why = "cancelled while reading the response body";
            co_return error_code(error::cancelled);
        }
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        arm();
        // read_some, not read: a body that trickles in (or stalls) is delivered as it comes,
        // instead of waiting for the chunk buffer to fill.
        auto [bec, bn] = co_await http::async_read_some(s, buffer, parser, use_tuple);
        if (bec == http::error::need_buffer)
            bec = {};
        if (bec) {
            why = "reading the response body: " + bec.message();
            co_return classify_transport_error(bec);
        }
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (const error_code dec = delivery.deliver(std::string_view(chunk.data(), got), why))
            co_return dec;
    }
    result.headers = std::move(parser.get().base());
    result.keep_alive = parser.get().keep_alive() && buffer.size() == 0;
    co_return error_code{};
}

} // namespace batchwire::detail

#endif
