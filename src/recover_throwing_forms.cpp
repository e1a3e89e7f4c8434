// The throwing awaitable forms of recover.hpp's operations.

#include <batchwire/recover.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class Launch>
asio::awaitable<results_report> throwing_call(Launch launch)
{
    diagnostics diag;
    auto [ec, report] = co_await asio::async_initiate<decltype(use_tuple), void(error_code, results_report)>(
        [&](auto handler) { launch(&diag, detail::results_handler(std::move(handler))); }, use_tuple);
    if (ec == error::watch_deadline_exceeded)
        throw watch_deadline_error(std::move(diag), std::move(report.final_batch));
    throw_on_error(ec, diag);
    co_return std::move(report);
}

} // namespace

asio::awaitable<results_report> collect_results(client& c, batch b, results_options opts)
{
    return throwing_call([&c, b = std::move(b), o = std::move(opts)](diagnostics* d, auto h) mutable {
        detail::launch_collect_results(c, std::move(b), std::move(o), d, std::move(h));
    });
}

asio::awaitable<results_report> collect_results(client& c, batch b)
{
    return collect_results(c, std::move(b), results_options{});
}

asio::awaitable<results_report> cancel_and_recover(client& c, std::string batch_id, recover_options opts)
{
    return throwing_call([&c, id = std::move(batch_id), o = std::move(opts)](diagnostics* d,
                                                                                           auto h) mutable {
        detail::launch_cancel_and_recover(c, std::move(id), std::move(o), d, std::move(h));
    });
}

asio::awaitable<results_report> cancel_and_recover(client& c, std::string batch_id)
{
    return cancel_and_recover(c, std::move(batch_id), recover_options{});
}

} // namespace batchwire
