#ifndef BATCHWIRE_SRC_CANCELLATION_CHECK_HPP
#define BATCHWIRE_SRC_CANCELLATION_CHECK_HPP

// Asio delivers a cancellation to the operation pending at that moment. One that arrives
// while a coroutine is between two operations (parsing what it already read, calling a
// sink) is only recorded in the coroutine's cancellation state; the next operation would
// not see it and could wait forever (a stalled peer). So every step that is about to start
// I/O asks this first.

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/cancellation_type.hpp>

namespace batchwire::detail {

inline bool is_cancelled(const boost::asio::cancellation_state& cs) noexcept
{
    return cs.cancelled() != boost::asio::cancellation_type::none;
}

} // namespace batchwire::detail

#endif
