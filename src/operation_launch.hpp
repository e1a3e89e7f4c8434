#ifndef BATCHWIRE_SRC_OPERATION_LAUNCH_HPP
#define BATCHWIRE_SRC_OPERATION_LAUNCH_HPP

// Runs an operation's coroutine on its own executor (operation_executor.hpp) and completes
// the type-erased handler on the handler's associated executor.

#include "operation_executor.hpp"

#include <batchwire/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <utility>

namespace batchwire::detail {

template <class T>
struct op_result {
    boost::system::error_code ec;
    diagnostics diag;
    T value{};
};

// Which launch is running its operation's first steps on this thread: an operation that
// ends before its first suspension (a refusal) must not complete inside its initiating
// function (Asio's rule), and only such an operation sees its own number here.
inline thread_local std::uint64_t launching_now = 0;

inline std::uint64_t next_launch_number() noexcept
{
    static thread_local std::uint64_t last = 0;
    return ++last;
}

// Operations report failures as error codes; an exception here is a bug or bad_alloc.
template <class T>
void fail_with_exception(op_result<T>& r, const std::exception_ptr& ep)
{
    r = op_result<T>{};
    r.ec = error::protocol_error;
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        r.diag.message = std::string("unexpected exception: ") + e.what();
    } catch (...) {
        r.diag.message = "unexpected exception";
    }
}

// Runs `op` and hands its result to the handler from this frame: the value is moved once
// into the completion, not carried through co_spawn's own result plumbing.
template <class T>
boost::asio::awaitable<void> run_operation(boost::asio::awaitable<op_result<T>> op,
                                           boost::asio::any_completion_handler<void(boost::system::error_code, T)> h,
                                           diagnostics* diag, std::uint64_t launch)
{
    op_result<T> r;
    try {
        r = co_await std::move(op);
    } catch (...) {
        fail_with_exception(r, std::current_exception());
    }
    if (launching_now == launch)
        co_await boost::asio::post(boost::asio::use_awaitable);
    if (diag)
        *diag = std::move(r.diag);
    boost::asio::dispatch(boost::asio::append(std::move(h), r.ec, std::move(r.value)));
}

// Starts `op` on its operation executor; the handler's cancellation slot is given to co_spawn,
// which delivers cancellation onto that executor.
template <class T>
void launch_operation(boost::asio::any_io_executor ex, diagnostics* diag,
                      boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler,
                      boost::asio::awaitable<op_result<T>> op)
{
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    const std::uint64_t launch = next_launch_number();
    const std::uint64_t outer = std::exchange(launching_now, launch);
    boost::asio::co_spawn(operation_executor(ex), run_operation<T>(std::move(op), std::move(handler), diag, launch),
                          boost::asio::bind_cancellation_slot(slot, [](const std::exception_ptr& e) {
                              if (e) // thrown by the caller's handler: it leaves run() as Asio's do
                                  std::rethrow_exception(e);
                          }));
    launching_now = outer;
}

} // namespace batchwire::detail

#endif
