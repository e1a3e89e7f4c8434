// cancel_and_recover: cancel -> watch to the end -> collect_results, as one operation.

#include "client_access.hpp"
#include "client_state.hpp"
#include "collect_results.hpp"
#include "watch_launch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <tuple>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::tuple<error_code, batch>> cancel_then_watch(std::shared_ptr<client_state> st, std::string id,
                                                                 watch_options wo, diagnostics& diag)
{
    co_return co_await asio::async_initiate<decltype(use_tuple), void(error_code, batch)>(
        [&](auto h) { launch_watch(st, std::move(id), std::move(wo), true, &diag, watch_handler(std::move(h))); },
        use_tuple);
}

asio::awaitable<op_result<results_report>> recover_call(std::shared_ptr<client_state> st, std::string id,
                                                        recover_options opts)
{
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);
    op_result<results_report> r;
    auto [ec, b] = co_await cancel_then_watch(st, std::move(id), std::move(opts.watch), r.diag);
    if (ec) {
        r.ec = ec;
        r.value.final_batch = std::move(b); // the last snapshot, when there was one
        co_return r;
    }
    co_return co_await collect_results_call(std::move(st), std::move(b), std::move(opts.results));
}

} // namespace

void launch_cancel_and_recover(const client& c, std::string id, recover_options opts, diagnostics* diag,
                               results_handler h)
{
    const auto& st = client_access::state(c);
    launch_operation<results_report>(st->op_executors, diag, std::move(h),
                                     recover_call(st, std::move(id), std::move(opts)));
}

} // namespace batchwire::detail
