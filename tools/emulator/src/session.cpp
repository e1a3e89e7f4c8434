// One connection: TLS handshake (or none), then HTTP/1.1 requests one at a time on a
// keep-alive connection, each routed, authorized, handled and written, possibly damaged
// by a fault. Everything a session touches runs on its own strand.
#include <batchwire/emulator/server_core.hpp>

#include <batchwire/emulator/bearer_auth.hpp>
#include <batchwire/emulator/fault_reply.hpp>
#include <batchwire/emulator/random_id.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <optional>
#include <type_traits>

namespace batchwire::emulator::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto write_inactivity_timeout = std::chrono::seconds(60);
constexpr auto close_grace = std::chrono::seconds(2);
constexpr std::size_t write_piece = 256 * 1024; // large bodies go out in pieces, each with its own timeout
constexpr std::uint64_t multipart_overhead = 1024 * 1024;
constexpr std::size_t first_read = 16 * 1024; // the read that waits for a request's first bytes

using tls_stream = ssl::stream<beast::tcp_stream>;

// A request that is not valid HTTP (as opposed to a connection that went away).
bool is_malformed(const boost::system::error_code& ec)
{
    if (ec.category() != http::make_error_code(http::error::bad_method).category())
        return false;
    return ec != http::error::end_of_stream && ec != http::error::partial_message && ec != http::error::need_more;
}

template <class Stream>
class session final : public session_base, public std::enable_shared_from_this<session<Stream>> {
    static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

public:
    session(std::shared_ptr<server_core> core, tcp::socket socket)
        : core_(std::move(core))
        , stream_(make_stream(*core_, std::move(socket)))
        , stall_timer_(stream_.get_executor())
        , request_timer_(stream_.get_executor())
    {
    }

    void close() override
    {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
    }

    // Runs the session to its end; `self` keeps it alive meanwhile.
    static asio::awaitable<void> run(std::shared_ptr<session> self)
    {
        try {
            co_await self->serve();
        } catch (const std::exception&) {
            // A bug in one connection must not take the server down.
        }
        self->close_now();
        self->core_->unregister_session(self->id_);
    }

