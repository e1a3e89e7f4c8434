#ifndef BATCHWIRE_SRC_REQUEST_CONTEXT_HPP
#define BATCHWIRE_SRC_REQUEST_CONTEXT_HPP

// What the request loop needs of a client, and nothing else: where connections come from,
// the origin they go to, the client's serialised head fields, the logger, the retry rules,
// the time limits and the response limits. It refers to the client's state, which outlives
// it (client_state holds it; request_context_of keeps that state alive).

#include "connection_pool.hpp"
#include "origin.hpp"
#include "request_head.hpp"

#include <batchwire/client_options.hpp>
#include <batchwire/logger.hpp>
#include <batchwire/retry_options.hpp>

#include <chrono>
#include <utility>

namespace batchwire::detail {

struct request_context {
    connection_pool& pool;
    const origin& org;
    const request_head& head;
    const logger& events;
    const retry_options& retry;
    std::chrono::milliseconds attempt_timeout;
    std::chrono::milliseconds total_timeout;
    const response_limits& limits;
    bool keep_alive; // the pool keeps connections: a complete response returns one to it

    // build() makes the event only when `level` is enabled (see logger::log).
    template <class Build>
    void log(log_level level, Build&& build) const
    {
        events.log(level, std::forward<Build>(build));
    }
};

} // namespace batchwire::detail

#endif
