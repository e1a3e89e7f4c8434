#ifndef BATCHWIRE_SRC_OPERATION_LAUNCH_HPP
#define BATCHWIRE_SRC_OPERATION_LAUNCH_HPP

// Runs an operation's coroutine on its own strand of the client's executor and completes
// the type-erased handler on the handler's associated executor. The handler's cancellation
// slot is given to co_spawn, which delivers cancellation onto the operation's strand.

#include <batchwire/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <exception>

namespace batchwire::detail {

template <class T>
struct op_result {
    boost::system::error_code ec;
    diagnostics diag;
    T value{};
};

// A strand over the io_context's own executor when that is what the client runs on: the
// strand then queries and dispatches on a concrete executor, not through type erasure.
inline boost::asio::any_io_executor operation_strand(const boost::asio::any_io_executor& ex)
{
    if (const auto* io = ex.target<boost::asio::io_context::executor_type>())
        return boost::asio::make_strand(*io);
    return boost::asio::make_strand(ex);
}

template <class T>
void launch_operation(boost::asio::any_io_executor ex, diagnostics* diag,
                      boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler,
                      boost::asio::awaitable<op_result<T>> op)
{
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    boost::asio::co_spawn(
        operation_strand(ex), std::move(op),
        boost::asio::bind_cancellation_slot(
            slot, [h = std::move(handler), diag](std::exception_ptr ep, op_result<T> r) mutable {
                if (ep) { // operations report failures as error codes; this is a bug or bad_alloc
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
                if (diag)
                    *diag = std::move(r.diag);
                boost::asio::dispatch(boost::asio::append(std::move(h), r.ec, std::move(r.value)));
            }));
}

} // namespace batchwire::detail

#endif
