#include "watch_poll_request.hpp"

#include "batch_calls.hpp"

#include <boost/asio/this_coro.hpp>

namespace batchwire::detail {

boost::asio::awaitable<poll_answer> retrieve_for_watch(std::shared_ptr<client_state> st, std::string id,
                                                       request_options ro)
{
    // A cancelled poll (its loop stopping) completes with the request's error, not a throw.
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    response_metadata meta;
    ro.metadata = &meta;
    poll_answer a;
    a.result = co_await batch_by_id(std::move(st), std::move(id), false, std::move(ro));
    a.server_date = meta.server_date;
    a.poll_after = meta.poll_after;
    co_return a;
}

} // namespace batchwire::detail
