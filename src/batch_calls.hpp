#ifndef BATCHWIRE_SRC_BATCH_CALLS_HPP
#define BATCHWIRE_SRC_BATCH_CALLS_HPP

// The batch calls as coroutines, for layers inside the library (the watcher) that are
// already running on a strand and need no second spawn.

#include "client_state.hpp"
#include "operation_launch.hpp"

#include <batchwire/batch.hpp>
#include <batchwire/request_options.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace batchwire::detail {

// GET /batches/{id} (cancel = false) or POST /batches/{id}/cancel (cancel = true).
boost::asio::awaitable<op_result<batch>> batch_by_id(std::shared_ptr<client_state> st, std::string id, bool cancel,
                                                     request_options ro);

} // namespace batchwire::detail

#endif
