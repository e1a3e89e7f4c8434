#ifndef BATCHWIRE_SRC_OPERATION_EXECUTOR_HPP
#define BATCHWIRE_SRC_OPERATION_EXECUTOR_HPP

// The executor an operation's coroutine runs on. On an io_context that may be run by several
// threads, a strand of its own: its I/O completions, Beast's timeout handlers and the
// cancellation co_spawn delivers are then never concurrent. On an io_context created with
// concurrency hint 1 (the application's promise, to Asio too, that one thread runs it),
// nothing can be concurrent and a strand would only cost: the io_context's executor itself.

#include <boost/asio/any_io_executor.hpp>

namespace batchwire::detail {

// True for the executor of an io_context whose concurrency hint says one thread runs it.
bool runs_on_one_thread(const boost::asio::any_io_executor& ex) noexcept;

// The executors of a client's operations, decided once per client (asking the io_context
// for its hint takes a lock and a service lookup).
class operation_executors {
public:
    explicit operation_executors(const boost::asio::any_io_executor& ex);

    // The executor for the next operation: `ex` itself, or a new strand over it.
    boost::asio::any_io_executor next() const;

private:
    boost::asio::any_io_executor ex_;
    bool one_thread_;
};

} // namespace batchwire::detail

#endif
