#ifndef BATCHWIRE_SRC_COLLECT_RESULTS_HPP
#define BATCHWIRE_SRC_COLLECT_RESULTS_HPP

// The coroutine behind async_collect_results, also the last step of cancel_and_recover.

#include "operation_launch.hpp"

#include <batchwire/recover.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace batchwire::detail {

boost::asio::awaitable<op_result<results_report>> collect_results_call(std::shared_ptr<client_state> st, batch b,
                                                                        results_options opts);

} // namespace batchwire::detail

#endif
