// The listener: binding, the accept loop, stop, and completing run().

#include "webhook_listener_state.hpp"

#include <batchwire/error.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace detail {

namespace {

[[noreturn]] void fail(error_code ec, std::string message)
{
    diagnostics diag;
    diag.message = std::move(message);
    throw exception(ec, std::move(diag));
}

asio::ssl::context make_tls_context(const webhook_tls_identity& id)
{
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    error_code ec;
    ctx.use_certificate_chain(asio::buffer(id.certificate_chain_pem), ec);
    if (!ec)
        ctx.use_private_key(asio::buffer(id.private_key_pem), asio::ssl::context::pem, ec);
    if (ec)
        fail(error::invalid_argument, "the webhook listener's TLS certificate or key does not load");
    return ctx;
}

void bind_and_listen(tcp::acceptor& a, const tcp::endpoint& ep)
{
    error_code ec;
    a.open(ep.protocol(), ec);
    if (!ec)
        a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        a.bind(ep, ec);
    if (!ec)
        a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        fail(ec, "cannot listen for webhooks on " + ep.address().to_string() + ":" + std::to_string(ep.port()) +
                     ": " + ec.message());
}

asio::awaitable<void> accept_loop(std::shared_ptr<webhook_listener_state> st)
{
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
        // Each connection gets its own strand; the socket is bound to it.
        auto [ec, socket] = co_await st->acceptor.async_accept(asio::any_io_executor(asio::make_strand(st->executor)),
                                                                asio::as_tuple(asio::use_awaitable));
        if (st->stopping || (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
            break;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
                break;
            continue; // out of descriptors, a connection reset before accept: keep serving
        }
        if (st->connections.size() >= st->opts.max_connections) {
            st->counters.connections_over_limit.fetch_add(1, std::memory_order_relaxed);
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        st->counters.connections.fetch_add(1, std::memory_order_relaxed);
        start_webhook_connection(st, std::move(socket));
    }
    st->shut_down();
}

} // namespace

webhook_listener_state::webhook_listener_state(asio::any_io_executor ex, const webhook_listener_options& o,
                                               webhook_event_handler handler)
    : executor(ex), strand(asio::make_strand(ex)), events_strand(asio::make_strand(ex)), opts(o),
      receiver(o.receiver), on_event(std::move(handler)), acceptor(strand)
{
    if (opts.path.empty() || opts.path.front() != '/')
        fail(error::invalid_argument, "the webhook path must start with '/'");
    if (opts.tls)
        tls.emplace(make_tls_context(*opts.tls));
    bind_and_listen(acceptor, opts.endpoint);
    bound = acceptor.local_endpoint();
}

void webhook_listener_state::shut_down()
{
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    for (auto& [id, weak] : connections)
        if (auto c = weak.lock())
            c->close();
}

void webhook_listener_state::deliver(webhook_event e)
{
    counters.accepted.fetch_add(1, std::memory_order_relaxed);
    asio::post(events_strand, [self = shared_from_this(), e = std::move(e)]() mutable {
        if (!self->on_event)
            return;
        try {
            self->on_event(std::move(e));
        } catch (...) {
            self->counters.handler_exceptions.fetch_add(1, std::memory_order_relaxed);
        }
    });
}

void webhook_listener_state::report(webhook_refusal r)
{
    counters.refused.fetch_add(1, std::memory_order_relaxed);
    if (opts.on_refusal)
        opts.on_refusal(r);
}

void launch_listener(std::shared_ptr<webhook_listener_state> st, listener_handler h)
{
    auto slot = asio::get_associated_cancellation_slot(h);
    asio::dispatch(st->strand, [st, h = std::move(h), slot]() mutable {
        if (st->started || st->stopping) {
            asio::post(st->executor, asio::append(std::move(h), error_code(error::invalid_argument)));
            return;
        }
        st->started = true;
        asio::co_spawn(st->strand, accept_loop(st),
                       asio::bind_cancellation_slot(slot, [st, h = std::move(h)](std::exception_ptr) mutable {
                           // Cancelled unless stop() asked for it; an exception here is a bug
                           // (bad_alloc) and also ends the run.
                           const auto cancelled = !st->stop_requested;
                           st->shut_down();
                           asio::get_associated_cancellation_slot(h).clear();
                           asio::post(st->executor, asio::append(std::move(h), cancelled ? error_code(error::cancelled)
                                                                                         : error_code{}));
                       }));
    });
}

} // namespace detail

webhook_listener::webhook_listener(executor_type ex, const webhook_listener_options& opts,
                                   webhook_event_handler on_event)
    : state_(std::make_shared<detail::webhook_listener_state>(std::move(ex), opts, std::move(on_event)))
{
}

webhook_listener::webhook_listener(webhook_listener&&) noexcept = default;

webhook_listener& webhook_listener::operator=(webhook_listener&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

webhook_listener::~webhook_listener() { stop(); }

webhook_listener::executor_type webhook_listener::get_executor() const noexcept { return state_->executor; }

tcp::endpoint webhook_listener::local_endpoint() const { return state_->bound; }

webhook_listener_stats webhook_listener::stats() const noexcept
{
    const auto& c = state_->counters;
    const auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    return {get(c.connections), get(c.connections_over_limit), get(c.requests), get(c.accepted), get(c.duplicates),
            get(c.refused), get(c.handler_exceptions)};
}

void webhook_listener::stop()
{
    if (!state_)
        return; // moved from
    asio::dispatch(state_->strand, [st = state_] {
        st->stop_requested = true;
        st->shut_down();
    });
}

asio::awaitable<void> webhook_listener::run()
{
    auto [ec] = co_await async_run(asio::as_tuple(asio::use_awaitable));
    diagnostics diag;
    if (ec == error::cancelled)
        diag.message = "the webhook listener was cancelled";
    else if (ec)
        diag.message = "the webhook listener is already running or was stopped";
    throw_on_error(ec, diag);
}

} // namespace batchwire
