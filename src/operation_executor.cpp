#include "operation_executor.hpp"

#include <boost/asio/detail/concurrency_hint.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace batchwire::detail {

namespace asio = boost::asio;

bool runs_on_one_thread(const asio::any_io_executor& ex) noexcept
{
#if defined(BOOST_ASIO_HAS_IOCP)
    (void)ex;
    return false; // the hint is not kept there
#else
    const auto* io = ex.target<asio::io_context::executor_type>();
    if (!io)
        return false;
    // Asio keeps the hint in its scheduler and treats the same values as single-threaded.
    const int hint = asio::use_service<asio::detail::io_context_impl>(io->context()).concurrency_hint();
    return hint == 1 || !BOOST_ASIO_CONCURRENCY_HINT_IS_LOCKING(SCHEDULER, hint) ||
           !BOOST_ASIO_CONCURRENCY_HINT_IS_LOCKING(REACTOR_IO, hint);
#endif
}

operation_executors::operation_executors(const asio::any_io_executor& ex) : ex_(ex), one_thread_(runs_on_one_thread(ex))
{
}

asio::any_io_executor operation_executors::next() const
{
    if (one_thread_)
        return ex_;
    // A strand over the io_context's own executor when that is what it is: the strand then
    // queries and dispatches on a concrete executor, not through type erasure (and it fits in
    // any_io_executor's inline buffer).
    if (const auto* io = ex_.target<asio::io_context::executor_type>())
        return asio::make_strand(*io);
    return asio::make_strand(ex_);
}

} // namespace batchwire::detail
