// The awaitable forms of watch_until_terminal and cancel_and_watch: the token forms with
// errors thrown (watch_deadline_error for the deadline, with the last snapshot).

#include <batchwire/watch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <tuple>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

watch_deadline_error::watch_deadline_error(diagnostics diag, batch last)
    : exception(error::watch_deadline_exceeded, std::move(diag)), last_(std::move(last))
{
}

namespace {

asio::awaitable<batch> throwing_watch(client& c, std::string id, watch_options opts, bool cancel_first)
{
    diagnostics diag;
    // Not `?:` around two co_awaits: g++ 12 miscompiles it.
    std::tuple<error_code, batch> r;
    if (cancel_first)
        r = co_await async_cancel_and_watch(c, id, std::move(opts), diag, asio::as_tuple(asio::use_awaitable));
    else
        r = co_await async_watch_until_terminal(c, id, std::move(opts), diag, asio::as_tuple(asio::use_awaitable));
    auto& [ec, b] = r;
    if (ec == error::watch_deadline_exceeded)
        throw watch_deadline_error(std::move(diag), std::move(b));
    throw_on_error(ec, diag);
    co_return std::move(b);
}

} // namespace

asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id, watch_options opts)
{
    return throwing_watch(c, std::move(batch_id), std::move(opts), false);
}

asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id, watch_options opts)
{
    return throwing_watch(c, std::move(batch_id), std::move(opts), true);
}

asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id)
{
    return throwing_watch(c, std::move(batch_id), watch_options{}, false);
}

asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id)
{
    return throwing_watch(c, std::move(batch_id), watch_options{}, true);
}

} // namespace batchwire
