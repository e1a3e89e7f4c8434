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
#include <boost/asio/this_coro.hpp>
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

// Per thread: a number another thread also uses only costs an operation of that thread, if
// it completes here during this launch, one post more.
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

template <class T>
using operation_handler = boost::asio::any_completion_handler<void(boost::system::error_code, T)>;

// Whether an operation is still inside its initiating function (it never suspended): it
// must then first leave it (co_await post) before it completes.
inline bool still_launching(std::uint64_t launch) noexcept
{
    return launching_now == launch;
}

// An operation's end, from its own frame: the value is moved once into the completion, not
// carried through co_spawn's own result plumbing.
template <class T>
void complete_operation(operation_handler<T>& h, diagnostics* diag, op_result<T>& r)
{
    if (diag)
        *diag = std::move(r.diag);
    boost::asio::dispatch(boost::asio::append(std::move(h), r.ec, std::move(r.value)));
}

// Runs `op`, then completes the handler with its result.
template <class T>
boost::asio::awaitable<void> run_operation(boost::asio::awaitable<op_result<T>> op, operation_handler<T> h,
                                           diagnostics* diag, std::uint64_t launch)
{
    co_await boost::asio::this_coro::throw_if_cancelled(false); // cancellation is a result, never a throw
    op_result<T> r;
    try {
        r = co_await std::move(op);
    } catch (...) {
        fail_with_exception(r, std::current_exception());
    }
    if (still_launching(launch))
        co_await boost::asio::post(boost::asio::use_awaitable);
    complete_operation(h, diag, r);
}

// Spawns the coroutine `body(handler, launch)` on its operation executor; the body completes
// the handler itself (still_launching, complete_operation). The handler's cancellation slot
// is given to co_spawn, which delivers cancellation onto that executor.
template <class T, class Body>
void spawn_operation(const operation_executors& executors, operation_handler<T> handler, Body body)
{
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    const std::uint64_t launch = next_launch_number();
    const std::uint64_t outer = std::exchange(launching_now, launch);
    boost::asio::co_spawn(executors.next(), body(std::move(handler), launch),
                          boost::asio::bind_cancellation_slot(slot, [](const std::exception_ptr& e) {
                              if (e) // thrown by the caller's handler: it leaves run() as Asio's do
                                  std::rethrow_exception(e);
                          }));
    launching_now = outer;
}

// Starts the operation `op` and completes the handler with its result.
template <class T>
void launch_operation(const operation_executors& executors, diagnostics* diag, operation_handler<T> handler,
                      boost::asio::awaitable<op_result<T>> op)
{
    spawn_operation<T>(executors, std::move(handler), [&](operation_handler<T> h, std::uint64_t launch) {
        return run_operation<T>(std::move(op), std::move(h), diag, launch);
    });
}

} // namespace batchwire::detail

#endif
