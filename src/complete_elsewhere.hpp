#ifndef BATCHWIRE_SRC_COMPLETE_ELSEWHERE_HPP
#define BATCHWIRE_SRC_COMPLETE_ELSEWHERE_HPP

// Completes a handler from inside a strand without resuming the caller inside it: posted
// to `fallback` first, then dispatched to the handler's associated executor, after
// clearing the cancellation slot the strand's owner had set on it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace batchwire::detail {

template <class Handler, class... Args>
void complete_elsewhere(const boost::asio::any_io_executor& fallback, Handler h, Args... args)
{
    namespace asio = boost::asio;
    asio::post(fallback, [fallback, h = std::move(h), ... args = std::move(args)]() mutable {
        auto hex = asio::get_associated_executor(h, fallback);
        asio::dispatch(hex, [h = std::move(h), ... args = std::move(args)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            std::move(h)(std::move(args)...);
        });
    });
}

} // namespace batchwire::detail

#endif
