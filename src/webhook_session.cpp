// One listener connection: TLS handshake (or none), then requests one at a time on a
// keep-alive connection: head, route, body, verdict, answer, then the event handler.

#include "webhook_listener_state.hpp"
#include "webhook_request_route.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <type_traits>

namespace batchwire::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using tls_stream = asio::ssl::stream<beast::tcp_stream>;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t drain_limit = 1024 * 1024;

std::string describe_peer(const tcp::socket& s)
{
    error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

template <class Stream>
class connection final : public webhook_connection, public std::enable_shared_from_this<connection<Stream>> {
    static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

public:
    connection(std::shared_ptr<webhook_listener_state> st, tcp::socket socket, std::uint64_t id)
        : st_(std::move(st)), remote_(describe_peer(socket)), stream_(make_stream(*st_, std::move(socket))), id_(id)
    {
    }

    void close() override
    {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
    }

    static asio::awaitable<void> run(std::shared_ptr<connection> self)
    {
        try {
            co_await self->serve();
            if (self->drain_before_close_)
                co_await self->drain();
        } catch (const std::exception&) {
            // One connection's failure (bad_alloc) must not end the listener.
        }
        self->close_now();
        asio::post(self->st_->strand, [st = self->st_, id = self->id_] { st->connections.erase(id); });
    }

    auto get_executor() { return stream_.get_executor(); }

private:
    static Stream make_stream(webhook_listener_state& st, tcp::socket socket)
    {
        if constexpr (is_tls)
            return Stream(beast::tcp_stream(std::move(socket)), *st.tls);
        else
            return Stream(std::move(socket));
    }

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void close_now()
    {
        if (closed_)
            return;
        closed_ = true;
        error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    // After an answer to a request whose body was left unread: stop sending, then read and
    // drop what the peer still sends, for a bounded time and size. Closing with unread bytes
    // would make the kernel reset the connection and could destroy the answer in flight.
    asio::awaitable<void> drain()
    {
        if (closed_)
            co_return;
        error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
        lowest().expires_after(std::min<std::chrono::milliseconds>(st_->opts.read_timeout, std::chrono::seconds(2)));
        std::array<char, 4096> scratch;
        std::size_t total = 0;
        while (!ec && total < drain_limit) {
            auto [rec, n] = co_await lowest().async_read_some(asio::buffer(scratch), use_tuple);
            ec = rec;
            total += n;
        }
    }

    asio::awaitable<void> serve()
    {
        const auto timeout = st_->opts.read_timeout;
        if constexpr (is_tls) {
            lowest().expires_after(timeout);
            auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, use_tuple);
            if (ec)
                co_return;
        }
        while (!closed_) {
            if (!co_await serve_one(timeout))
                co_return;
        }
    }

    // One request and its answer. False: close the connection.
    asio::awaitable<bool> serve_one(std::chrono::milliseconds timeout)
    {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(st_->opts.max_header_bytes, UINT32_MAX)));
        const std::uint64_t max_body = st_->receiver.verify_options().max_body_bytes;
        parser.body_limit(max_body);
        // The whole request (and the idle wait before it) within the read timeout.
        lowest().expires_after(timeout);
        auto [head_ec, head_bytes] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
        (void)head_bytes;
        if (head_ec) {
            co_await refuse_read_error(head_ec, parser.got_some());
            co_return false;
        }
        st_->counters.requests.fetch_add(1, std::memory_order_relaxed);
        const auto& head = parser.get();
        const route_decision route = route_webhook_request(head.method_string(), head.target(), st_->opts.path,
                                                           parser.content_length() ? std::optional<std::uint64_t>(
                                                                                         *parser.content_length())
                                                                                   : std::nullopt,
                                                           max_body);
        if (route.status != 0) {
            // The body is left unread: answer and close.
            drain_before_close_ = true;
            co_await answer(route.status, route.message, {}, false);
            co_return false;
        }
        if (beast::iequals(head[http::field::expect], "100-continue")) {
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(go_on), use_tuple);
            (void)n;
            if (ec)
                co_return false;
        }
        if (!parser.is_done()) {
            auto [body_ec, body_bytes] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
            (void)body_bytes;
            if (body_ec) {
                co_await refuse_read_error(body_ec, true);
                co_return false;
            }
        }
        co_return co_await verify_and_answer(parser.release());
    }

    asio::awaitable<bool> verify_and_answer(http::request<http::string_body> req)
    {
        webhook_headers h;
        for (const auto& f : req)
            h.add(f.name_string(), f.value());
        webhook_verdict v = st_->receiver.receive(h, req.body());
        const bool keep_alive = req.keep_alive();
        bool written = false;
        if (v.outcome == webhook_outcome::refused) {
            written = co_await answer(v.http_status, v.message, v.ec, keep_alive);
        } else {
            if (v.outcome == webhook_outcome::duplicate)
                st_->counters.duplicates.fetch_add(1, std::memory_order_relaxed);
            written = co_await answer(200, "", {}, keep_alive);
        }
        // After the answer, whatever became of it: the delivery was verified and counts as
        // seen, so a retry of it would be dropped as a duplicate.
        if (v.event)
            st_->deliver(std::move(*v.event));
        co_return written && keep_alive;
    }

    // A failed read: answer when the request was bad (not when the peer left), then close.
    asio::awaitable<void> refuse_read_error(error_code ec, bool got_some)
    {
        drain_before_close_ = true;
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
            co_await answer(431, "the request header is over the limit", ec, false);
        else if (ec == http::error::body_limit)
            co_await answer(413, "the request body is over the limit", ec, false);
        else if (ec == beast::error::timeout) {
            if (got_some) {
                webhook_refusal r{408, ec, "the request did not arrive within the read timeout", remote_};
                st_->report(std::move(r)); // no answer: the connection is gone for writing too
            }
        } else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message)
            co_await answer(400, "the request is not valid HTTP/1.1", ec, false);
    }

    // Writes a response; a status >= 300 is reported as a refusal. False: it was not written.
    asio::awaitable<bool> answer(unsigned status, std::string_view message, error_code ec, bool keep_alive)
    {
        if (status >= 300) {
            webhook_refusal r{status, ec, std::string(message), remote_};
            st_->report(std::move(r));
        }
        http::response<http::string_body> res{static_cast<http::status>(status), 11};
        if (status >= 300) {
            res.set(http::field::content_type, "text/plain");
            res.body() = std::string(message) + "\n";
        }
        if (status == 405)
            res.set(http::field::allow, "POST");
        res.keep_alive(keep_alive);
        res.prepare_payload();
        lowest().expires_after(st_->opts.read_timeout);
        auto [wec, n] = co_await http::async_write(stream_, res, use_tuple);
        (void)n;
        co_return !wec;
    }

    std::shared_ptr<webhook_listener_state> st_;
    std::string remote_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::uint64_t id_;
    bool closed_ = false;
    bool drain_before_close_ = false;
};

template <class Stream>
void spawn_connection(const std::shared_ptr<webhook_listener_state>& st, tcp::socket socket)
{
    const std::uint64_t id = ++st->next_connection_id;
    auto c = std::make_shared<connection<Stream>>(st, std::move(socket), id);
    st->connections.emplace(id, c);
    asio::co_spawn(c->get_executor(), connection<Stream>::run(c), asio::detached);
}

} // namespace

void start_webhook_connection(const std::shared_ptr<webhook_listener_state>& st, tcp::socket socket)
{
    if (st->tls)
        spawn_connection<tls_stream>(st, std::move(socket));
    else
        spawn_connection<beast::tcp_stream>(st, std::move(socket));
}

} // namespace batchwire::detail