    std::uint64_t id_ = 0;
    auto executor() { return stream_.get_executor(); }
    void close_now()
    {
        if (closed_)
            return;
        closed_ = true;
        lowest().close();
        stall_timer_.cancel();
        request_timer_.cancel();
    }

private:
    static Stream make_stream(server_core& core, tcp::socket socket)
    {
        if constexpr (is_tls)
            return Stream(beast::tcp_stream(std::move(socket)), *core.ssl_ctx);
        else
            return Stream(std::move(socket));
    }

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    asio::awaitable<void> serve()
    {
        server_core& core = *core_;
        if constexpr (is_tls) {
            lowest().expires_after(core.opts.handshake_timeout);
            auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
            if (ec)
                co_return;
        }
        for (std::size_t served = 1;; ++served) {
            if (closed_ || core.stopped || !co_await next_request_started())
                co_return;
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(core.opts.max_header_bytes));
            parser.body_limit(boost::none); // the route decides, once the head is known
            const auto route = co_await read_request(parser);
            if (!route)
                co_return; // rejected, or the peer closed, or the server stops
            http_request req = parser.release();
            if (!co_await answer(*route, req, served))
                co_return;
        }
    }

    // Waiting for the next request is where an idle connection is dropped, silently. Bytes
    // already buffered (a pipelined request) start the next request at once.
    asio::awaitable<bool> next_request_started()
    {
        const std::int64_t idle = core_->idle_close_ms.load(std::memory_order_relaxed);
        if (idle > 0)
            lowest().expires_after(std::chrono::milliseconds(idle));
        else
            lowest().expires_never();
        if (buffer_.size() == 0) {
            auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(first_read), use_tuple);
            buffer_.commit(bytes);
            if (ec)
                co_return false; // the peer closed, the idle timeout fired, or the server stops
        }
        lowest().expires_never();
        co_return true;
    }

    // The head, the route's body limit, the body: the request's route, or nothing after an
    // answered rejection (408, 413, 431, 400) or a closed peer. From its first byte to the
    // end of its body, a request has request_timeout.
    asio::awaitable<std::optional<route_match>> read_request(http::request_parser<http::string_body>& parser)
    {
        server_core& core = *core_;
        arm_request_timer();
        auto [read_ec, header_bytes] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
        (void)header_bytes;
        if (read_ec) {
            disarm_request_timer();
            if (request_timed_out_)
                co_await reject(408, request_timeout_message());
            else if (read_ec == http::error::header_limit || read_ec == http::error::buffer_overflow)
                co_await reject(431, "Request header fields too large.");
            else if (read_ec == http::error::body_limit)
                co_await reject(413, "Request body too large.");
            else if (is_malformed(read_ec))
                co_await reject(400, "Malformed HTTP request.");
            co_return std::nullopt;
        }
        auto& head = parser.get();
        route_match route = match_route(head.method_string(), head.target());
        core.requests.add(route.pattern);
        const std::uint64_t limit =
            route.id == route_id::create_file ? core.opts.max_file_bytes + multipart_overhead : core.opts.max_body_bytes;
        const auto too_large = [limit] {
            return "Request body too large: the limit is " + std::to_string(limit) + " bytes.";
        };
        if (parser.content_length() && *parser.content_length() > limit) {
            disarm_request_timer();
            co_await reject(413, too_large());
            co_return std::nullopt;
        }
        parser.body_limit(limit);
        if (!parser.is_done()) {
            if (beast::iequals(head[http::field::expect], "100-continue")) {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                if (!co_await write_all(go_on, {}))
                    co_return std::nullopt;
            }
            auto [body_ec, body_bytes] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
            (void)body_bytes;
            if (body_ec) {
                disarm_request_timer();
                if (request_timed_out_)
                    co_await reject(408, request_timeout_message());
                else if (body_ec == http::error::body_limit)
                    co_await reject(413, too_large());
                else if (is_malformed(body_ec))
                    co_await reject(400, "Malformed HTTP request body.");
                co_return std::nullopt;
            }
        }
        disarm_request_timer();
        co_return route;
    }

    // Processes the `served`-th request of the connection and writes its reply; false when
    // the connection is over.
    asio::awaitable<bool> answer(const route_match& route, http_request& req, std::size_t served)
    {
        server_core& core = *core_;
        const auto started = std::chrono::steady_clock::now();
        std::optional<fault_rule> fault;
        const http_reply reply = process(route, req, fault);
        const std::size_t close_after = core.close_after_requests.load(std::memory_order_relaxed);
        const bool keep_alive = req.keep_alive() && !(close_after > 0 && served >= close_after) && !core.stopped;
        const auto processing_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        if (!co_await write_reply(reply, fault, keep_alive, processing_ms))
            co_return false; // the connection was dropped on purpose or by the peer
        if (!keep_alive) {
            co_await graceful_close();
            co_return false;
        }
        co_return true;
    }

    http_reply process(const route_match& route, http_request& req, std::optional<fault_rule>& fault)
    {
        server_core& core = *core_;
        const auto auth = req.find(http::field::authorization);
        const bool has_auth = auth != req.end();
        const std::string_view auth_value = has_auth ? std::string_view(auth->value()) : std::string_view{};
        if (auto denied = check_bearer(auth_value, has_auth, core.opts.api_key))
            return http_reply::error(*denied);
        fault = core.faults.pick(route.pattern);
        if (fault && replaces_request(fault->kind))
            return fault_error_reply(*fault);
        http_reply reply;
        try {
            reply = core.handler.handle(route, req, core.poll_after_hint());
        } catch (const std::exception&) {
            reply = http_reply::error(api_error::server_error(500));
        }
        core.handled.add(route.pattern);
        if (fault)
            apply_fault_to_reply(reply, *fault);
        return reply;
    }

    // Writes the response; false when the connection is gone (closed here or by the peer).
    asio::awaitable<bool> write_reply(const http_reply& reply, const std::optional<fault_rule>& fault,
                                      bool keep_alive, std::int64_t processing_ms)
    {
        const std::string request_id = random_id("req_", 32);
        const std::string_view body = reply.body_view();
        const std::string head = render_head(reply, body.size(),
                                            response_meta{request_id, processing_ms, keep_alive, core_->clock.now_seconds()});
        const std::size_t half = body.size() / 2;
        if (!fault)
            co_return co_await write_all(head, body);
        switch (fault->kind) {
        case fault_kind::close_after_response:
            co_await write_all(head, body);
            abort_connection(false);
            co_return false;
        case fault_kind::reset_mid_response:
            co_await write_all(head, body.substr(0, half));
            abort_connection(true);
            co_return false;
        case fault_kind::truncate_body:
            co_await write_all(head, body.substr(0, half));
            abort_connection(false);
            co_return false;
        case fault_kind::stall_headers:
            if (!co_await stall(*fault))
                co_return false;
            co_return co_await write_all(head, body);
        case fault_kind::stall_body:
            if (!co_await write_all(head, body.substr(0, half)))
                co_return false;
            if (!co_await stall(*fault))
                co_return false;
            co_return co_await write_all({}, body.substr(half));
        case fault_kind::slow_drip:
            co_return co_await drip(head, body, *fault);
        default:
            co_return co_await write_all(head, body);
        }
    }

    // head, then body in pieces; each piece must make progress within the timeout.
    asio::awaitable<bool> write_all(std::string_view head, std::string_view body)
    {
        std::size_t offset = 0;
        bool head_pending = !head.empty();
        while (head_pending || offset < body.size()) {
            const std::size_t n = std::min(write_piece, body.size() - offset);
            const std::array<asio::const_buffer, 2> buffers{
                asio::buffer(head_pending ? head.data() : nullptr, head_pending ? head.size() : 0),
                asio::buffer(body.data() + offset, n)};
            lowest().expires_after(write_inactivity_timeout);
            auto [ec, written] = co_await asio::async_write(stream_, buffers, use_tuple);
            (void)written;
            if (ec || closed_)
                co_return false;
            head_pending = false;
            offset += n;
        }
        lowest().expires_never();
        co_return true;
    }

    asio::awaitable<bool> drip(std::string_view head, std::string_view body, const fault_rule& fault)
    {
        std::string all;
        all.reserve(head.size() + body.size());
        all.append(head).append(body);
        const std::size_t step = std::max<std::size_t>(1, fault.drip_bytes);
        for (std::size_t offset = 0; offset < all.size(); offset += step) {
            if (offset > 0) {
                stall_timer_.expires_after(fault.drip_interval);
                co_await stall_timer_.async_wait(use_tuple);
                if (closed_)
                    co_return false;
            }
            if (!co_await write_all({}, std::string_view(all).substr(offset, step)))
                co_return false;
        }
        co_return true;
    }

    // Holds the response back: for stall_for, or until the peer closes or the server stops.
    asio::awaitable<bool> stall(const fault_rule& fault)
    {
        if (fault.stall_for) {
            stall_timer_.expires_after(*fault.stall_for);
            co_await stall_timer_.async_wait(use_tuple);
            co_return !closed_;
        }
        lowest().expires_never();
        std::array<char, 512> sink;
        for (;;) {
            auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), use_tuple);
            (void)n;
            if (ec)
                co_return false;
        }
    }

    // Starts the request timeout (none when request_timeout is 0). When it passes, the read
    // under way is cancelled and request_timed_out_ tells the reader to answer 408.
    void arm_request_timer()
    {
        request_timed_out_ = false;
        const auto limit = core_->opts.request_timeout;
        if (limit.count() <= 0)
            return;
        request_timer_.expires_after(limit);
        request_timer_.async_wait([self = this->shared_from_this(), armed = ++request_arming_](
                                      const boost::system::error_code& ec) {
            // A stale expiry (the request was read meanwhile) is ignored by its arming number.
            if (ec || armed != self->request_arming_ || self->closed_)
                return;
            self->request_timed_out_ = true;
            boost::system::error_code ignored;
            self->lowest().socket().cancel(ignored);
        });
    }

    void disarm_request_timer()
    {
        ++request_arming_;
        request_timer_.cancel();
    }

    std::string request_timeout_message() const
    {
        return "Request timeout: the request was not received within " +
               std::to_string(core_->opts.request_timeout.count()) + " ms.";
    }

    // Drops the connection without a TLS close_notify; with `reset`, as an RST.
    void abort_connection(bool reset)
    {
        if (closed_)
            return;
        if (reset) {
            boost::system::error_code ignored;
            lowest().socket().set_option(asio::socket_base::linger(true, 0), ignored);
        }
        close_now();
    }

    // An error for a request that cannot be served on this connection, then close it.
    asio::awaitable<void> reject(unsigned status, std::string message)
    {
        core_->requests.add("(malformed)");
        const http_reply reply = http_reply::error(api_error{status, std::move(message), "invalid_request_error",
                                                             std::nullopt, std::nullopt});
        if (co_await write_reply(reply, std::nullopt, false, 0))
            co_await graceful_close();
    }

    // Connection: close was sent. Let the peer read it: no reset of data in flight.
    asio::awaitable<void> graceful_close()
    {
        if (closed_)
            co_return;
        lowest().expires_after(close_grace);
        if constexpr (is_tls) {
            co_await stream_.async_shutdown(use_tuple);
        } else {
            boost::system::error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
            std::array<char, 1024> sink;
            for (;;) {
                auto [ec, n] = co_await lowest().async_read_some(asio::buffer(sink), use_tuple);
                (void)n;
                if (ec)
                    break;
            }
        }
        close_now();
    }

    std::shared_ptr<server_core> core_;
    Stream stream_;
    asio::steady_timer stall_timer_;
    asio::steady_timer request_timer_;
    std::uint64_t request_arming_ = 0;
    bool request_timed_out_ = false;
    beast::flat_buffer buffer_;
    bool closed_ = false;
};

template <class Stream>
void launch(const std::shared_ptr<server_core>& core, tcp::socket socket)
{
    auto s = std::make_shared<session<Stream>>(core, std::move(socket));
    if (!core->register_session(s->id_, s)) {
        s->close_now(); // stopping or full; nobody else knows this session yet
        return;
    }
    auto ex = s->executor();
    asio::co_spawn(ex, session<Stream>::run(std::move(s)), asio::detached);
}

} // namespace

void spawn_session(const std::shared_ptr<server_core>& core, tcp::socket socket)
{
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (core->ssl_ctx)
        launch<tls_stream>(core, std::move(socket));
    else
        launch<beast::tcp_stream>(core, std::move(socket));
}

} // namespace batchwire::emulator::detail
