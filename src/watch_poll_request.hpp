#ifndef BATCHWIRE_SRC_WATCH_POLL_REQUEST_HPP
#define BATCHWIRE_SRC_WATCH_POLL_REQUEST_HPP

// One retrieve of a watched batch, with what the poll loop reads of the response's headers.
// A coroutine of its own, spawned per poll: an idle loop holds no coroutine frame.

#include "client_state.hpp"
#include "operation_launch.hpp"

#include <batchwire/batch.hpp>
#include <batchwire/request_options.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace batchwire::detail {

struct poll_answer {
    op_result<batch> result;
    std::optional<long long> server_date;                 // the Date header: the server's clock
    std::optional<std::chrono::milliseconds> poll_after;  // openai-poll-after-ms
};

boost::asio::awaitable<poll_answer> retrieve_for_watch(std::shared_ptr<client_state> st, std::string id,
                                                       request_options ro);

} // namespace batchwire::detail

#endif
